"""Model and dataset ids in shell commands: scripts, Dockerfile `RUN` lines, CI `run:` blocks.

What counts:
  - `huggingface-cli download ID` and `hf download ID` (`--repo-type dataset` makes a dataset);
    `huggingface-cli upload ID ...` and `hf upload ID ...` give the role "produced";
  - any word that is a Hub URL (`git clone https://huggingface.co/ID`, `wget .../resolve/...`,
    `ollama run hf.co/ID`);
  - flags named like a model or dataset key (`--model_name_or_path ID`, `--model-id ID`,
    `--dataset_name ID`; llama.cpp's `-hf ID`), and `vllm serve ID`;
  - `key=value` lists given to a flag (`--model_args pretrained=ID,dtype=auto`), by their keys;
  - variable assignments named like one (`export MODEL_ID=ID`, `MODEL=${MODEL:-ID}`), and
    `$VAR` / `${VAR}` arguments of the commands above, resolved from earlier assignments;
  - `docker run ... vllm/vllm-openai ID`: the model a vLLM serving image is started with;
  - `python -c "..."`, read as Python.

The words are split here rather than by `shlex`, because `shlex` does not say where a word
starts: a command continued over lines with `\\` must still report each id on its own line.
The splitter knows quotes, backslashes, comments and the operators that separate commands; it
does not expand anything.
"""

from __future__ import annotations

import bisect
import re

from clearance.scan.collect import Collector
from clearance.scan.keys import KeyInfo, key_kind
from clearance.scan.model import RANK_API, RANK_KEY, RANK_URL

_OPERATOR_CHARS = frozenset(";&|()<>\n")
_ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.DOTALL)
_VARIABLE = re.compile(r"^\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-=])(.*))?\})$", re.DOTALL)
_DECLARERS = frozenset({"export", "local", "declare", "readonly", "typeset", "env"})
_DOWNLOAD_VALUE_OPTIONS = frozenset(
    {"--repo-type", "--revision", "--local-dir", "--cache-dir", "--token", "--max-workers", "--etag-timeout",
     "--local-dir-use-symlinks", "--format", "--commit-message", "--commit-description", "--every"}
)
_DOWNLOAD_LIST_OPTIONS = frozenset({"--include", "--exclude", "--delete"})
_LLAMA_CPP_FLAGS = frozenset({"hf", "hfr", "hf-repo", "hf_repo"})

Word = tuple[str, int, bool]  # (text, line, is_operator)


def split_words(text: str) -> list[Word]:
    """Split shell text into words and operators, each with its 1-based line."""
    newlines = [i for i, c in enumerate(text) if c == "\n"]
    out: list[Word] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\f\v":
            i += 1
        elif c == "\\" and text.startswith("\n", i + 1):
            i += 2  # a continued line
        elif c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif c in _OPERATOR_CHARS:
            start = i
            if c == "\n":
                i += 1
            else:
                while i < n and text[i] in _OPERATOR_CHARS and text[i] != "\n":
                    i += 1
            out.append((text[start:i], bisect.bisect_left(newlines, start) + 1, True))
        else:
            start = i
            buf: list[str] = []
            while i < n:
                c = text[i]
                if c in " \t\r\f\v" or c in _OPERATOR_CHARS:
                    break
                if c == "\\":
                    if i + 1 < n and text[i + 1] != "\n":
                        buf.append(text[i + 1])
                    i += 2
                elif c == "'":
                    end = text.find("'", i + 1)
                    end = n if end < 0 else end
                    buf.append(text[i + 1:end])
                    i = end + 1
                elif c == '"':
                    i += 1
                    while i < n and text[i] != '"':
                        if text[i] == "\\" and i + 1 < n and text[i + 1] in '$`"\\\n':
                            if text[i + 1] != "\n":
                                buf.append(text[i + 1])
                            i += 2
                        else:
                            buf.append(text[i])
                            i += 1
                    i += 1
                else:
                    buf.append(c)
                    i += 1
            out.append(("".join(buf), bisect.bisect_left(newlines, start) + 1, False))
    return out


def commands(words: list[Word]) -> list[list[tuple[str, int]]]:
    out: list[list[tuple[str, int]]] = []
    current: list[tuple[str, int]] = []
    for text, line, op in words:
        if op:
            if current:
                out.append(current)
            current = []
        else:
            current.append((text, line))
    if current:
        out.append(current)
    return out


def scan_shell_text(text: str, col: Collector, variables: dict[str, list[tuple[str, int]]] | None = None) -> None:
    """Scan shell text; `variables` carries assignments from earlier text (a Dockerfile's ENV)."""
    scope = {} if variables is None else variables
    words = [(w, col.file_line(line), op) for w, line, op in split_words(text)]
    for command in commands(words):
        scan_command(command, col, scope)


_KEY_VALUES = re.compile(r"\s*[A-Za-z_][\w.\-]*=[^,=\s]*(?:\s*,\s*[A-Za-z_][\w.\-]*=[^,=\s]*)*\s*")


def scan_key_values(text: str, line: int, col: Collector, *, absolute: bool = False) -> None:
    """A comma-separated `key=value` list written as one string, the way command lines pass a
    library's options (lm-evaluation-harness `--model_args pretrained=org/x,dtype=auto`): each
    value under a key that holds an id."""
    if len(text) > 1000 or not _KEY_VALUES.fullmatch(text):
        return
    for pair in text.split(","):
        name, _, value = pair.strip().partition("=")
        found = key_kind(name)
        if found:
            col.add(value, line, f"option {name}", kind=found.kind, bare=found.bare, rank=RANK_KEY, absolute=absolute,
                    strict=found.strict, role=found.role)


def scan_command(words: list[tuple[str, int]], col: Collector, variables: dict[str, list[tuple[str, int]]]) -> None:
    """One command's words, each with its line *in the file* (variables keep file lines too)."""
    i = 0
    while i < len(words):  # leading assignments, `export A=B`, `env A=B cmd`
        word = words[i][0]
        if word in _DECLARERS or (word.startswith("-") and i > 0 and words[i - 1][0] in _DECLARERS):
            i += 1
            continue
        if not _ASSIGNMENT.match(word):
            break
        _assignment(word, words[i][1], col, variables)
        i += 1
    rest = words[i:]
    names = [w.rsplit("/", 1)[-1] for w, _ in rest]
    for j, (word, line) in enumerate(rest):
        name = names[j]
        nxt = names[j + 1] if j + 1 < len(rest) else None
        if name in ("huggingface-cli", "hf") and nxt in ("download", "upload"):
            _download(rest[j + 2:], f"{name} {nxt}", col, variables, role="produced" if nxt == "upload" else "used")
        elif name == "vllm" and nxt == "serve" and j + 2 < len(rest):
            for text, at, uses in _expand(rest[j + 2], variables):
                col.add(text, at, "vllm serve", bare=True, rank=RANK_API, uses=uses, absolute=True)
        elif name in ("docker", "podman") and nxt == "run":
            _container_run(rest[j + 2:], col, variables)
        elif name.startswith("python") and nxt == "-c" and j + 2 < len(rest):
            from clearance.scan.pyfile import scan_python  # a cycle: pyfile does not import shell

            code, code_line = rest[j + 2]
            scan_python(code, col.mapped(lambda n, first=code_line: first + n - 1, of_file=True))
        elif word.startswith("-") and len(word) > 1:
            _flag(word, rest[j + 1] if j + 1 < len(rest) else None, line, col, variables)
        elif "huggingface.co" in word or "hf.co/" in word or word[:5].lower() == "hf://":
            clone = j >= 1 and names[j - 1] == "clone" or (j >= 2 and names[j - 2] == "clone")
            col.add(word, line, "git clone" if clone else "huggingface.co URL", rank=RANK_API if clone else RANK_URL,
                    absolute=True)


def scan_assignment_words(words: list[str], line: int, col: Collector,
                          variables: dict[str, list[tuple[str, int]]] | None = None) -> None:
    """`KEY=value` words (Dockerfile ENV/ARG, compose `environment:` items) on line `line` of `col`'s view."""
    for word in words:
        if _ASSIGNMENT.match(word):
            _assignment(word, col.file_line(line), col, {} if variables is None else variables)


def _assignment(word: str, line: int, col: Collector, variables: dict[str, list[tuple[str, int]]]) -> None:
    name, value = _ASSIGNMENT.match(word).groups()  # type: ignore[union-attr]
    values = _expand((value, line), variables)
    variables[name] = [(text, at) for text, at, _ in values]
    found = key_kind(name)
    if found:
        for text, at, uses in values:
            col.add(text, at, f"environment variable {name}", kind=found.kind, bare=found.bare, rank=RANK_KEY, uses=uses,
                    absolute=True, strict=found.strict, role=found.role)


def _expand(word: tuple[str, int], variables: dict[str, list[tuple[str, int]]]) -> list[tuple[str, int, tuple[int, ...]]]:
    """The values a word may have: itself, or for `$VAR` / `${VAR:-default}` what VAR was
    assigned and the default. Each with the line it is written on and the line using it."""
    text, line = word
    match = _VARIABLE.match(text)
    if not match:
        return [(text, line, ())]
    name = match.group(1) or match.group(2)
    out = [(value, at, (line,) if at != line else ()) for value, at in variables.get(name, [])]
    if match.group(3) is not None and match.group(4):
        out += _expand((match.group(4), line), variables)
    return out


def _download(args: list[tuple[str, int]], via: str, col: Collector, variables: dict[str, list[tuple[str, int]]],
              role: str = "used") -> None:
    repo: tuple[str, int] | None = None
    repo_type = "model"
    k = 0
    while k < len(args):
        word = args[k][0]
        if word.startswith("--"):
            option, eq, value = word.partition("=")
            if option in _DOWNLOAD_VALUE_OPTIONS:
                if not eq:
                    value = args[k + 1][0] if k + 1 < len(args) else ""
                    k += 1
                if option == "--repo-type":
                    repo_type = value
            elif option in _DOWNLOAD_LIST_OPTIONS and not eq:
                while k + 1 < len(args) and not args[k + 1][0].startswith("-"):
                    k += 1
        elif not word.startswith("-") and repo is None:
            repo = args[k]
        k += 1
    if repo is None:
        return
    if repo_type in ("space", "spaces"):
        for text, _, _ in _expand(repo, variables):
            col.forget(text)  # a variable that held a Space's id is no model
        return
    kind = "dataset" if repo_type in ("dataset", "datasets") else "model"
    for text, line, uses in _expand(repo, variables):
        col.add(text, line, via, kind=kind, bare=True, rank=RANK_API, uses=uses, absolute=True, role=role)


def _flag(word: str, following: tuple[str, int] | None, line: int, col: Collector,
          variables: dict[str, list[tuple[str, int]]]) -> None:
    name, eq, value = word.lstrip("-").partition("=")
    if eq:
        target: tuple[str, int] | None = (value, line)
    elif following is not None and not following[0].startswith("-"):
        target = following
    else:
        return
    found = KeyInfo("model", False) if name in _LLAMA_CPP_FLAGS else key_kind(name)
    if not found and target is not None and "=" in target[0]:
        scan_key_values(target[0], target[1], col, absolute=True)  # --model_args pretrained=org/x,dtype=auto
        return
    if not found or target is None:
        return
    for text, at, uses in _expand(target, variables):
        # a comma never occurs in a Hub id: `--static-models org/a,org/b` lists several
        for part in (text.split(",") if "," in text else (text,)):
            col.add(part.strip(), at, f"command-line {word.partition('=')[0]}", kind=found.kind, bare=found.bare,
                    rank=RANK_KEY, uses=uses, absolute=True, strict=found.strict, role=found.role)


# `docker run` options that take no value; any other option without `=` takes the next word.
_RUN_SWITCHES = frozenset({"--rm", "--detach", "--interactive", "--tty", "--privileged", "--init", "--publish-all",
                           "--read-only", "--no-healthcheck", "--oom-kill-disable", "--sig-proxy"})
_RUN_SHORT_SWITCHES = re.compile(r"^-[ditP]+$")
# Serving images whose entrypoint is `vllm serve` (or vLLM's OpenAI server): the first argument
# after the image, when it is no option, is the model served (`docker run vllm/vllm-openai org/x`).
_MODEL_FIRST_IMAGES = re.compile(r"^vllm-(?:openai|tpu)(?:-[a-z0-9]+)*$")


def _container_run(args: list[tuple[str, int]], col: Collector, variables: dict[str, list[tuple[str, int]]]) -> None:
    """`docker run [options] IMAGE [args]`: a vLLM serving image's positional model. Flags after the
    image (`--model`, TGI's `--model-id`) are read as flags anyway."""
    k = 0
    while k < len(args) and args[k][0].startswith("-"):
        word = args[k][0]
        takes_value = "=" not in word and word not in _RUN_SWITCHES and not _RUN_SHORT_SWITCHES.match(word)
        k += 2 if takes_value else 1
    if k + 1 >= len(args):
        return
    images = [text for text, _, _ in _expand(args[k], variables)]
    if not any(_MODEL_FIRST_IMAGES.match(_image_name(image)) for image in images):
        return
    model = args[k + 1]
    if model[0].startswith("-"):
        return
    for text, at, uses in _expand(model, variables):
        col.add(text, at, "docker run (vLLM image)", bare=True, rank=RANK_API, uses=uses, absolute=True)


def _image_name(image: str) -> str:
    """`ghcr.io/org/vllm-openai:v0.9@sha256:...` -> `vllm-openai`."""
    return image.split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0].lower()
