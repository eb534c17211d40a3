"""Renderers: the tree people read, the JSON contract, DOT and Mermaid; all survive cycles and
very deep chains."""

from __future__ import annotations

import json
import re

import pytest
from memsource import ChainSource, MemorySource, model

from clearance.formats.graph_render import FORMATS, MAX_INDENT, render
from clearance.graph.build import RecordIndex, build_descendants, build_lineage
from clearance.graph.resolve import Resolver


@pytest.fixture()
def graph():
    return build_lineage("me/top", Resolver([MemorySource(
        model("me/top", ("org/chat", "quantized"), ("data/set", "trained_on"), license="mit"),
        model("org/chat", "org/base", license="llama2"),
        model("org/base", license="llama2"),
        model("data/set", license="cc-by-4.0", kind="dataset"),
    )]))


def test_tree_shows_each_ancestor_with_relation_and_licenses(graph):
    assert render(graph, "tree") == (
        "me/top  (license: mit)\n"
        "├── [quantized] org/chat  (license: llama2)\n"
        "│   └── [finetune] org/base  (license: llama2)\n"
        "└── [trained_on] data/set  (dataset; license: cc-by-4.0)\n"
    )


def test_tree_marks_cycles_repeats_and_missing_and_lists_problems():
    g = build_lineage("me/top", Resolver([MemorySource(
        model("me/top", "a/a", "b/b"), model("a/a", "base/x"), model("b/b", "base/x"),
        model("base/x", "me/top", "ghost/y"),
    )]))
    text = render(g, "tree")
    assert "[finetune] me/top  (no license)  ↺ cycle" in text
    assert "[finetune] base/x  (no license)  (shown above)" in text
    assert "[finetune] ghost/y  (not found)" in text
    assert "problems: 1 cycle, 1 missing" in text


def test_json_follows_the_documented_schema(graph):
    doc = json.loads(render(graph, "json"))
    assert doc["schema_version"] == 1 and doc["root"] == "me/top" and doc["direction"] == "ancestors"
    assert doc["nodes"][0] == {"id": "me/top", "kind": "model", "licenses": ["mit"], "resolved": True, "source": "memory"}
    assert {n["id"]: n["kind"] for n in doc["nodes"]}["data/set"] == "dataset"
    assert {"parent": "org/chat", "child": "me/top", "relation": "quantized",
            "evidence": "test record me/top"} in doc["edges"]
    assert all(set(e) == {"parent", "child", "relation", "evidence"} for e in doc["edges"])
    assert doc["problems"] == []


def test_dot_is_well_formed_and_escapes_quotes():
    g = build_lineage("me/top", Resolver([MemorySource(model("me/top", "org/base", license='weird "quoted" \\ license'))]))
    dot = render(g, "dot")
    assert dot.startswith("digraph lineage {") and dot.rstrip().endswith("}")
    assert '"org/base" -> "me/top" [label="finetune"];' in dot
    assert r'weird \"quoted\" \\ license' in dot
    assert "style=dashed" in dot  # org/base was not found
    # every statement line is balanced in quotes
    assert all(line.count('"') % 2 == 0 for line in dot.splitlines())


def test_mermaid_uses_safe_node_names_and_labels(graph):
    text = render(graph, "mermaid")
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    assert '  n0["me/top<br/>license: mit"]' in lines
    assert '  n2[("data/set<br/>license: cc-by-4.0")]' in lines  # a dataset is a cylinder
    assert "  n1 -->|quantized| n0" in lines
    assert all(re.fullmatch(r"  n\d+ -->\|\w+\| n\d+", line) for line in lines if "-->" in line)


def test_descendants_tree_goes_down():
    index = RecordIndex([model("org/base", license="llama2"), model("a/ft", "org/base"), model("b/q", ("a/ft", "quantized"))])
    text = render(build_descendants("org/base", index), "tree")
    assert text.splitlines() == ["org/base  (license: llama2)", "└── [finetune] a/ft  (no license)",
                                 "    └── [quantized] b/q  (no license)"]


def test_a_deep_chain_renders_in_every_format_without_recursion_or_runaway_indent():
    g = build_lineage("chain/m0", Resolver([ChainSource(50_000)]))
    for fmt in FORMATS:
        assert render(g, fmt)
    lines = render(g, "tree").splitlines()
    assert len(lines) == 50_000
    assert max(len(line) for line in lines) < 4 * MAX_INDENT + 80
    assert lines[-1].strip().startswith("└── [depth 49999] [finetune] chain/m49999")


def test_unknown_format_is_a_clear_error(graph):
    with pytest.raises(ValueError, match="unknown graph format 'svg'"):
        render(graph, "svg")
