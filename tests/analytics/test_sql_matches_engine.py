"""The set-based SQL of `clearance hub` must say what the engine says, model by model.

Hub analytics reimplement lineage and propagation in DuckDB for scale; these tests hold the
two implementations to one answer on the real snapshots: the same typed edges between weights as
the graph builder, and on the 2025 sample the same commercial verdict and the same conflicts as
`clearance check` for every model.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from clearance.analytics import tables
from clearance.analytics.hub import HubAnalysis
from clearance.sources.snapshot import SnapshotSource
from clearance.usecases.check import check

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "hub-2025-sample.jsonl"


def _sql_edges(path: Path) -> dict[tuple[str, str], str]:
    con = duckdb.connect()
    tables.load(con, [path])
    return {(c, p): r for c, p, r in con.execute("select child, parent, relation from edges").fetchall()}


def _graph_edges(path: Path) -> dict[tuple[str, str], str]:
    """The graph builder's edges between weights: its `trained_on` edges (dataset tags) are no
    lineage any analytic walks, and the SQL does not read them."""
    return {(r.artifact.id.lower(), e.parent.lower()): e.relation for r in SnapshotSource(path).records() for e in r.edges
            if e.relation != "trained_on"}


def test_sql_edges_are_the_graph_builders_edges():
    # (The 2022 snapshot predates base_model tags: its only edges are dataset tags.)
    sql, graph = _sql_edges(SAMPLE), _graph_edges(SAMPLE)
    assert len(sql) > 1500
    assert {k: v for k, v in sql.items() if graph.get(k) != v} == {}
    assert set(graph) == set(sql)


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("HF_HUB_OFFLINE", "1")
    mp.setenv("HF_HUB_CACHE", str(tmp_path_factory.mktemp("hf-cache")))
    try:
        hub = HubAnalysis([SAMPLE])
        rows = hub.con.execute("select id, verdict, conflict_pairs from audit").fetchall()
        run = check([r[0] for r in rows], ["commercial"], snapshots=[SAMPLE], offline=True)
    finally:
        mp.undo()
    return {r[0]: r for r in rows}, {o.result.subject: o.result for o in run.outcomes}


def test_sql_audit_gives_the_engines_verdict_for_every_model(both):
    sql, engine = both
    assert len(sql) == len(engine) > 1500
    assert {m: (sql[m][1], r.verdict) for m, r in engine.items() if sql[m][1] != r.verdict} == {}


def test_sql_conflicts_are_the_engines_conflicts(both):
    sql, engine = both
    flagged_sql = {m for m, row in sql.items() if row[2]}
    flagged_engine = {m for m, r in engine.items() if any(f.name == "license-conflict" and f.artifact == m for f in r.findings)}
    assert flagged_sql == flagged_engine and len(flagged_engine) > 100
