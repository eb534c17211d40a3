"""A model folder on disk: card, license files, adapter and model configs, GGUF and safetensors
headers; unreadable files leave warnings on a partial artifact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ggufiles import write_gguf, write_safetensors

from clearance.graph.build import build_lineage
from clearance.graph.resolve import Resolver
from clearance.sources.folder import LocalSource, read_local
from clearance.sources.interface import SourceError
from clearance.sources.snapshot import SnapshotSource

SLICE = Path(__file__).resolve().parents[1] / "fixtures" / "snapshots" / "llama-gemma-slice.jsonl"
LLAMA = "https://huggingface.co/meta-llama/Llama-2-7b-chat-hf"


def test_an_adapter_folder(tmp_path):
    (tmp_path / "README.md").write_text("---\nlicense: apache-2.0\ndatasets:\n- yahma/alpaca-cleaned\n---\n# my adapter\n")
    (tmp_path / "LICENSE").write_text("Apache License 2.0 ...")
    (tmp_path / "USE_POLICY.md").write_text("Llama 2 Acceptable Use Policy ...")
    (tmp_path / "adapter_config.json").write_text(json.dumps({"base_model_name_or_path": "meta-llama/Llama-2-7b-chat-hf", "peft_type": "LORA"}))
    write_safetensors(tmp_path / "adapter_model.safetensors", {"format": "pt", "license": "apache-2.0"})
    rec = read_local(tmp_path)
    art = rec.artifact
    assert art.id == str(tmp_path) and art.source == "local" and art.warnings == ()
    kinds = [(s.kind, s.value) for s in art.licenses]
    assert ("card_license", "apache-2.0") in kinds
    assert ("license_file", str(tmp_path / "LICENSE")) in kinds and ("license_file", str(tmp_path / "USE_POLICY.md")) in kinds
    assert ("other", "apache-2.0") in kinds  # from the safetensors metadata
    edges = {(e.parent, e.relation) for e in rec.edges}
    assert edges == {("meta-llama/Llama-2-7b-chat-hf", "adapter"), ("yahma/alpaca-cleaned", "trained_on")}
    adapter = next(e for e in rec.edges if e.relation == "adapter")
    assert "adapter_config.json base_model_name_or_path (peft_type LORA)" in adapter.evidence


def test_a_gguf_file_names_its_source_and_license(tmp_path):
    path = write_gguf(tmp_path / "llama-2-7b-chat.Q4_K_M.gguf", name="Llama 2 7B Chat", license="llama2",
                      source_repo_url=LLAMA, base_models=["https://huggingface.co/meta-llama/Llama-2-7b-hf"],
                      datasets=["https://huggingface.co/datasets/yahma/alpaca-cleaned"])
    rec = read_local(path)
    assert [(s.kind, s.value) for s in rec.artifact.licenses] == [("gguf", "llama2")]
    assert rec.artifact.where("name").endswith("general.name = Llama 2 7B Chat")
    # general.source.* is the model the file was converted from: a stated quantization; the
    # source's own bases (general.base_model.*) are left to the source's record
    assert [(e.parent, e.relation) for e in rec.edges] == [("meta-llama/Llama-2-7b-chat-hf", "quantized"),
                                                           ("yahma/alpaca-cleaned", "trained_on")]
    assert "general.source.repo_url" in rec.edges[0].evidence


def test_gguf_base_models_are_used_when_nothing_else_names_a_base(tmp_path):
    write_gguf(tmp_path / "merged.gguf", base_models=["https://huggingface.co/org/a", "https://huggingface.co/org/b", ""])
    rec = read_local(tmp_path)
    assert [(e.parent, e.relation) for e in rec.edges] == [("org/a", "quantized"), ("org/b", "quantized")]
    assert "file merged.gguf" in rec.edges[0].evidence
    assert any("without a Hub URL" in w for w in rec.artifact.warnings)


def test_config_name_or_path_is_a_fallback_and_quantization_config_a_marker(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"_name_or_path": "meta-llama/Llama-2-7b-chat-hf",
                                                      "quantization_config": {"quant_method": "gptq"}}))
    rec = read_local(tmp_path)
    (edge,) = rec.edges
    assert edge.relation == "quantized" and "quantization_config (gptq)" in edge.evidence
    (tmp_path / "README.md").write_text("---\nbase_model: org/card-base\n---\n")
    assert [e.parent for e in read_local(tmp_path).edges] == ["org/card-base"]  # the card wins


def test_local_paths_are_followed_only_if_they_exist(tmp_path):
    base = tmp_path / "base"
    base.mkdir()
    (base / "README.md").write_text("---\nlicense: mit\n---\n")
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text(json.dumps({"base_model_name_or_path": "../base"}))
    g = build_lineage(str(adapter), Resolver([LocalSource()]))
    assert [(e.parent, e.relation) for e in g.edges] == [(str(base), "adapter")]
    assert g.artifact(str(base)).licenses[0].value == "mit"
    (adapter / "adapter_config.json").write_text(json.dumps({"base_model_name_or_path": "/content/drive/llama"}))
    rec = read_local(adapter)
    assert rec.edges == () and "does not exist here" in rec.artifact.warnings[0]


def test_a_local_model_walks_on_into_a_snapshot(tmp_path):
    write_gguf(tmp_path / "model.gguf", license="llama2", source_repo_url="https://huggingface.co/TheBloke/Llama-2-7B-Chat-GGML")
    g = build_lineage(str(tmp_path), Resolver([LocalSource(), SnapshotSource(SLICE)]))
    assert list(g.nodes) == [str(tmp_path), "TheBloke/Llama-2-7B-Chat-GGML", "meta-llama/Llama-2-7b-chat-hf"]
    assert g.artifact("TheBloke/Llama-2-7B-Chat-GGML").source == "snapshot:llama-gemma-slice.jsonl:6"


def test_broken_files_leave_warnings_on_a_partial_artifact(tmp_path):
    (tmp_path / "README.md").write_text("---\nlicense: [unclosed\n---\n")
    (tmp_path / "LICENSE.txt").write_text("MIT")
    (tmp_path / "adapter_config.json").write_text("{not json")
    (tmp_path / "config.json").write_text("[1, 2]")
    (tmp_path / "model.gguf").write_bytes(b"GGUF\x03\x00\x00\x00" + b"\xff" * 40)
    (tmp_path / "model.safetensors").write_bytes((10**12).to_bytes(8, "little") + b"{}")
    rec = read_local(tmp_path)
    assert [s.kind for s in rec.artifact.licenses] == ["license_file"]
    text = "\n".join(rec.artifact.warnings)
    for expected in ("README.md:3: front matter is not valid YAML", "while parsing a flow sequence from line 2", "adapter_config.json: not readable JSON",
                     "config.json: a JSON list", "model.gguf: not a readable GGUF file", "header length 1000000000000 exceeds"):
        assert expected in text


def test_missing_path_is_a_source_error(tmp_path):
    with pytest.raises(SourceError, match="no such file or folder"):
        read_local(tmp_path / "nope")
