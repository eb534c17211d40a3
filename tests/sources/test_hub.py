"""The Hub API source against recorded answers served on 127.0.0.1 (HF_ENDPOINT), through the
same huggingface_hub calls that talk to the live Hub: token, disk cache, offline mode, errors."""

from __future__ import annotations

import socket

from clearance.artifacts.ids import parse_ref
from clearance.sources.hub import HubSource
from clearance.usecases.lineage import graph_for


def paths(server) -> list[str]:
    return [p for p, _ in server.requests]


def test_walks_the_lineage_through_the_hub_api(hub, tmp_path):
    g = graph_for("TheBloke/Llama-2-7B-Chat-GGML", offline=False, progress=False)
    assert [(e.parent, e.relation) for e in g.edges] == [("meta-llama/Llama-2-7b-chat-hf", "quantized")]
    llama = g.artifact("meta-llama/Llama-2-7b-chat-hf")
    assert llama.source == f"hub:{hub.url}" and llama.gated == "manual" and llama.downloads == 1186755
    assert ("hub_tag", "llama2") in {(s.kind, s.value) for s in llama.licenses}
    assert paths(hub) == ["/api/models/TheBloke/Llama-2-7B-Chat-GGML", "/api/models/meta-llama/Llama-2-7b-chat-hf"]
    # the token from HF_TOKEN goes with every request
    assert all(h.get("authorization") == "Bearer hf_test_token_not_a_secret" for _, h in hub.requests)


def test_datasets_come_from_the_dataset_api_and_unknown_ones_are_missing(hub):
    g = graph_for("telugu-llm-labs/indic-gemma-7b-finetuned-sft-navarasa", offline=False, progress=False)
    assert g.root == "Telugu-LLM-Labs/Indic-gemma-7b-finetuned-sft-Navarasa"  # the Hub's spelling
    alpaca = g.artifact("yahma/alpaca-cleaned")
    assert alpaca.kind == "dataset" and alpaca.resolved and alpaca.licenses[0].value == "cc-by-4.0"
    assert g.artifact("google/gemma-7b").licenses[0].value == "gemma"
    missing = {p.artifact for p in g.problems_of("missing")}
    assert len(missing) == 10 and "abhinand/tamil-alpaca" in missing
    assert "/api/datasets/yahma/alpaca-cleaned" in paths(hub)


def test_answers_are_cached_on_disk_including_not_found(hub, tmp_path):
    src = HubSource(cache_dir=tmp_path / "c")
    assert src.lookup(parse_ref("google/gemma-7b")).artifact.id == "google/gemma-7b"
    assert src.lookup(parse_ref("nobody/nothing")) is None
    again = HubSource(cache_dir=tmp_path / "c")
    assert again.lookup(parse_ref("google/gemma-7b")).artifact.licenses
    assert again.lookup(parse_ref("nobody/nothing")) is None
    assert len(hub.requests) == 2 and again.requests == 0
    offline = HubSource(cache_dir=tmp_path / "c", offline=True)
    assert offline.lookup(parse_ref("google/gemma-7b")) is not None  # offline: the cache answers
    assert offline.lookup(parse_ref("meta-llama/Llama-2-7b-chat-hf")) is None  # and nothing else
    expired = HubSource(cache_dir=tmp_path / "c", ttl=0)
    expired.lookup(parse_ref("google/gemma-7b"))
    assert expired.requests == 1 and len(hub.requests) == 3


def test_a_cache_file_answering_another_ref_is_a_miss(hub, tmp_path):
    # File names are checksums: an entry is used only for the ref it says it answers.
    src = HubSource(cache_dir=tmp_path / "c", offline=True)
    gemma, other = parse_ref("google/gemma-7b"), parse_ref("meta-llama/Llama-2-7b-chat-hf")
    HubSource(cache_dir=tmp_path / "c").lookup(gemma)
    gemma_file = src._cache_path(gemma)
    src._cache_path(other).write_bytes(gemma_file.read_bytes())  # as if the two names collided
    assert src.lookup(other) is None and src.lookup(gemma) is not None


def test_revision_goes_in_the_request(hub, tmp_path):
    HubSource(cache_dir=tmp_path / "c").lookup(parse_ref("https://huggingface.co/google/gemma-7b/tree/0f2c"))
    assert paths(hub) == ["/api/models/google/gemma-7b/revision/0f2c"]


def test_offline_never_opens_a_socket(hub, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    g = graph_for("TheBloke/Llama-2-7B-Chat-GGML", progress=False)
    assert hub.requests == []
    assert not g.artifact("TheBloke/Llama-2-7B-Chat-GGML").resolved and g.problems_of("missing")


def test_server_errors_and_unreachable_hubs_are_reported_not_raised(hub, monkeypatch):
    hub.fail.add("meta-llama/llama-2-7b-chat-hf")
    g = graph_for("TheBloke/Llama-2-7B-Chat-GGML", offline=False, progress=False)
    (failed,) = g.problems_of("lookup_failed")
    assert failed.artifact == "meta-llama/Llama-2-7b-chat-hf" and "HTTP 500" in failed.message
    assert not g.artifact("meta-llama/Llama-2-7b-chat-hf").resolved

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    g = graph_for("google/gemma-7b", offline=False, progress=False)
    (failed,) = g.problems_of("lookup_failed")
    assert "could not reach" in failed.message


def test_progress_bar_for_long_walks(hub, capsys):
    graph_for("TheBloke/Llama-2-7B-Chat-GGML", offline=False, progress=True)
    assert "lineage" in capsys.readouterr().err
