"""The periods Hub analytics group models by (`--by`, the server's `by=`): one definition for
the CLI, the server, the SQL and the report's time axis.

Kept apart from `analytics.hub` so that reading it imports no DuckDB (the server's supervisor
process checks `by=` without ever running a query).
"""

from __future__ import annotations

# Each period's length in months, in the order they are offered.
MONTHS = {"month": 1, "quarter": 3, "year": 12}
PERIODS = tuple(MONTHS)
DEFAULT_PERIOD = "quarter"


def period_days(by: str) -> int:
    """A period's length in whole days, about (for widths on a date axis): 30, 91, 365."""
    return round(MONTHS[by] * 365 / 12)
