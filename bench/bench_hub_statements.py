"""Where `hub audit`'s time goes: every DuckDB statement of one audit, timed, in one process.

    flock /tmp/clearance-bench.lock .venv/bin/python bench/bench_hub_statements.py SNAPSHOT [--top 25]

Prints the load (`HubAnalysis`, which loads, resolves, walks and judges) and the write, then the
statements that took longest (wall seconds, the statement's first words) and their sum; the rest
of the time is Python (imports excluded: they happen before the clock starts). Statements are
timed by wrapping the connection `HubAnalysis` opens, so the audit runs exactly as the command
runs it. Use bench/bench_hub.py for the figures against the baseline; this says which step to
work on.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb

from clearance.analytics.hub import HubAnalysis

TIMES: list[tuple[float, str]] = []


class TimedConnection:
    """A DuckDB connection whose `execute` records each statement's wall time."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def execute(self, sql, *args):
        start = time.perf_counter()
        out = self._con.execute(sql, *args)
        TIMES.append((time.perf_counter() - start, " ".join(str(sql).split())[:100]))
        return out

    def __getattr__(self, name):
        return getattr(self._con, name)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("snapshot", type=Path)
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    connect = duckdb.connect
    duckdb.connect = lambda *a, **k: TimedConnection(connect(*a, **k))  # the connection HubAnalysis opens
    try:
        start = time.perf_counter()
        analysis = HubAnalysis([args.snapshot])
        loaded = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            analysis.write_audit(Path(tmp) / "audit.parquet")
        written = time.perf_counter()
    finally:
        duckdb.connect = connect
    print(f"load, walk and judge {loaded - start:.2f} s; write {written - loaded:.2f} s; "
          f"SQL {sum(t for t, _ in TIMES):.2f} s in {len(TIMES)} statements")
    for seconds, sql in sorted(TIMES, reverse=True)[:args.top]:
        print(f"{seconds:7.2f}  {sql}")


if __name__ == "__main__":
    main()
