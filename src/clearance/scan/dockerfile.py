"""Model and dataset ids in Dockerfiles.

Instructions are found line by line (continuations with `\\` or the `# escape=` character,
comment lines inside them dropped, as Docker does). `RUN`, `CMD` and `ENTRYPOINT` are shell
commands (`shell.py`), in shell form or JSON exec form; `RUN <<EOF` heredocs are shell too.
`ENV` and `ARG` are assignments (`ENV MODEL_ID=org/name`, the legacy `ENV MODEL_ID org/name`),
and their values feed `$MODEL_ID` in later commands.
"""

from __future__ import annotations

import json
import re

from clearance.scan import shell
from clearance.scan.collect import Collector

_INSTRUCTION = re.compile(r"^\s*([A-Za-z]+)(\s+|$)")
_ESCAPE = re.compile(r"^#\s*escape\s*=\s*(\S)", re.IGNORECASE)
_HEREDOC = re.compile(r"<<-?\s*[\"']?([A-Za-z_][A-Za-z0-9_]*)[\"']?")
_COMMANDS = frozenset({"RUN", "CMD", "ENTRYPOINT"})


def scan_dockerfile(text: str, col: Collector) -> None:
    lines = text.split("\n")
    escape = "\\"
    for raw in lines[:20]:  # parser directives come first
        match = _ESCAPE.match(raw.strip())
        if match:
            escape = match.group(1)
            break
        if raw.strip() and not raw.lstrip().startswith("#"):
            break
    variables: dict[str, list[tuple[str, int]]] = {}
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        start = i
        parts = [line.rstrip()]
        while parts[-1].endswith(escape) and i + 1 < len(lines):
            i += 1
            nxt = lines[i]
            if nxt.strip().startswith("#"):
                parts.append(escape)  # a comment inside a continued instruction: dropped
                continue
            parts.append(nxt.rstrip())
        i += 1
        match = _INSTRUCTION.match(parts[0])
        if not match:
            continue
        instruction = match.group(1).upper()
        # The instruction's arguments, lines kept apart so each word keeps its line number.
        body_lines = [parts[0][match.end():]] + parts[1:]
        if escape != "\\":
            body_lines = [p[:-1] + "\\" if p.endswith(escape) else p for p in body_lines]
        body = "\n".join(body_lines)
        view = col.mapped(lambda n, first=start + 1: first + n - 1)
        if instruction in _COMMANDS:
            _command(body, view, variables)
            heredoc = _HEREDOC.search(body) if instruction == "RUN" else None
            if heredoc:
                end = heredoc.group(1)
                first = i
                while i < len(lines) and lines[i].strip() != end:
                    i += 1
                shell.scan_shell_text("\n".join(lines[first:i]), col.mapped(lambda n, f=first + 1: f + n - 1), variables)
                i += 1
        elif instruction in ("ENV", "ARG"):
            _assignments(body, view, variables)


def _command(body: str, col: Collector, variables: dict[str, list[tuple[str, int]]]) -> None:
    text = body.strip()
    if text.startswith("["):
        try:
            words = json.loads(text.replace("\\\n", " "))
        except ValueError:
            words = None
        if isinstance(words, list) and all(isinstance(w, str) for w in words):
            shell.scan_command([(w, col.file_line(1)) for w in words], col, variables)
            return
    shell.scan_shell_text(body, col, variables)


def _assignments(body: str, col: Collector, variables: dict[str, list[tuple[str, int]]]) -> None:
    words = [(w, line) for w, line, op in shell.split_words(body) if not op]  # lines of the instruction
    if not words:
        return
    if "=" not in words[0][0] and len(words) >= 2:  # ENV NAME value (legacy form)
        words = [(f"{words[0][0]}={' '.join(w for w, _ in words[1:])}", words[1][1])]
    for word, line in words:
        shell.scan_assignment_words([word], line, col, variables)
