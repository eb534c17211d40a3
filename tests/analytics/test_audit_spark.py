"""`hub audit --engine spark` gives DuckDB's audit row for row: on the shared 2025 sample (JSON
Lines), on a small synthetic snapshot (bench/synth_snapshot.py, Parquet) and on the awkward
lineage shapes (cycles, which both engines hand to the exact closure; a missing base; editions).

Spark is the optional extra `clearance[spark]` (and Java 17 or later): without it these tests
skip, saying why. One SparkSession for the module, in one test function (so that pytest-xdist
never starts a second JVM here), tuned for small data as tests/analytics/test_history_spark.py's.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from test_history import write
from test_lineage_shapes import RECORDS

from clearance.analytics.hub import HubAnalysis

pytest.importorskip("sqlglot", reason="the Spark engine needs sqlglot: pip install 'clearance[spark]'")
pytest.importorskip("pyspark", reason="Spark is optional: pip install 'clearance[spark]' (and Java 17+) to run these")
pytestmark = pytest.mark.spark

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "hub-2025-sample.jsonl"
AUDIT = "select * exclude (key, n) from audit order by id"  # `n`: a row number, not the same in two loads


def test_spark_audit_is_duckdbs(spark, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    synthetic = tmp_path / "synthetic.parquet"
    subprocess.run([sys.executable, str(ROOT / "bench" / "synth_snapshot.py"), "--models", "3000", "--seed", "7",
                    "--out", str(synthetic)], check=True, stdout=subprocess.DEVNULL)
    shapes = write(tmp_path / "shapes.jsonl", [{"tags": [], **r} for r in RECORDS])
    for path in (SAMPLE, synthetic, shapes):
        on_duckdb = HubAnalysis([path])
        on_spark = HubAnalysis([path], engine="spark")
        rows = on_duckdb.rows(AUDIT)
        assert len(rows) > 10 and any(r["conflict_pairs"] for r in rows), path
        assert on_spark.rows(AUDIT) == rows, path
        # and the file `hub audit --out` writes
        on_duckdb.write_audit(tmp_path / "duckdb.parquet")
        on_spark.write_audit(tmp_path / "spark.parquet")
        assert on_spark.rows(f"select * from '{tmp_path / 'spark.parquet'}' order by id") \
            == on_duckdb.rows(f"select * from '{tmp_path / 'duckdb.parquet'}' order by id"), path
    assert spark.getActiveSession() is spark  # the audit ran in the module's session and left it running
