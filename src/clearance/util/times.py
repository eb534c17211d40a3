"""Times as Clearance reads and stores them: spans such as `24h` or `7d` (a write token's
expiry, the server's recheck interval) and datetimes in UTC."""

from __future__ import annotations

import datetime as dt
import re
from typing import TypeVar

_SPAN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.IGNORECASE)
SPAN_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}  # seconds, minutes, hours, days
_When = TypeVar("_When", dt.datetime, None)


def span_seconds(text: str, unit_required: bool = False) -> float | None:
    """Seconds of a span: a number and a unit, `90s`, `30m`, `24h`, `7d` (any case, spaces
    around), or a plain number of seconds unless `unit_required`. None when `text` is not one
    (a sign, another unit, a date...): the caller says what it expected."""
    m = _SPAN.match(text)
    if m is None or (unit_required and not m.group(2)):
        return None
    return float(m.group(1)) * SPAN_UNITS[m.group(2).lower() or "s"]


def assume_utc(value: _When) -> _When:
    """`value` with UTC as its time zone when it has none (SQLite gives back naive datetimes,
    written in UTC); an aware value or None as it is."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value
