"""Model and dataset references in JavaScript and TypeScript (`.js .mjs .cjs .jsx .ts .tsx`,
and the `<script>` parts of `.vue` and `.svelte` files), read with a tokenizer, never run.

No parser: a tokenizer that knows comments, string and template literals and regular
expressions, and a stack of brackets that knows, for each string, where it sits:
  - a positional argument of a known call: transformers.js's `pipeline(task, "org/name")` and
    `X.from_pretrained("org/name")` (a bare legacy id counts there, as in Python);
  - the value of a key or of an assigned name: `{ model: "org/name" }` (@huggingface/inference's
    `textGeneration`, `chatCompletion`), `const MODEL_ID = "org/name"`, `static model_id = ...`,
    `model: process.env.MODEL ?? "org/name"`; the vocabulary is `keys.py`'s, so `dataset*` keys
    give datasets and `hub_model_id`/`output_*` keys give produced ids;
  - under a model or dataset key, a generic subkey (`MODELS = [{ id: "org/name" }]`); under a
    name for models or datasets, the elements of a plain list (`const MODELS = ["org/a"]`); the
    org/name keys of an object where the YAML/JSON readers take them (`keys.lists_ids_as_keys`:
    `dataset_mixer = { "org/d": 0.5 }`) and of one named just `models`
    (`const models = { "org/a": [41, 152] }`); none under a hosted service's name;
  - `repo:` of a @huggingface/hub call (`downloadFile({ repo: "org/name" })`, `repo: { type:
    "dataset", name: "org/d" }`, a `datasets/` prefix); upload, create and commit calls give
    produced ids;
  - anywhere, a whole Hub URL (`https://huggingface.co/org/name`, a JSX `href`).
A name passed to a known call (`pipeline(task, MODEL)`, `from_pretrained(this.model_id)`) gives
the string values assigned to that name anywhere in the file: files are small and scopes rarely
reuse such names. Template literals with `${...}` are not constants and are not read, except
for a Hub URL whose repository is written out before the first `${`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from clearance.scan.collect import Collector
from clearance.scan.hubid import mentions_url, parse_url
from clearance.scan.keys import norm_key
from clearance.scan.model import RANK_API, RANK_KEY, RANK_URL
from clearance.scan.structured import SERVICE, Context

_TOKEN = re.compile(
    r"""(?P<ws>\s+)
    |(?P<comment>//[^\n]*|/\*.*?(?:\*/|\Z))
    |(?P<str>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    |(?P<tpl>`(?:[^`\\]|\\.)*`)
    |(?P<name>[A-Za-z_$][\w$]*)
    |(?P<num>\d[\w.]*)
    |(?P<punct>\?\?=?|\?\.|=>|[=!]==?|&&|\|\||\.\.\.|[-+*/%&|^<>!~?:;,.=(){}\[\]@#'"`\\])""",
    re.VERBOSE | re.DOTALL,
)
_REGEX = re.compile(r"/(?:[^/\\\[\n]|\\.|\[(?:[^\]\\\n]|\\.)*\])+/[a-z]*")
# After these a `/` starts a regular expression, not a division.
_BEFORE_REGEX = frozenset("( , = : [ ! & | ? { } ; ?? && || => return typeof case".split())
# After these a `{` opens an object literal, not a block.
_BEFORE_OBJECT = frozenset("= : ( , [ ? ?? || && return default => ...".split()) - {"=>"}
_SCRIPT = re.compile(r"(<script\b[^>]*>)(.*?)</script>", re.DOTALL | re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class JsApi:
    position: int | None  # positional index of the id
    kind: str = "model"
    bare: bool = True
    role: str = "used"
    hub: bool = False  # @huggingface/hub: the id is the `repo` of the options object


_HUB_USED = "downloadFile downloadFileToCacheDir snapshotDownload listFiles fileExists fileDownloadInfo".split()
_HUB_PRODUCED = "uploadFile uploadFiles uploadFilesWithProgress createRepo commit".split()
FUNCTIONS: dict[str, JsApi] = {
    "pipeline": JsApi(1),
    "from_pretrained": JsApi(0),  # transformers.js: AutoModel.from_pretrained, AutoTokenizer.from_pretrained
    **{n: JsApi(None, bare=False, hub=True) for n in _HUB_USED},
    **{n: JsApi(None, bare=False, role="produced", hub=True) for n in _HUB_PRODUCED},
}
_HUB_REPO_KEYS = frozenset({"repo", "repo_id", "repo_name"})


def scan_script_parts(text: str, col: Collector) -> None:
    """A `.vue`/`.svelte` file: only its `<script>` blocks, each at its own lines."""
    parts: list[str] = []
    end = 0
    for match in _SCRIPT.finditer(text):
        parts.append(_blank(text[end:match.start(2)]))
        parts.append(match.group(2))
        end = match.end(2)
    if parts:
        scan_js("".join(parts), col)


def _blank(text: str) -> str:
    return "\n" * text.count("\n")


@dataclass
class _Frame:
    bracket: str  # "(", "{" (object), "b" (block), "["
    key: str | None = None  # the key or name this container is the value of
    ctx: str | None = None  # the model/dataset context kind (structured.Context's)
    api: JsApi | None = None  # "(": the call; "{": the call this object is an argument of
    arg: int = 0  # "(": index of the argument being read
    target: str | None = None  # the key or name whose value is being written
    ternary: int = 0  # open `?` of a conditional since the last `,`
    entries: list[tuple[str, str, int]] = field(default_factory=list)  # "{": (key, string, line)


@dataclass(slots=True)
class _Tok:
    kind: str
    text: str
    pos: int


def tokens(text: str) -> list[_Tok]:
    """The significant tokens of `text`: no blanks, no comments."""
    out: list[_Tok] = []
    pos, n = 0, len(text)
    while pos < n:
        if text[pos] == "/" and (not out or out[-1].text in _BEFORE_REGEX) and not text.startswith(("//", "/*"), pos):
            match = _REGEX.match(text, pos)
            if match:
                out.append(_Tok("regex", match.group(), pos))
                pos = match.end()
                continue
        match = _TOKEN.match(text, pos)
        if match is None:  # a character no rule knows (non-ASCII text in JSX): skip it
            pos += 1
            continue
        kind = match.lastgroup or "punct"
        if kind not in ("ws", "comment"):
            out.append(_Tok(kind, match.group(), pos))
        pos = match.end()
    return out


def _string_value(tok: _Tok) -> str | None:
    """The value of a string or constant template literal; None for anything else."""
    if tok.kind == "str":
        return tok.text[1:-1].replace("\\/", "/")
    if tok.kind == "tpl" and "${" not in tok.text:
        return tok.text[1:-1]
    return None


def _url_prefix(tok: _Tok) -> str | None:
    """A template literal's constant start when it holds a whole Hub repository address
    (`https://huggingface.co/datasets/org/d/resolve/main/${file}`): the repository does not
    depend on what is filled in."""
    if tok.kind != "tpl" or "${" not in tok.text:
        return None
    prefix = tok.text[1:tok.text.index("${")]
    if not mentions_url(prefix):
        return None
    prefix = prefix[: prefix.rfind("/")]
    found = parse_url(prefix)
    if not found:
        return None
    # Whole when the id has its org, or the address goes on past it (a legacy id's /resolve/...);
    # `hf://datasets/org/${name}` names no repository yet.
    return prefix if "/" in found[0] or not prefix.endswith(found[0]) else None


def _plain_list_kind(key: str | None) -> str | None:
    """`MODELS = ["org/a", ...]`, `datasets: [...]`: a list named for models or datasets."""
    if key is None:
        return None
    parts = norm_key(key).split("_")
    if parts[-1] in ("models", "model_ids", "checkpoints"):
        return "model"
    if parts[-1] in ("datasets", "dataset_ids"):
        return "dataset"
    return None


def scan_js(text: str, col: Collector) -> None:
    toks = tokens(text)
    if not toks:
        return
    newlines = [i for i, c in enumerate(text) if c == "\n"]

    def line_of(pos: int) -> int:
        return bisect.bisect_right(newlines, pos - 1) + 1

    ctx = Context(col, "JS key")
    values: dict[str, list[tuple[str, int]]] = {}  # name -> string values assigned to it
    name_args: list[tuple[str, JsApi, int]] = []  # (name, api, line) of a name passed to a known call
    stack = [_Frame("b")]
    for i, tok in enumerate(toks):
        frame = stack[-1]
        prev = toks[i - 1].text if i else ""
        text_ = tok.text
        if tok.kind == "punct":
            if text_ in "([{":
                stack.append(_open(toks, i, frame, ctx))
            elif text_ in ")]}":
                if len(stack) > 1:
                    closed = stack.pop()
                    _close(closed, stack[-1], ctx)
            elif text_ == ",":
                frame.arg += 1
                frame.target = None
                frame.ternary = 0
            elif text_ == ";":
                frame.target = None
            elif text_ == "?":
                frame.ternary += 1
            elif text_ == ":":
                if frame.ternary:
                    frame.ternary -= 1
                elif frame.bracket == "{" and toks[i - 1].kind in ("name", "str", "num"):
                    key = _string_value(toks[i - 1]) if toks[i - 1].kind == "str" else prev
                    frame.target = key
                    if toks[i - 1].kind == "str" and key is not None:
                        _object_key(key, frame, line_of(toks[i - 1].pos), ctx)
            elif text_ == "=":
                frame.target = _assigned_name(toks, i)
            continue
        if tok.kind == "name" and text_ in ("const", "let", "var", "return", "if", "else", "for", "while"):
            frame.target = None
            continue
        if tok.kind == "name" and frame.bracket == "(" and frame.api is not None and prev in ("(", ","):
            name = _member_chain_end(toks, i)
            if name is not None and frame.api.position == frame.arg:
                name_args.append((name, frame.api, line_of(tok.pos)))
            continue
        value = _string_value(tok)
        if value is None:
            prefix = _url_prefix(tok)
            if prefix is not None:
                col.add(prefix, line_of(tok.pos), "JS huggingface.co URL", rank=RANK_URL)
            continue
        line = line_of(tok.pos)
        kept = len(col.hits)
        if frame.bracket == "(" and prev in ("(", ","):
            api = frame.api
            if api is not None and api.position == frame.arg:
                col.add(value, line, f"transformers.js {_callee(toks, i)}", kind=api.kind, bare=api.bare,
                        rank=RANK_API, role=api.role)
        elif frame.bracket == "[" and prev in ("[", ","):
            kind = _plain_list_kind(frame.key) if frame.ctx != SERVICE else None
            if kind is not None:
                col.add(value, line, f"JS list {frame.key}", kind=kind, rank=RANK_KEY)
            else:
                ctx.value(frame.key, frame.ctx, value, line)
        elif frame.target is not None and prev in ("=", ":", "??", "||", "?"):
            values.setdefault(frame.target, []).append((value, line))
            if frame.bracket == "{":
                frame.entries.append((frame.target, value, line))
            if not (frame.api is not None and frame.api.hub):
                ctx.value(frame.target, frame.ctx, value, line)
        # A Hub URL anywhere, unless its position already gave it (as a call's id, a key's value
        # or a list's item, whose `via` and role say more): one hit for one string.
        if len(col.hits) == kept and mentions_url(value):
            col.add(value, line, "JS huggingface.co URL", rank=RANK_URL)
    for name, api, use in name_args:
        for value, line in values.get(name, ()):
            col.add(value, line, f"transformers.js call of {name}", kind=api.kind, bare=api.bare, rank=RANK_API,
                    uses=(use,), role=api.role)


def _object_key(key: str, frame: _Frame, line: int, ctx: Context) -> None:
    """A quoted key of the object literal `frame`: an org/name id where the YAML and JSON readers
    take one (`Context.key`, by `keys.lists_ids_as_keys`: `dataset_mixer = { "org/d": 0.5 }`), and
    in JS also in an object named just `models` or `model_ids`, a table of the models an app offers
    (`const models = { "org/a": [41, 152] }`); never under a hosted service's name (`ollama`,
    `OPENROUTER_MODELS`), whose context is SERVICE."""
    if (frame.ctx == "model" and frame.key is not None and norm_key(frame.key) in ("models", "model_ids")
            and "/" in key and len(key) < 200):
        ctx.col.add(key, line, f"JS key of {frame.key}", kind="model", rank=RANK_KEY)
    else:
        ctx.key(key, frame.ctx, line, frame.key)


def _open(toks: list[_Tok], i: int, parent: _Frame, ctx: Context) -> _Frame:
    """The frame a `(`, `[` or `{` at `toks[i]` opens."""
    bracket = toks[i].text
    prev = toks[i - 1] if i else None
    if bracket == "(":
        api = None
        if prev is not None and prev.kind == "name":
            api = FUNCTIONS.get(prev.text)
        return _Frame("(", api=api)
    key = parent.target
    if parent.bracket == "(" and prev is not None and prev.text in ("(", ","):
        # a call's argument: `downloadFile({ repo })`; only a hub call's options carry context
        api = parent.api if parent.api is not None and parent.api.hub else None
        return _Frame("{" if bracket == "{" else "[", api=api)
    kind = ctx.child_context(key, parent.ctx) if key is not None else parent.ctx
    if bracket == "[":
        return _Frame("[", key=key, ctx=kind)
    if prev is None or prev.text not in _BEFORE_OBJECT:
        return _Frame("b")
    api = parent.api if parent.bracket == "{" and key is not None and norm_key(key) in _HUB_REPO_KEYS else None
    return _Frame("{", key=key, ctx=kind, api=api)


def _close(frame: _Frame, parent: _Frame, ctx: Context) -> None:
    """A hub call's options object: its `repo` (a string, or `{type, name}` in a nested object)."""
    if frame.bracket != "{" or frame.api is None or not frame.api.hub:
        return
    api = frame.api
    found = {norm_key(k): (v, line) for k, v, line in frame.entries}
    repo_type = found.get("type") or found.get("repo_type")
    kind = "dataset" if repo_type is not None and repo_type[0] == "dataset" else api.kind
    if repo_type is not None and repo_type[0] == "space":
        return
    for key in ("repo", "repo_id", "repo_name", "name"):
        if key in found and (key != "name" or frame.key is not None):
            value, line = found[key]
            ctx.col.add(value, line, "@huggingface/hub repo", kind=kind, bare=api.bare, rank=RANK_API,
                        role=api.role)
            return


def _assigned_name(toks: list[_Tok], i: int) -> str | None:
    """The name `=` at `toks[i]` assigns: `x =`, `this.x =`, `static x =`, or past a type
    annotation, `x: string =`, `MODELS: ModelConfig[] =`."""
    if i and toks[i - 1].kind == "name" and not (i >= 3 and toks[i - 2].text == ":"):
        return toks[i - 1].text
    for j in range(i - 1, max(i - 16, 0), -1):
        text = toks[j].text
        if text == ":" and toks[j - 1].kind == "name":
            return toks[j - 1].text
        if text in (";", "{", "}", "(", ",", "=", "=>"):
            return None
    return None


def _member_chain_end(toks: list[_Tok], i: int) -> str | None:
    """`MODEL`, `this.model_id`, `Cls.model`: the last name, when the argument is just that."""
    j = i
    while j + 2 < len(toks) and toks[j + 1].text in (".", "?.") and toks[j + 2].kind == "name":
        j += 2
    if j + 1 < len(toks) and toks[j + 1].text in (",", ")"):
        return toks[j].text
    return None


def _callee(toks: list[_Tok], i: int) -> str:
    """The name of the call whose argument `toks[i]` is (for `via`)."""
    depth = 0
    for j in range(i - 1, -1, -1):
        text = toks[j].text
        if text in ")]}":
            depth += 1
        elif text in "([{":
            if depth == 0:
                return toks[j - 1].text if j and toks[j - 1].kind == "name" else "call"
            depth -= 1
    return "call"
