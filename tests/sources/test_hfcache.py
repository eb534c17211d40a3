"""The Hugging Face cache, laid out as huggingface_hub lays it out (blobs, refs, snapshots of
symlinks), read at its cached revision."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from clearance.artifacts.ids import parse_ref
from clearance.sources.hfcache import HFCacheSource, default_cache_dir
from clearance.usecases.lineage import graph_for

MAIN = "a" * 40
OLD = "b" * 40


def cache_repo(cache: Path, repo_type: str, repo_id: str, revision: str, files: dict[str, str], ref: str | None = "main") -> Path:
    """One revision of a repo in the cache: each file a blob named by its hash, linked from the snapshot."""
    repo = cache / f"{repo_type}s--{repo_id.replace('/', '--')}"
    snap = repo / "snapshots" / revision
    snap.mkdir(parents=True, exist_ok=True)
    (repo / "blobs").mkdir(exist_ok=True)
    for name, text in files.items():
        blob = repo / "blobs" / hashlib.sha256(text.encode()).hexdigest()
        blob.write_text(text)
        (snap / name).symlink_to(os.path.relpath(blob, snap))
    if ref:
        (repo / "refs").mkdir(exist_ok=True)
        (repo / "refs" / ref).write_text(revision)
    return snap


@pytest.fixture()
def cache(tmp_path):
    c = tmp_path / "hub"
    cache_repo(c, "model", "TheBloke/Llama-2-7B-Chat-GGML", MAIN,
               {"README.md": "---\nlicense: other\nbase_model: meta-llama/Llama-2-7b-chat-hf\nquantized_by: TheBloke\n---\n",
                "LICENSE": "LLAMA 2 COMMUNITY LICENSE AGREEMENT"})
    cache_repo(c, "model", "TheBloke/Llama-2-7B-Chat-GGML", OLD, {"README.md": "---\nlicense: llama2\n---\n"}, ref=None)
    cache_repo(c, "model", "meta-llama/Llama-2-7b-chat-hf", MAIN, {"README.md": "---\nlicense: llama2\n---\n",
                                                                    "config.json": '{"_name_or_path": "meta-llama/Llama-2-7b-chat-hf"}'})
    cache_repo(c, "dataset", "yahma/alpaca-cleaned", MAIN, {"README.md": "---\nlicense: cc-by-4.0\n---\n"})
    (c / "models--broken").mkdir()  # no snapshots folder: huggingface_hub calls it corrupted
    return c


def test_reads_a_cached_model_at_the_revision_main_points_to(cache):
    src = HFCacheSource(cache)
    rec = src.lookup(parse_ref("thebloke/llama-2-7b-chat-ggml"))
    art = rec.artifact
    assert art.id == "TheBloke/Llama-2-7B-Chat-GGML" and art.source == "hf-cache" and art.revision == MAIN
    assert {(s.kind, s.value.rsplit("/", 1)[-1]) for s in art.licenses} == {("card_license", "other"), ("license_file", "LICENSE")}
    assert [(e.parent, e.relation) for e in rec.edges] == [("meta-llama/Llama-2-7b-chat-hf", "quantized")]
    old = src.lookup(parse_ref(f"TheBloke/Llama-2-7B-Chat-GGML@{OLD[:8]}"))
    assert old.artifact.revision == OLD and old.artifact.licenses[0].value == "llama2"
    assert src.lookup(parse_ref("TheBloke/Llama-2-7B-Chat-GGML@cccccccc")) is None


def test_lists_every_cached_model_and_dataset(cache):
    src = HFCacheSource(cache)
    got = [(r.artifact.kind, r.artifact.id) for r in src.records()]
    assert got == [("dataset", "yahma/alpaca-cleaned"), ("model", "TheBloke/Llama-2-7B-Chat-GGML"),
                   ("model", "meta-llama/Llama-2-7b-chat-hf")]
    assert any("models--broken" in w for w in src.warnings)
    # config.json naming the model itself is not a base
    assert src.lookup(parse_ref("meta-llama/Llama-2-7b-chat-hf")).edges == ()


def test_honours_hf_hub_cache_and_hf_home(cache, monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    assert default_cache_dir() == cache
    monkeypatch.delenv("HF_HUB_CACHE")
    monkeypatch.delenv("HUGGINGFACE_HUB_CACHE", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / "hub"
    assert list(HFCacheSource().records()) == []  # no cache there: nothing, and no error


def test_graph_walks_through_the_cache_offline(cache, monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("CLEARANCE_CACHE_DIR", str(tmp_path / "cc"))
    g = graph_for("TheBloke/Llama-2-7B-Chat-GGML", offline=True)
    assert [(e.parent, e.child, e.relation) for e in g.edges] == [
        ("meta-llama/Llama-2-7b-chat-hf", "TheBloke/Llama-2-7B-Chat-GGML", "quantized")]
    assert g.artifact("meta-llama/Llama-2-7b-chat-hf").source == "hf-cache"
    assert g.problems == ()
