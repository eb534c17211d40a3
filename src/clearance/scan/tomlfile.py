"""Model and dataset ids in TOML files, with the line of each value.

`tomllib` validates the file (and gives the line of an error) but keeps no positions, so the
values of a valid file are found again here, line by line: table headers (`[model]`,
`[[datasets]]`) set the context, `key = value` lines give values, and a value's strings, arrays
and inline tables (over several lines too) are tokenised with a small stack, the same walk as
JSON's. Multi-line strings are skipped whole.
"""

from __future__ import annotations

import re
import tomllib

from clearance.scan.collect import Collector
from clearance.scan.structured import Context, could_hold_ids

_KEY = r"(?:[A-Za-z0-9_\-]+|\"[^\"\n]*\"|'[^'\n]*')"
_HEADER = re.compile(rf"^\s*\[\[?\s*({_KEY}(?:\s*\.\s*{_KEY})*)\s*\]\]?\s*(?:#.*)?$")
_KEY_VALUE = re.compile(rf"^\s*({_KEY}(?:\s*\.\s*{_KEY})*)\s*=\s*(.*)$")
# In a value: a string, a `key =` of an inline table, a bracket, a comment.
_VALUE_TOKEN = re.compile(rf"\"((?:[^\"\\\n]|\\.)*)\"|'([^'\n]*)'|({_KEY})\s*=|([\[\]{{}}])|(#.*)$")
_ERROR_LINE = re.compile(r"at line (\d+)")


def scan_toml(text: str, col: Collector) -> None:
    if not could_hold_ids(text):
        return
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _ERROR_LINE.search(str(exc))
        col.warn(int(found.group(1)) if found else None, f"not valid TOML ({str(exc).split(' (at ')[0]}): not scanned")
        return
    except (ValueError, RecursionError, MemoryError) as exc:
        col.warn(None, f"not valid TOML ({type(exc).__name__}): not scanned")
        return
    ctx = Context(col, "config key")
    table_ctx: str | None = None
    table_key: str | None = None  # the last part of the table's name
    stack: list[list] = []  # open arrays / inline tables of a value: [is_table, key, context, pending key]
    multiline: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        if multiline:
            if multiline in raw:
                multiline = None
            continue
        if stack:
            _value(raw, number, stack, ctx)
            if len(stack) == 1:
                stack.clear()
            continue
        header = _HEADER.match(raw)
        if header:
            table_ctx, table_key = None, None
            for part in _dotted(header.group(1)):
                table_ctx, table_key = ctx.child_context(part, table_ctx), part
            continue
        match = _KEY_VALUE.match(raw)
        if not match:
            continue
        value = match.group(2)
        if value.startswith(('"""', "'''")):
            if value.count(value[:3]) == 1:
                multiline = value[:3]
            continue
        keys = _dotted(match.group(1))
        inherited, parent = table_ctx, table_key
        for part in keys[:-1]:
            ctx.key(part, inherited, number, parent)
            inherited, parent = ctx.child_context(part, inherited), part
        ctx.key(keys[-1], inherited, number, parent)
        stack.append([True, None, inherited, keys[-1]])  # the line's own key, as a one-key table
        _value(value, number, stack, ctx)
        if len(stack) == 1:
            stack.clear()


def _value(text: str, line: int, stack: list[list], ctx: Context) -> None:
    for match in _VALUE_TOKEN.finditer(text):
        if match.group(5) is not None:
            break  # a comment
        bracket = match.group(4)
        if bracket:
            if bracket in "[{":
                top = stack[-1]
                key = top[3] if top[0] else top[1]
                stack.append([bracket == "{", key, ctx.child_context(key, top[2]), None])
            elif len(stack) > 1:
                stack.pop()
            continue
        if match.group(3) is not None:
            stack[-1][3] = _dotted(match.group(3))[-1]
            if stack[-1][0]:
                ctx.key(stack[-1][3], stack[-1][2], line, stack[-1][1])
            continue
        value = match.group(2) if match.group(2) is not None else _unescape(match.group(1))
        top = stack[-1]
        key = top[3] if top[0] else top[1]
        ctx.value(key, top[2], value, line)


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    try:
        return tomllib.loads(f'v = "{text}"')["v"]
    except tomllib.TOMLDecodeError:
        return text


def _dotted(text: str) -> list[str]:
    return [p.strip().strip("\"'") for p in re.findall(r"\"[^\"]*\"|'[^']*'|[^.]+", text) if p.strip()]
