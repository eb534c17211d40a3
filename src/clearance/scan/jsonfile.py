"""Model and dataset ids in JSON files, with the line of each value.

The standard library's `json` says whether a file is valid (in C, fast) but not where a value
sits, so a file that may hold an id — one that mentions a model/dataset key or a Hub URL at
all — is tokenised once more here, with a regular expression, keeping a stack of containers
and the key of each value (the same walk as YAML's, in `structured.py`). Both passes are
iterative: nesting depth costs no recursion.
"""

from __future__ import annotations

import json
import re
from typing import Any

from clearance.scan.collect import Collector
from clearance.scan.hubid import mentions_url
from clearance.scan.keys import key_kind
from clearance.scan.structured import Context, could_hold_ids

_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')
_KEY = re.compile(r'"([^"\\\n]{1,100})"\s*:')


def has_id_keys(text: str) -> bool:
    """Does a JSON text have an object key that holds ids, or a Hub URL? (One regex pass.)"""
    if mentions_url(text):
        return True
    return any(key_kind(k) for k in set(_KEY.findall(text)))


INVALID = object()  # what `load_json` returns for a text that is not JSON


def load_json(text: str, col: Collector) -> Any:
    """The parsed document, or INVALID (with a warning naming the line at fault)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        col.warn(exc.lineno, f"not valid JSON ({exc.msg}): not scanned")
    except (ValueError, RecursionError, MemoryError) as exc:
        col.warn(None, f"not valid JSON ({'nested too deeply' if isinstance(exc, RecursionError) else exc}): not scanned")
    return INVALID


def scan_json(text: str, col: Collector) -> None:
    if not could_hold_ids(text) or not has_id_keys(text) or load_json(text, col) is INVALID:
        return
    for _ in strings(text, Context(col, "config key")):
        pass


def strings(text: str, ctx: Context | None = None):
    """Every string value of a valid JSON text as (key, context kind, value, line, depth); with
    `ctx`, each is also handed to it. Keys are the nearest enclosing object key (for array items,
    the array's key); depth counts the containers around the value."""
    # stack entries: [is_object, key of this container, context kind, expecting key, current key]
    stack: list[list] = []
    line, last = 1, 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        if first == "{" or first == "[":
            if stack:
                top = stack[-1]
                key = top[4] if top[0] else top[1]
                inherited = ctx.child_context(key, top[2]) if ctx else None
            else:
                key, inherited = None, None
            stack.append([first == "{", key, inherited, first == "{", None])
        elif first == "}" or first == "]":
            if stack:
                stack.pop()
        elif first == ":":
            if stack:
                stack[-1][3] = False
        elif first == ",":
            if stack and stack[-1][0]:
                stack[-1][3] = True
        elif first == '"':
            if not stack:
                continue
            top = stack[-1]
            value = token[1:-1] if "\\" not in token else json.loads(token)
            start = match.start()
            line += text.count("\n", last, start)
            last = start
            if top[0] and top[3]:
                top[4] = value
                if ctx is not None and top[2]:
                    ctx.key(value, top[2], line, top[1])
                continue
            key = top[4] if top[0] else top[1]
            if ctx is not None:
                ctx.value(key, top[2], value, line)
            yield key, top[2], value, line, len(stack)
