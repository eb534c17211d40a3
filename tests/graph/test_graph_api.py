"""The call the CLI makes: graph_for(...) and render(...), on the real shared snapshots and on
the errors a user can make."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from clearance.formats.graph_render import render
from clearance.graph.build import RecordIndex, build_all
from clearance.sources.interface import SourceError
from clearance.sources.snapshot import SnapshotSource
from clearance.usecases.lineage import graph_for

SLICE = Path(__file__).resolve().parents[1] / "fixtures" / "snapshots" / "llama-gemma-slice.jsonl"


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """No Hub, an empty HF cache and Clearance cache: only what the test gives is found."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-hf-cache"))
    monkeypatch.setenv("CLEARANCE_CACHE_DIR", str(tmp_path / "clearance-cache"))


def test_ancestors_from_a_snapshot_offline():
    g = graph_for("thebloke/llama-2-7b-chat-ggml", snapshots=[SLICE], offline=True)
    assert g.root == "TheBloke/Llama-2-7B-Chat-GGML"
    assert [(e.parent, e.relation) for e in g.edges] == [("meta-llama/Llama-2-7b-chat-hf", "quantized")]
    doc = json.loads(render(g, "json"))
    assert [n["id"] for n in doc["nodes"]] == ["TheBloke/Llama-2-7B-Chat-GGML", "meta-llama/Llama-2-7b-chat-hf"]
    assert doc["nodes"][1]["licenses"] == ["llama2"] and doc["nodes"][1]["source"] == "snapshot:llama-gemma-slice.jsonl:5"


def test_snapshots_are_tried_in_the_order_given(tmp_path):
    override = tmp_path / "override.jsonl"
    override.write_text(json.dumps({"type": "model", "id": "meta-llama/Llama-2-7b-chat-hf", "tags": ["license:llama2-override"]}) + "\n")
    g = graph_for("TheBloke/Llama-2-7B-Chat-GGML", snapshots=[SLICE, override], offline=True)
    assert g.artifact("meta-llama/Llama-2-7b-chat-hf").source.startswith("snapshot:llama-gemma-slice")
    g = graph_for("TheBloke/Llama-2-7B-Chat-GGML", snapshots=[override, SLICE], offline=True)
    assert g.artifact("meta-llama/Llama-2-7b-chat-hf").licenses[0].value == "llama2-override"


def test_bad_snapshot_lines_become_problems(tmp_path):
    snap = tmp_path / "s.jsonl"
    snap.write_text(SLICE.read_text() + "{broken\n")
    g = graph_for("google/gemma-7b", snapshots=[snap], offline=True)
    (p,) = g.problems_of("warning")
    assert p.artifact == str(snap) and f"{snap}:9: not valid JSON" in p.message


def test_descendants_within_snapshots_and_depth():
    g = graph_for("meta-llama/Llama-2-7b-chat-hf", snapshots=[SLICE], descendants=True)
    assert g.direction == "descendants"
    assert render(g, "tree").splitlines()[:4] == [
        "meta-llama/Llama-2-7b-chat-hf  (license: llama2)",
        "└── [quantized] TheBloke/Llama-2-7B-Chat-GGML  (license: other)",
        "    ├── [quantized] ThisIs-Developer/Llama-2-GGML-Medical-Chatbot  (license: mit)",
        "    └── [finetune] nik-55/youtube-question-answer  (no license)",
    ]
    assert len(graph_for("meta-llama/Llama-2-7b-chat-hf", snapshots=[SLICE], descendants=True, depth=1).nodes) == 2


def test_a_local_folder_target(tmp_path):
    (tmp_path / "README.md").write_text("---\nlicense: mit\nbase_model: google/gemma-7b\n---\n")
    g = graph_for(str(tmp_path), snapshots=[SLICE], offline=True)
    assert g.root == str(tmp_path) and [e.parent for e in g.edges] == ["google/gemma-7b"]
    assert g.artifact("google/gemma-7b").resolved


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"target": "not a model"}, "neither an existing path nor a Hub id"),
        ({"target": "a/b", "snapshots": ["/nonexistent/snap.jsonl"]}, "no such snapshot file"),
        ({"target": "a/b", "descendants": True}, "give at least one --snapshot"),
        ({"target": "a/b", "depth": -1}, "--depth must be 0 or more"),
    ],
)
def test_user_errors_are_source_errors_with_a_message(kwargs, message):
    with pytest.raises(SourceError, match=message):
        graph_for(**kwargs)


def test_lineage_statistics_of_the_2025_sample(shared_data):
    """The numbers bench/lineage_stats.py prints, pinned."""
    index = RecordIndex(SnapshotSource(shared_data / "hub-2025-sample.jsonl").records())
    g = build_all(index)
    inside = {e.child for e in g.edges if e.relation != "trained_on" and g.artifact(e.parent).resolved}
    assert len(inside) == 1514
    # trained_on: 750 dataset tags, less 143 `generator` (TRL's name for in-memory data, no dataset)
    assert Counter(e.relation for e in g.edges) == {"finetune": 1439, "trained_on": 607, "quantized": 61, "merge": 37}
    tree = graph_for("meta-llama/Llama-2-7b-chat-hf", snapshots=[shared_data / "hub-2025-sample.jsonl"], descendants=True)
    assert len(tree.nodes) == 454 and not tree.problems_of("cycle")


def test_both_shared_snapshots_build_one_graph(shared_data):
    snaps = [SnapshotSource(shared_data / n) for n in ("hub-2025-sample.jsonl", "hub-2022-02.jsonl")]
    g = build_all(RecordIndex(r for s in snaps for r in s.records()))
    resolved = sum(1 for a in g.nodes.values() if a.resolved)
    assert resolved == 1532 + 29432 - 1  # sentence-transformers/distiluse-base-multilingual-cased-v1 is in both: the first wins
    assert not g.problems_of("cycle")
