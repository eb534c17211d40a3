"""`hub history` on Apache Spark (local mode) gives DuckDB's answer row for row: on the real
snapshots (Feb 2022 and the 2025 sample as two dated snapshots) and on a synthetic history of
three snapshots with churn (new models, license changes, relabels, deletions).

Spark is the extra `clearance[spark]` (pyspark ~450 MB, and Java 17 or later), which `make
setup` installs beside the test extra, and scripts/system_deps.sh installs Debian's OpenJDK:
without them these tests skip, saying why. Marked `spark` (`pytest -m "not spark"` leaves them out). One SparkSession for the
module, in one test function (so that pytest-xdist never starts a second JVM), tuned for
small data: one core, one shuffle partition, no adaptive re-planning, no code generation, and
the JVM's quick compiler only; the session's start is most of the cost.
"""

from __future__ import annotations

import time

import pytest
from test_history import SAMPLE, churn_records, handmade_records, write

from clearance.analytics.history import TABLES, history

pytestmark = pytest.mark.spark

pytest.importorskip("sqlglot", reason="the Spark engine needs sqlglot: pip install 'clearance[spark]'")
pytest.importorskip("pyspark", reason="Spark is optional: pip install 'clearance[spark]' (and Java 17+) to run these")


def test_spark_gives_duckdbs_rows(spark, shared_data, tmp_path):
    # the synthetic history: the hand-made changes and a random Hub's churn, three snapshots
    synthetic = [write(tmp_path / f"synthetic-{k}.jsonl", hand + random)
                 for k, (hand, random) in enumerate(zip(handmade_records(), churn_records()))]
    cases = {"real": [SAMPLE, shared_data / "hub-2022-02.jsonl"], "synthetic": synthetic}
    for name, paths in cases.items():
        t = time.perf_counter()
        on_spark = history(paths, engine="spark")
        seconds = time.perf_counter() - t
        on_duckdb = history(paths)
        assert on_spark.engine == "spark"
        for table in TABLES:
            rows = on_duckdb.rows(table)
            assert rows or name == "real", (name, table)  # the real pair share one model: no change
            assert on_spark.rows(table) == rows, (name, table)
        print(f"{name}: Spark {seconds:.1f} s")
    assert spark.getActiveSession() is spark  # history() ran in the module's session and left it running
