"""A linear pre-parse check of policy TOML that a request sends, before tomllib sees it.

Why: tomllib's cost is not linear in its input. A dotted key of k segments (`a.a.a…`) keeps
every prefix of the key (k tuples of up to k items) until the next table header, so one key of
a 40 KB line took 5 s and 1.5 GB, and 400 KB would take 100 times that; nested arrays or inline
tables recurse once per level (a RecursionError past ~1,000). The server parses policy text from
anyone (`POST /api/v1/policies/validate` needs no token), so it refuses such text first.

What is counted, in one pass over the special characters only (strings and comments are
skipped as TOML defines them, so a dot or bracket inside a string or a comment never counts):

- dots outside strings and comments, per line and in the whole text. A dotted key (or table
  header) sits on one line, so a key of k segments puts k-1 dots on its line: capping dots per
  line caps every key's segments, and capping them in the whole text caps what all keys can
  hold together (a few MB at worst). Floats and times outside strings use a dot or two each.
- open `[` and `{` outside strings and comments: the nesting depth of arrays and inline tables.

A real clearance.toml has at most a few dotted keys of two or three segments and nests three
levels ([[exceptions]] → uses = [...]); the limits below are far above that and far below
what costs anything. The check stops at the first limit it passes, so hostile text is refused
after reading only as much of it as it takes to exceed the limit.
"""

from __future__ import annotations

import re

from clearance.util.errors import ClearanceError

MAX_DOTS_PER_LINE = 32  # segments of one dotted key (or table header) - 1, plus floats on its line
MAX_DOTS = 4096  # in the whole text
MAX_DEPTH = 32  # nested arrays and inline tables

_SPECIAL = re.compile(r"""[\n.\[\]{}"'#]""")
# the rest of a basic string, after its opening quote (escapes skip the next character)
_BASIC_REST = re.compile(r'(?:[^"\\\n]+|\\.)*"')
# the rest of a multi-line basic string, after its opening """ (a closing """ may be preceded
# by up to two more quotes that belong to the text, as tomllib reads it)
_ML_BASIC_REST = re.compile(r'(?:[^"\\]+|\\.|"(?!""))*"""', re.DOTALL)


class TooComplex(ClearanceError, ValueError):
    """The text would cost the TOML parser more than any policy needs: the message says why."""


def check(text: str) -> None:
    """Raise TooComplex when `text` has a key of too many dotted segments, too many dots
    outside strings, or arrays / inline tables nested too deep. Linear in len(text)."""
    if text.count(".") <= MAX_DOTS_PER_LINE and text.count("[") + text.count("{") <= MAX_DEPTH:
        return  # nothing to count: fewer of them in the whole text than the limits allow
    line_dots = dots = depth = 0
    line = 1
    pos, end = 0, len(text)
    while pos < end:
        m = _SPECIAL.search(text, pos)
        if m is None:
            return
        i = m.start()
        ch = text[i]
        pos = i + 1
        if ch == "\n":
            line += 1
            line_dots = 0
        elif ch == ".":
            line_dots += 1
            dots += 1
            if line_dots > MAX_DOTS_PER_LINE:
                raise TooComplex(f"line {line}: a key of more than {MAX_DOTS_PER_LINE + 1} dotted parts "
                                 f"(more than {MAX_DOTS_PER_LINE} dots outside strings on one line)")
            if dots > MAX_DOTS:
                raise TooComplex(f"more than {MAX_DOTS} dots outside strings (dotted keys, floats)")
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise TooComplex(f"line {line}: arrays or inline tables nested more than {MAX_DEPTH} deep")
        elif ch in "]}":
            depth = max(0, depth - 1)
        elif ch == "#":
            nl = text.find("\n", pos)
            pos = end if nl < 0 else nl  # the newline itself is counted next
        elif text.startswith(ch * 3, i):  # a multi-line string: skip to its end
            pos = _skip_multiline(text, i + 3, ch)
            line += text.count("\n", i, pos)
        elif ch == '"':
            found = _BASIC_REST.match(text, pos)
            pos = found.end() if found else _line_end(text, pos)  # unterminated: tomllib stops there
        else:  # a literal string: no escapes
            close = text.find("'", pos)
            nl = text.find("\n", pos)
            pos = close + 1 if close >= 0 and (nl < 0 or close < nl) else _line_end(text, pos)


def _skip_multiline(text: str, start: int, quote: str) -> int:
    if quote == '"':
        found = _ML_BASIC_REST.match(text, start)
        stop = found.end() if found else len(text)
    else:
        close = text.find("'''", start)
        stop = close + 3 if close >= 0 else len(text)
    for _ in range(2):  # up to two quotes right before the closing delimiter are content
        if stop < len(text) and text[stop] == quote:
            stop += 1
    return stop


def _line_end(text: str, pos: int) -> int:
    nl = text.find("\n", pos)
    return len(text) if nl < 0 else nl
