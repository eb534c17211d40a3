"""A trainer's placeholder dataset name is not training data: no edge, in the graph or in SQL."""

from __future__ import annotations

import json

import duckdb

from clearance.analytics import tables
from clearance.sources.metadata import Collected, read_card, read_tags


def test_generator_is_no_dataset_but_real_datasets_stay():
    out = Collected("me/model")
    read_card(out, {"datasets": ["generator", "tatsu-lab/alpaca"]}, "README.md")
    read_tags(out, ["dataset:generator", "dataset:tatsu-lab/alpaca"], "tags")
    edges = out.record("test").edges
    assert [e.parent for e in edges if e.relation == "trained_on"] == ["tatsu-lab/alpaca"]


def test_sql_drops_it_too(tmp_path):
    snap = tmp_path / "s.jsonl"
    snap.write_text(json.dumps({"id": "me/model", "tags": ["dataset:generator", "dataset:tatsu-lab/alpaca"],
                                "cardData": {"datasets": ["generator", "tatsu-lab/alpaca"]}}) + "\n")
    con = duckdb.connect()
    tables.load(con, [snap])
    assert con.execute("select parent from edges where relation = 'trained_on'").fetchall() == [("tatsu-lab/alpaca",)]
