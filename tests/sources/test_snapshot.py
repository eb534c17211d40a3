"""Snapshot files: the shared real snapshots as they are, bad lines named by file:line, Parquet,
gzip, and records of the wrong shape read as far as they go."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from clearance.artifacts.ids import parse_ref
from clearance.sources.hubrecord import RecordError, parse_record
from clearance.sources.interface import SourceError
from clearance.sources.snapshot import SnapshotSource

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "snapshots"
SLICE = FIXTURES / "llama-gemma-slice.jsonl"


def test_reads_a_record_with_its_evidence():
    src = SnapshotSource(SLICE)
    rec = src.lookup(parse_ref("TheBloke/llama-2-7b-chat-ggml"))  # the Hub matches ids case-insensitively
    art = rec.artifact
    assert art.id == "TheBloke/Llama-2-7B-Chat-GGML" and art.kind == "model"
    assert art.source == "snapshot:llama-gemma-slice.jsonl:6"
    assert art.downloads == 1931 and art.likes == 871 and art.created_at == "2023-07-18T17:38:15.000Z"
    assert art.pipeline_tag == "text-generation" and art.library_name == "transformers" and art.gated is False
    assert {(s.kind, s.value) for s in art.licenses} == {("card_license", "other"), ("hub_tag", "other")}
    assert art.where("downloads") == "llama-gemma-slice.jsonl:6 downloads"
    (edge,) = rec.edges
    assert (edge.parent, edge.relation) == ("meta-llama/Llama-2-7b-chat-hf", "quantized")
    assert "quantized_by" in edge.evidence and "GGML" in edge.evidence and "tag base_model:finetune" in edge.evidence


def test_card_license_name_and_link_and_datasets():
    rec = SnapshotSource(SLICE).lookup(parse_ref("Telugu-LLM-Labs/Indic-gemma-7b-finetuned-sft-Navarasa"))
    kinds = {(s.kind, s.value) for s in rec.artifact.licenses}
    assert ("license_name", "gemma-terms-of-use") in kinds
    assert ("license_link", "https://ai.google.dev/gemma/terms") in kinds
    data = [e for e in rec.edges if e.relation == "trained_on"]
    assert len(data) == 12 and data[-1].parent == "yahma/alpaca-cleaned"
    assert "cardData.datasets" in data[-1].evidence and "tag dataset:" in data[-1].evidence
    assert [e.relation for e in rec.edges if e.relation != "trained_on"] == ["finetune"]


def test_the_shared_snapshots_read_as_they_are(shared_data):
    for name, count in (("hub-2025-sample.jsonl", 1532), ("hub-2022-02.jsonl", 29432)):
        src = SnapshotSource(shared_data / name)
        records = list(src.records())
        assert len(records) == count and src.bad_lines == 0, src.warnings[:3]
    assert not any(r.artifact.warnings for r in SnapshotSource(shared_data / "hub-2025-sample.jsonl").records()
                   if r.artifact.id.startswith("meta-llama/"))


def test_bad_lines_are_skipped_and_named_by_file_and_line(tmp_path):
    good = SLICE.read_text().splitlines()[0]
    path = tmp_path / "snap.jsonl"
    path.write_text("\n".join([good, "{not json", "", "[1, 2]", '{"author": "x"}', '{"id": "bad id with spaces"}', good.replace("gemma-7b", "gemma-7c")]) + "\n")
    src = SnapshotSource(path)
    ids = [r.artifact.id for r in src.records()]
    assert ids == ["google/gemma-7b", "google/gemma-7c"]
    assert src.bad_lines == 4
    assert src.warnings[0] == f"{path}:2: not valid JSON (Expecting property name enclosed in double quotes at column 2)"
    assert src.warnings[1] == f"{path}:4: a JSON list, not an object"
    assert src.warnings[2] == f"{path}:5: no string `id`"
    assert src.warnings[3].startswith(f"{path}:6: no usable id")


def test_strict_mode_and_unreadable_files_are_source_errors(tmp_path):
    path = tmp_path / "snap.jsonl"
    path.write_text('{"id": "a/b"}\n{oops\n')
    with pytest.raises(SourceError, match=r"snap.jsonl:2: not valid JSON"):
        list(SnapshotSource(path, strict=True).records())
    only_bad = tmp_path / "bad.jsonl"
    only_bad.write_text("garbage\nmore garbage\n")
    with pytest.raises(SourceError, match=r"no readable record \(2 bad lines; first: .*bad.jsonl:1"):
        SnapshotSource(only_bad).lookup(parse_ref("a/b"))
    with pytest.raises(SourceError, match="no such snapshot file"):
        SnapshotSource(tmp_path / "missing.jsonl").lookup(parse_ref("a/b"))
    broken_gz = tmp_path / "x.jsonl.gz"
    broken_gz.write_bytes(b"not gzip at all")
    with pytest.raises(SourceError, match="cannot read snapshot"):
        SnapshotSource(broken_gz).lookup(parse_ref("a/b"))


def test_gzip_and_parquet_read_like_json_lines(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [json.loads(line) for line in SLICE.read_text().splitlines()]
    gz = tmp_path / "snap.jsonl.gz"
    with gzip.open(gz, "wt", encoding="utf-8") as fh:
        fh.write(SLICE.read_text())
    table = pa.table({
        "type": [r["type"] for r in rows], "id": [r["id"] for r in rows],
        "createdAt": [r["createdAt"] for r in rows], "downloads": [r["downloads"] for r in rows],
        "likes": [r["likes"] for r in rows], "pipeline_tag": [r["pipeline_tag"] for r in rows],
        "tags": [r["tags"] for r in rows], "cardData": [json.dumps(r["cardData"]) for r in rows],  # JSON text, as DuckDB writes it
    })
    pq.write_table(table, tmp_path / "snap.parquet")

    def summary(src):
        return {(r.artifact.id, r.artifact.downloads, tuple(sorted(s.value for s in r.artifact.licenses)),
                 tuple((e.parent, e.relation) for e in r.edges)) for r in src.records()}

    expected = summary(SnapshotSource(SLICE))
    assert summary(SnapshotSource(gz)) == expected
    assert summary(SnapshotSource(tmp_path / "snap.parquet")) == expected
    (tmp_path / "junk.parquet").write_bytes(b"PAR1 junk")
    with pytest.raises(SourceError, match="cannot read Parquet"):
        list(SnapshotSource(tmp_path / "junk.parquet").records())


def test_datasets_are_told_apart_by_type(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_text(json.dumps({"type": "dataset", "id": "yahma/alpaca-cleaned", "tags": ["license:cc-by-4.0"]}) + "\n"
                    + json.dumps({"type": "model", "id": "yahma/alpaca-cleaned"}) + "\n")
    src = SnapshotSource(path)
    ds = src.lookup(parse_ref("yahma/alpaca-cleaned", "dataset"))
    assert ds.artifact.kind == "dataset" and ds.artifact.licenses[0].value == "cc-by-4.0"
    assert src.lookup(parse_ref("yahma/alpaca-cleaned")).artifact.kind == "model"


def test_a_record_of_the_wrong_shape_reads_as_far_as_it_goes():
    rec = parse_record({
        "id": "org/m", "type": "banana", "downloads": "many", "likes": -3, "tags": "license:mit",
        "pipeline_tag": ["x"], "cardData": {"license": {"spdx": "mit"}, "base_model": [3, "org/base", None],
                                            "datasets": "not a valid id!", "base_model_relation": "sideways",
                                            "licence": "mit"},
    }, source="test", where="t:1")
    art = rec.artifact
    assert art.id == "org/m" and art.downloads is None and art.likes is None and art.pipeline_tag is None
    assert [(s.kind, s.value) for s in art.licenses] == [("other", "mit")]  # the British spelling, kept raw
    assert [(e.parent, e.relation) for e in rec.edges] == [("org/base", "finetune")]
    text = "\n".join(art.warnings)
    for expected in ("type 'banana'", "downloads: str", "likes: int", "tags: a str", "cardData.license: a dict",
                     "cardData.base_model: not a string but int", "sideways", "not a valid id!"):
        assert expected in text
    with pytest.raises(RecordError, match="no usable id"):
        parse_record({"id": 42}, source="test", where="t:2")
    with pytest.raises(RecordError, match="expected a JSON object"):
        parse_record([1], source="test", where="t:3")


def test_2022_records_without_created_at_or_base_model():
    src = SnapshotSource(FIXTURES / "hub-2022-slice.jsonl")
    rec = src.lookup(parse_ref("09panesara/distilbert-base-uncased-finetuned-cola"))
    assert rec.artifact.created_at is None and rec.artifact.where("created_at") is None
    assert [(s.kind, s.value) for s in rec.artifact.licenses] == [("hub_tag", "apache-2.0")]
    assert [(e.parent, e.relation) for e in rec.edges] == [("glue", "trained_on")]  # a canonical dataset id
    bert = src.lookup(parse_ref("BERT-base-uncased"))  # a legacy id without a namespace
    assert bert.artifact.id == "bert-base-uncased" and {e.parent for e in bert.edges} == {"bookcorpus", "wikipedia"}
