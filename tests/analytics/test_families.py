"""`hub families`: per lineage root, its derivatives by relation and their downloads, counted
once each, on a handmade Hub whose answer is worked out by hand below, and on the real 2025
sample against the graph builder's edges."""

from __future__ import annotations

from collections import defaultdict

import pytest
from test_history import SAMPLE, write

from clearance.analytics.hub import HubAnalysis
from clearance.sources.snapshot import SnapshotSource

RECORDS = [
    # a root declaring two licenses (a tag and a card that disagree): it stays one family
    {"id": "base/two", "downloads": 100, "tags": ["license:mit"], "cardData": {"license": "apache-2.0"}},
    {"id": "ft/one", "downloads": 10, "tags": ["base_model:base/two"], "cardData": {"license": "mit"}},
    {"id": "ft/one-q", "downloads": 5, "tags": ["base_model:quantized:ft/one"], "cardData": {"license": "mit"}},
    {"id": "ad/one", "downloads": 3, "tags": ["base_model:adapter:base/two"], "cardData": {"license": "mit"}},
    {"id": "other/root", "downloads": 50, "cardData": {"license": "gemma"}},
    {"id": "mg/both", "downloads": 7, "cardData": {"license": "mit", "base_model": ["base/two", "other/root"]}},
]


@pytest.fixture(scope="module")
def families(tmp_path_factory):
    path = write(tmp_path_factory.mktemp("families") / "hub.jsonl", [{"tags": [], **r} for r in RECORDS])
    return {r["root"]: r for r in HubAnalysis([path]).families()}


def test_each_derivative_is_counted_once_with_its_downloads(families):
    two = families["base/two"]
    # ft/one (fine-tune), ft/one-q (a quantization of it), ad/one (adapter), mg/both (merge)
    assert (two["derivatives"], two["finetunes"], two["quantized"], two["adapters"], two["merges"]) == (4, 1, 1, 1, 1)
    # 10 + 5 + 3 + 7, not doubled by the root's two licenses
    assert (two["root_downloads"], two["derivative_downloads"]) == (100, 25)
    assert two["root_license"] == "apache-2.0" and two["root_category"] == "permissive"
    other = families["other/root"]
    assert (other["derivatives"], other["merges"], other["derivative_downloads"]) == (1, 1, 7)
    assert (other["root_license"], set(families)) == ("gemma", {"base/two", "other/root"})


def test_family_sizes_on_the_real_sample_are_the_graph_builders(sample_families):
    sql, graph = sample_families
    assert len(graph) >= 10 and sum(map(len, graph.values())) > 1000
    assert {root: r["derivatives"] for root, r in sql.items()} == {root: len(d) for root, d in graph.items()}
    # fewer than 50 families: `hub families` lists them all
    assert set(sql) == set(graph)


@pytest.fixture(scope="module")
def sample_families():
    sql = {r["root"]: r for r in HubAnalysis([SAMPLE]).families(top=50)}
    # The graph builder's weight edges, walked up to their roots by hand.
    parents: dict[str, set[str]] = defaultdict(set)
    for rec in SnapshotSource(SAMPLE).records():
        for e in rec.edges:
            if e.relation != "trained_on" and e.parent.lower() != rec.artifact.id.lower():
                parents[rec.artifact.id.lower()].add(e.parent.lower())
    ids = {rec.artifact.id.lower(): rec.artifact.id for rec in SnapshotSource(SAMPLE).records()}
    families: dict[str, set[str]] = defaultdict(set)
    for child in parents:
        seen, todo = set(), [child]
        while todo:
            for p in parents.get(todo.pop(), ()):
                if p not in seen:
                    seen.add(p)
                    todo.append(p)
        for root in seen:
            if root not in parents and root in ids:  # a root that is a model of the sample
                families[ids[root]].add(child)
    return sql, families
