"""Awkward lineage shapes through the SQL walk: cycles (which the level-by-level walk cannot
settle and hands to the exact closure), a self-reference, a merge, a missing base. SQL says
what the engine says, and a model on a cycle inherits from the rest of the cycle, not from itself."""

from __future__ import annotations

import pytest
from test_history import write

from clearance.analytics.hub import HubAnalysis
from clearance.usecases.check import check

RECORDS = [
    {"id": "cyc/a", "cardData": {"license": "mit", "base_model": "cyc/b"}},
    {"id": "cyc/b", "cardData": {"license": "llama2", "base_model": "cyc/a"}},
    {"id": "cyc/c", "cardData": {"license": "apache-2.0", "base_model": "cyc/b"}},
    {"id": "cyc/d", "cardData": {"license": "apache-2.0", "base_model": ["cyc/c", "root/x"]}},
    {"id": "root/x", "cardData": {"license": "gemma"}},
    {"id": "root/y", "cardData": {"license": "mit", "base_model": ["root/x", "gone/z"]}},
    {"id": "root/z", "cardData": {"license": "mit", "base_model": "root/y"}},
    {"id": "cyc/self", "cardData": {"license": "apache-2.0", "base_model": "cyc/self"}},
    # the relabelling rule, no-derivatives licenses, quantizations and editions
    {"id": "nd/base", "cardData": {"license": "cc-by-nd-4.0"}},
    {"id": "nd/ft", "cardData": {"license": "cc-by-nd-4.0", "base_model": "nd/base"}},
    {"id": "nd/q", "cardData": {"license": "cc-by-nd-4.0", "base_model": "nd/base", "base_model_relation": "quantized"}},
    {"id": "nd/q-mit", "cardData": {"license": "mit", "base_model": "nd/base", "base_model_relation": "quantized"}},
    {"id": "rl/stacked", "cardData": {"license": ["mit", "gemma"], "base_model": "root/x"}},
    {"id": "rl/openrail", "cardData": {"license": "openrail", "base_model": "root/x"}},
    {"id": "rl/q-other", "cardData": {"license": "other", "base_model": "root/x", "base_model_relation": "quantized"}},
    {"id": "rl/ft-other", "cardData": {"license": "other", "base_model": "root/x"}},
    {"id": "sa/base", "cardData": {"license": "cc-by-sa-4.0"}},
    {"id": "sa/gpl", "cardData": {"license": "gpl-3.0", "base_model": "sa/base"}},
    {"id": "ed/old", "createdAt": "2024-03-01T00:00:00.000Z", "cardData": {"license": "gemma"}},
    {"id": "ed/new", "createdAt": "2025-06-01T00:00:00.000Z", "cardData": {"license": "gemma", "base_model": "ed/old"}},
]


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    path = write(tmp_path_factory.mktemp("shapes") / "shapes.jsonl", [{"tags": [], **r} for r in RECORDS])
    mp = pytest.MonkeyPatch()
    mp.setenv("HF_HUB_OFFLINE", "1")
    mp.setenv("HF_HUB_CACHE", str(tmp_path_factory.mktemp("hf-cache")))
    try:
        hub = HubAnalysis([path])
        rows = {r[0]: r for r in hub.con.execute(
            "select id, verdict, conflict_pairs, inherited_licenses, findings from audit").fetchall()}
        run = check(list(rows), ["commercial"], snapshots=[path], offline=True)
    finally:
        mp.undo()
    return rows, {o.result.subject: o.result for o in run.outcomes}


def test_verdicts_and_conflicts_are_the_engines(both):
    sql, engine = both
    assert set(sql) == set(engine) == {r["id"] for r in RECORDS}
    assert {m: (sql[m][1], r.verdict) for m, r in engine.items() if sql[m][1] != r.verdict} == {}
    conflicted = {m for m, r in engine.items() if any(f.name == "license-conflict" and f.artifact == m for f in r.findings)}
    assert {m for m, row in sql.items() if row[2]} == conflicted


def test_the_relabelling_rule_in_both(both):
    sql, engine = both
    flagged = {m for m, row in sql.items() if row[2]}
    assert {"nd/ft", "nd/q-mit", "rl/openrail"} <= flagged
    assert not flagged & {"nd/q", "rl/stacked", "sa/gpl", "ed/new", "rl/q-other"}
    assert sql["rl/q-other"][1] == "conditional" and sql["rl/ft-other"][1] == "unknown"
    # each model binds in the Gemma edition in force when it was created
    assert engine["ed/new"].declared_licenses == ("gemma",) and engine["ed/new"].inherited_licenses == ("gemma-tou-2024-02-21",)
    assert sql["ed/new"][3] == ["gemma-tou-2024-02-21"]


def test_what_each_shape_inherits(both):
    sql, _ = both
    inherited = {m: row[3] for m, row in sql.items()}
    assert inherited["cyc/a"] == ["llama2"] and inherited["cyc/b"] == ["mit"]  # not themselves
    assert inherited["cyc/c"] == ["llama2", "mit"]
    assert inherited["cyc/d"] == ["apache-2.0", "gemma", "llama2", "mit"]
    assert inherited["root/z"] == ["gemma", "mit"] and "unresolved-ancestor" in sql["root/z"][4]
    assert inherited["cyc/self"] == [] and sql["cyc/self"][1] == "cleared"
