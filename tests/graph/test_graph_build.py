"""Walking lineage: ancestors through ordered sources, descendants within records, and every
awkward shape (cycles, self-references, missing ancestors, a million levels) kept and reported."""

from __future__ import annotations

import sys

import pytest
from memsource import ChainSource, MemorySource, model

from clearance.graph.build import (
    RecordIndex,
    build_all,
    build_descendants,
    build_lineage,
)
from clearance.graph.resolve import Resolver
from clearance.sources.interface import LookupFailed, Source, SourceError


def walk(*records, target="me/top", depth=None):
    return build_lineage(target, Resolver([MemorySource(*records)]), depth)


def test_walks_every_ancestor_with_typed_edges_and_datasets():
    g = walk(
        model("me/top", ("org/chat", "quantized"), ("data/set", "trained_on"), license="mit"),
        model("org/chat", "org/base", license="llama2"),
        model("org/base", license="llama2"),
        model("data/set", license="cc-by-4.0", kind="dataset"),
    )
    assert g.root == "me/top" and next(iter(g.nodes)) == "me/top"
    assert {(e.parent, e.child, e.relation) for e in g.edges} == {
        ("org/chat", "me/top", "quantized"), ("data/set", "me/top", "trained_on"), ("org/base", "org/chat", "finetune")}
    assert g.artifact("data/set").kind == "dataset"
    assert g.problems == ()
    assert [e.parent for e in g.parents("me/top")] == ["org/chat", "data/set"]
    assert [e.child for e in g.children("org/base")] == ["org/chat"]


def test_ids_match_case_insensitively_and_the_artifact_spelling_wins():
    g = walk(model("me/top", "ORG/Base"), model("org/base", license="apache-2.0"))
    assert list(g.nodes) == ["me/top", "org/base"]
    assert g.edges[0].parent == "org/base"
    assert g.artifact("ORG/BASE").id == "org/base"


def test_missing_ancestor_is_a_node_and_a_problem():
    g = walk(model("me/top", "ghost/model"))
    ghost = g.artifact("ghost/model")
    assert ghost is not None and not ghost.resolved
    (p,) = g.problems_of("missing")
    assert p.artifact == "ghost/model" and "memory" in p.message


def test_unknown_target_is_reported_not_raised():
    g = walk(target="nobody/knows")
    assert not g.artifact("nobody/knows").resolved and g.problems_of("missing")


def test_invalid_target_is_a_source_error():
    with pytest.raises(SourceError, match="neither an existing path nor a Hub id"):
        walk(target="not a model id")


def test_self_reference_is_kept_and_reported():
    g = walk(model("me/top", "me/top", "org/base"), model("org/base"))
    assert ("me/top", "me/top") in {(e.parent, e.child) for e in g.edges}
    (p,) = g.problems_of("self_reference")
    assert p.artifact == "me/top"
    assert not g.problems_of("cycle")


def test_cycles_are_kept_and_reported_once():
    g = walk(model("me/top", "a/a"), model("a/a", "b/b"), model("b/b", "a/a"))
    assert {(e.parent, e.child) for e in g.edges} == {("a/a", "me/top"), ("b/b", "a/a"), ("a/a", "b/b")}
    (p,) = g.problems_of("cycle")
    assert "a/a → b/b → a/a" in p.message


def test_a_diamond_is_not_a_cycle():
    g = walk(model("me/top", "a/a", "b/b"), model("a/a", "base/x"), model("b/b", "base/x"), model("base/x"))
    assert not g.problems and len(g.nodes) == 4 and len(g.edges) == 4


def test_depth_bounds_the_walk_and_says_so():
    g = walk(model("me/top", "a/a"), model("a/a", "b/b"), model("b/b", "c/c"), model("c/c"), depth=1)
    assert set(g.nodes) == {"me/top", "a/a"}
    (p,) = g.problems_of("depth_limit")
    assert p.artifact == "a/a" and "depth 1" in p.message
    assert set(walk(model("me/top", "a/a"), depth=0).nodes) == {"me/top"}


def test_resolution_order_first_source_wins_and_failures_are_reported():
    class Broken(Source):
        name = "broken"

        def lookup(self, ref):
            raise LookupFailed(f"{ref.id}: the Hub answered HTTP 500")

    first = MemorySource(model("me/top", "org/base", license="first"))
    second = MemorySource(model("me/top", license="second"), model("org/base", license="base"))
    g = build_lineage("me/top", Resolver([Broken(), first, second]))
    assert g.artifact("me/top").licenses[0].value == "first"
    assert g.artifact("org/base").licenses[0].value == "base"
    failed = g.problems_of("lookup_failed")
    assert len(failed) == 2 and "HTTP 500" in failed[0].message


def test_each_reference_is_looked_up_once():
    src = MemorySource(model("me/top", "a/a", "b/b"), model("a/a", "base/x"), model("b/b", "BASE/X"), model("base/x"))
    build_lineage("me/top", Resolver([src]))
    assert src.lookups == 4


def test_a_dataset_sharing_an_id_with_a_model_gets_its_url_form():
    g = walk(model("me/top", "org/thing", ("org/thing", "trained_on")), model("org/thing"),
             model("org/thing", kind="dataset"))
    assert set(g.nodes) == {"me/top", "org/thing", "datasets/org/thing"}
    assert g.artifact("datasets/org/thing").kind == "dataset"


def test_a_million_level_chain_builds_without_recursion():
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # anything recursive would fail at once
    try:
        g = build_lineage("chain/m0", Resolver([ChainSource(1_000_000)]))
    finally:
        sys.setrecursionlimit(limit)
    assert len(g.nodes) == 1_000_000 and len(g.edges) == 999_999
    assert g.artifact("chain/m999999").licenses[0].value == "apache-2.0"
    assert g.problems == ()


def test_a_long_cycle_is_found_without_recursion():
    g = build_lineage("chain/m0", Resolver([ChainSource(100_000, loop=True)]))
    (p,) = g.problems_of("cycle")
    assert "chain/m0" in p.message and "more" in p.message  # a long loop is shown by its ends


def test_descendants_and_whole_graph_within_records():
    index = RecordIndex([
        model("org/base"), model("a/ft", "org/base"), model("b/gguf", ("A/FT", "quantized")),
        model("c/other", "elsewhere/x"), model("org/base", license="a later duplicate is ignored"),
    ])
    d = build_descendants("org/base", index)
    assert d.direction == "descendants" and list(d.nodes) == ["org/base", "a/ft", "b/gguf"]
    assert d.artifact("org/base").licenses == ()
    assert build_descendants("org/base", index, depth=1).problems_of("depth_limit")
    whole = build_all(index)
    assert whole.root is None and len(whole.nodes) == 5 and not whole.artifact("elsewhere/x").resolved
    missing = build_descendants("nobody/x", index)
    assert missing.problems_of("missing")
