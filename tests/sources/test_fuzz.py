"""Property-based fuzzing of every reader: invalid YAML, wrong types, huge strings, alias bombs,
random snapshot lines, truncated or corrupted GGUF and safetensors files. Each must give a clear
error of its own type or a (partial) artifact with warnings — never another exception."""

from __future__ import annotations

import json
import string
import time

import pytest
import yaml
from ggufiles import write_gguf, write_safetensors
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from clearance.artifacts.ids import InvalidRef, parse_ref
from clearance.artifacts.model import Artifact
from clearance.sources.folder import read_local
from clearance.sources.frontmatter import parse_card
from clearance.sources.hubrecord import RecordError, parse_record
from clearance.sources.interface import SourceError
from clearance.sources.metadata import MAX_VALUE_CHARS, Collected, read_card
from clearance.sources.safetensors_meta import (
    SafetensorsError,
    read_safetensors_metadata,
)
from clearance.sources.snapshot import SnapshotSource

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

KEYS = ["license", "licence", "license_name", "license_link", "base_model", "base_model_relation", "datasets",
        "pipeline_tag", "library_name", "tags", "quantized_by", "model-index", "id", "type", "downloads", "likes",
        "gated", "createdAt", "cardData", "siblings", "gguf", "config", "sha"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=40),
                    st.sampled_from(["mit", "apache-2.0", "org/base", "finetune", "quantized", "https://huggingface.co/org/x",
                                     "datasets/org/d", "base_model:adapter:org/b", "license:mit", "dataset:org/d", "../x", "a b"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                                       st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=5)),
                      max_leaves=25)
records = st.dictionaries(st.sampled_from(KEYS), values, max_size=12)


def assert_artifact(art: Artifact) -> None:
    assert isinstance(art.id, str) and art.kind in ("model", "dataset")
    assert all(isinstance(s.value, str) and len(s.value) <= MAX_VALUE_CHARS + 1 for s in art.licenses)
    assert all(isinstance(w, str) for w in art.warnings)


@FUZZ
@given(st.text(max_size=400))
@example("---\n: : :\n---\n")
@example("---\n\t- [\n---\n")
@example("---\n!!python/object:os.system echo\n---\n")
@example("---\nlicense: !!binary AAAA\n---\n")
def test_any_text_as_a_card_is_read_or_refused_with_a_warning(text):
    card = parse_card("---\n" + text + "\n---\nbody", "README.md")
    assert card.ok or card.warnings


@FUZZ
@given(records)
def test_any_yaml_front_matter_of_wrong_types_reads_into_a_partial_artifact(data):
    try:
        text = yaml.safe_dump(data, allow_unicode=True)
    except yaml.YAMLError:
        assume(False)
    card = parse_card(f"---\n{text}---\n", "README.md")
    out = Collected("me/model")
    if card.ok:
        read_card(out, card.data, "README.md front matter")
    assert_artifact(out.record("test").artifact)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 12), st.integers(2, 12))
def test_alias_bombs_of_any_shape_are_refused_or_read_quickly(levels, width):
    lines = ["lol0: &lol0 [" + ", ".join(["lol"] * width) + "]"]
    lines += [f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * width) + "]" for i in range(1, levels + 1)]
    start = time.perf_counter()
    card = parse_card("---\n" + "\n".join(lines) + "\nlicense: mit\n---\n", "bomb.md")
    assert time.perf_counter() - start < 2
    if width ** (levels + 1) > 200_000:
        assert not card.ok and "nodes" in card.warnings[0]


@settings(max_examples=10, deadline=None)
@given(st.integers(5_000, 5_000_000), st.sampled_from(["license", "license_name", "base_model", "datasets"]))
def test_huge_strings_are_cut_or_refused_not_carried(size, key):
    out = Collected("me/model")
    read_card(out, {key: "x" * size}, "card")
    art = out.record("test").artifact
    assert_artifact(art)
    assert any("characters" in w for w in art.warnings)


@FUZZ
@given(records)
def test_any_json_record_gives_a_record_or_a_record_error(rec):
    try:
        record = parse_record(rec, source="fuzz", where="fuzz:1")
    except RecordError as exc:
        assert str(exc).startswith("fuzz:1: ")
        return
    assert_artifact(record.artifact)
    for edge in record.edges:
        assert edge.relation in ("finetune", "adapter", "merge", "quantized", "distilled", "trained_on")
        assert edge.child == record.artifact.id


@FUZZ
@given(st.lists(st.one_of(st.text(max_size=60), records.map(json.dumps), st.binary(max_size=40).map(lambda b: b.decode("latin-1"))),
                max_size=8))
def test_any_snapshot_lines_are_read_skipped_or_refused(tmp_path_factory, lines):
    path = tmp_path_factory.mktemp("snap") / "s.jsonl"
    path.write_text("\n".join(line.replace("\n", " ").replace("\r", " ") for line in lines) + "\n", encoding="utf-8", errors="surrogatepass")
    src = SnapshotSource(path)
    try:
        got = list(src.records())
    except SourceError as exc:
        assert str(path) in str(exc)
        return
    for record in got:
        assert_artifact(record.artifact)
    assert all(w.startswith(f"{path}:") for w in src.warnings)


@pytest.fixture(scope="module")
def gguf_bytes(tmp_path_factory):
    path = write_gguf(tmp_path_factory.mktemp("gguf") / "m.gguf", name="Llama 2 7B Chat", license="llama2",
                      source_repo_url="https://huggingface.co/meta-llama/Llama-2-7b-chat-hf",
                      base_models=["https://huggingface.co/meta-llama/Llama-2-7b-hf"])
    return path.read_bytes()


@FUZZ
@given(data=st.data())
def test_truncated_or_corrupted_gguf_gives_a_warning(tmp_path_factory, gguf_bytes, data):
    cut = data.draw(st.integers(0, len(gguf_bytes)))
    blob = bytearray(gguf_bytes[:cut])
    for _ in range(data.draw(st.integers(0, 3))):
        if blob:
            blob[data.draw(st.integers(0, len(blob) - 1))] = data.draw(st.integers(0, 255))
    folder = tmp_path_factory.mktemp("g")
    (folder / "model.gguf").write_bytes(bytes(blob))
    record = read_local(folder)
    assert_artifact(record.artifact)
    if cut < len(gguf_bytes):
        assert any("model.gguf" in w for w in record.artifact.warnings)


@FUZZ
@given(st.binary(max_size=64), st.integers(0, 2**64 - 1))
def test_any_safetensors_header_is_read_or_refused(tmp_path_factory, tail, length):
    path = tmp_path_factory.mktemp("st") / "m.safetensors"
    path.write_bytes(length.to_bytes(8, "little") + tail)
    try:
        meta = read_safetensors_metadata(path)
    except SafetensorsError as exc:
        assert str(path) in str(exc)
        return
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in meta.items())


def test_a_valid_safetensors_header_reads(tmp_path):
    assert read_safetensors_metadata(write_safetensors(tmp_path / "m.safetensors", {"license": "mit"})) == {"license": "mit"}


@FUZZ
@given(st.one_of(st.text(max_size=120), st.text(alphabet=string.ascii_letters + "/:.@-_", max_size=120)))
def test_any_text_is_a_reference_or_an_invalid_ref(text):
    try:
        ref = parse_ref(text)
    except InvalidRef as exc:
        assert str(exc)
        return
    assert ref.id and not ref.is_path and ref.key == f"{ref.kind}:{ref.id.lower()}"
