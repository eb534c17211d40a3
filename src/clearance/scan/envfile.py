"""Model and dataset ids in `.env` files: `MODEL_ID=org/name`, `export HF_DATASET="org/data"`.

The dotenv format as python-dotenv reads it, for the part that matters here: `KEY=value`
lines, an optional `export `, single or double quotes, and ` #` comments after unquoted values.
Values are not expanded; `${VAR:-org/name}` gives its default.
"""

from __future__ import annotations

import re

from clearance.scan import shell
from clearance.scan.collect import Collector

_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*=\s*(.*?)\s*$")


def scan_env(text: str, col: Collector) -> None:
    variables: dict[str, list[tuple[str, int]]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        match = _LINE.match(raw)
        if not match:
            continue
        name, value = match.groups()
        if value[:1] in ("'", '"'):
            end = value.find(value[0], 1)
            value = value[1:end] if end > 0 else value[1:]
        else:
            value = re.split(r"\s+#", value, maxsplit=1)[0].strip()
        shell.scan_assignment_words([f"{name.replace('.', '_').replace('-', '_')}={value}"], number, col, variables)
