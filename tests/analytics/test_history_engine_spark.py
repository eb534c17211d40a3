"""The Spark engine under `hub history`: a table it cached is read from the cache by later
statements, including those with a `with` of their own (Spark used to compute again every table
whose own statement had a `with`, and every table built on it: `h_model_combo`, then
`h_conflict`, `h_conflict_new`, `h_conflict_gone`, read again by `h_changed` and the results).
"""

from __future__ import annotations

import duckdb
import pytest

pytest.importorskip("sqlglot", reason="the Spark engine needs sqlglot: pip install 'clearance[spark]'")

from clearance.analytics.engines import inline_ctes, to_spark  # noqa: E402
from clearance.analytics.history import queries  # noqa: E402


def test_the_statements_spark_caches_have_no_with():
    for name, sql in [*queries.COMBINATIONS, *queries.STEPS]:
        out = inline_ctes(to_spark(sql))
        assert " with " not in f" {out.lower()} ", name
    changed = to_spark(dict(queries.STEPS)["h_changed"])
    assert " WITH " in f" {changed} " and inline_ctes(changed) != changed
    # a CTE read twice, by a later CTE and under another name, with column names
    out = inline_ctes(to_spark("with a(x) as (select 1), b as (select x from a) select b.x, z.x from b join a z on true"))
    assert out == ("SELECT b.x, z.x FROM (SELECT x FROM (SELECT 1) AS a(x)) AS b JOIN (SELECT 1) AS z(x) ON TRUE")
    recursive = "WITH RECURSIVE n AS (SELECT 1 AS i UNION ALL SELECT i + 1 FROM n WHERE i < 3) SELECT * FROM n"
    assert inline_ctes(recursive) == recursive


@pytest.mark.spark
def test_spark_engine_cache_and_hand_off(spark, tmp_path):
    """One test function: pytest-xdist then starts one JVM for the module, not one per test."""
    from clearance.analytics.engines import SparkEngine

    con = duckdb.connect()
    con.execute("create table t as select range % 10 as k, range as v from range(100)")
    engine = SparkEngine()  # the session running
    try:
        # take_from_duckdb: a table by its name, a query under a name, as Parquet files in the directory given
        engine.take_from_duckdb(con, {"t": "t", "odd": "select v from t where v % 2 = 1"}, tmp_path)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["odd.parquet", "t.parquet"]
        assert engine.rows("select count(*) as n, sum(v) as s from t") == [{"n": 100, "s": 4950}]
        assert engine.rows("select count(*) as n, min(v) as low from odd") == [{"n": 50, "low": 1}]
        # a cached table whose statement has a CTE, read by a query with a CTE of its own
        engine.create("a", "with g as (select k, sum(v) as s from t group by k) select k, s from g")
        expected = engine.rows("select k, s from a order by k")
        assert len(expected) == 10
        # The input gone, only the cache can answer: a query computing `a` again fails to read t.
        (tmp_path / "t.parquet").unlink()
        assert engine.rows("with x as (select 1 as one) select a.k, a.s from a join x on x.one = 1 order by a.k") == expected
    finally:
        engine.close()
        con.close()
