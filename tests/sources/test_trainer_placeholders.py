"""A trainer's placeholder dataset name is not training data: no edge in the graph. (The Hub
analytics' SQL reads no dataset tag: `tables.load` draws only edges between weights.)"""

from __future__ import annotations

from clearance.sources.metadata import Collected, read_card, read_tags


def test_generator_is_no_dataset_but_real_datasets_stay():
    out = Collected("me/model")
    read_card(out, {"datasets": ["generator", "tatsu-lab/alpaca"]}, "README.md")
    read_tags(out, ["dataset:generator", "dataset:tatsu-lab/alpaca"], "tags")
    edges = out.record("test").edges
    assert [e.parent for e in edges if e.relation == "trained_on"] == ["tatsu-lab/alpaca"]

