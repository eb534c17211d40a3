"""References: Hub ids, URLs, revisions, datasets, paths, and case-insensitive matching."""

from __future__ import annotations

import os

import pytest

from clearance.artifacts.ids import InvalidRef, Ref, parse_ref


@pytest.mark.parametrize(
    "text,expected",
    [
        ("meta-llama/Llama-2-7b-chat-hf", Ref("meta-llama/Llama-2-7b-chat-hf")),
        ("  gpt2 ", Ref("gpt2")),  # a legacy id has no namespace
        ("meta-llama/Llama-2-7b-chat-hf@main", Ref("meta-llama/Llama-2-7b-chat-hf", revision="main")),
        ("https://huggingface.co/meta-llama/Llama-2-7b-chat-hf", Ref("meta-llama/Llama-2-7b-chat-hf")),
        ("https://huggingface.co/meta-llama/Llama-2-7b-chat-hf/", Ref("meta-llama/Llama-2-7b-chat-hf")),
        ("https://huggingface.co/meta-llama/Llama-2-7b-chat-hf/tree/08751db2", Ref("meta-llama/Llama-2-7b-chat-hf", revision="08751db2")),
        ("https://huggingface.co/TheBloke/Llama-2-7B-Chat-GGML/blob/main/README.md", Ref("TheBloke/Llama-2-7B-Chat-GGML", revision="main")),
        ("http://hf.co/google/gemma-7b", Ref("google/gemma-7b")),
        ("huggingface.co/google/gemma-7b", Ref("google/gemma-7b")),
        ("https://huggingface.co/datasets/yahma/alpaca-cleaned", Ref("yahma/alpaca-cleaned", "dataset")),
        ("datasets/yahma/alpaca-cleaned", Ref("yahma/alpaca-cleaned", "dataset")),
        ("hf://datasets/yahma/alpaca-cleaned", Ref("yahma/alpaca-cleaned", "dataset")),
        ("https://huggingface.co/models/google/gemma-7b", Ref("google/gemma-7b")),
        ("https://huggingface.co/bert-base-uncased", Ref("bert-base-uncased")),
    ],
)
def test_parses_ids_urls_and_revisions(text, expected):
    assert parse_ref(text) == expected


def test_ids_match_case_insensitively_but_keep_their_spelling():
    a, b = parse_ref("meta-llama/Llama-2-7b-chat-hf"), parse_ref("META-LLAMA/llama-2-7B-CHAT-HF")
    assert a.key == b.key
    assert a.id == "meta-llama/Llama-2-7b-chat-hf" and b.id == "META-LLAMA/llama-2-7B-CHAT-HF"


def test_a_model_and_a_dataset_with_one_id_are_different_artifacts():
    assert parse_ref("squad").key != parse_ref("squad", "dataset").key


@pytest.mark.parametrize(
    "text,why",
    [
        ("", "empty"),
        ("my own private data", "not a Hub id"),
        ("a/b/c", "not a Hub id"),
        ("-org/name", "not a Hub id"),
        ("x" * 1000, "too long"),
        (None, "not a string"),
        (["org/name"], "not a string"),
        ("https://huggingface.co/spaces/org/demo", "Space"),
        ("/home/user/llama", "local path"),
    ],
)
def test_refuses_what_is_not_a_reference_with_the_reason(text, why):
    with pytest.raises(InvalidRef, match=why):
        parse_ref(text)


def test_paths_only_where_allowed(tmp_path):
    ref = parse_ref(str(tmp_path), allow_path=True)
    assert ref.is_path and ref.id == str(tmp_path) and ref.key == f"path:{tmp_path}"
    rel = parse_ref("./x", allow_path=True)
    assert rel.id == os.path.abspath("x")
