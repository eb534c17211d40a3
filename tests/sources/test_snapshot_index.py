"""Big snapshots are looked up through an on-disk index (sources/snapshotindex.py): the same
records as reading the whole file, rebuilt when the file changes, and never in the way."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from clearance.artifacts.ids import parse_ref
from clearance.sources import snapshotindex
from clearance.sources.snapshot import SnapshotSource

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "hub-2025-sample.jsonl"


@pytest.fixture
def indexed(monkeypatch, tmp_path):
    monkeypatch.setattr(snapshotindex, "MIN_INDEXED_BYTES", 0)  # index even the small sample
    monkeypatch.setenv("CLEARANCE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "snapshots"


def _ids(path: Path) -> list[str]:
    return [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _whole(path: Path) -> SnapshotSource:
    src = SnapshotSource(path)
    src._load()  # read whole, as a small file is
    return src


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_the_index_answers_what_the_whole_file_answers(indexed, tmp_path, fmt):
    path = SAMPLE
    if fmt == "parquet":
        import duckdb

        path = tmp_path / "sample.parquet"
        duckdb.sql(f"copy (select * from read_json_auto('{SAMPLE}', maximum_object_size=100000000)) to '{path}' (format parquet)")
    whole = _whole(path)
    via_index = SnapshotSource(path)
    for model_id in _ids(SAMPLE):
        ref = parse_ref(model_id)
        a, b = whole.lookup(ref), via_index.lookup(ref)
        assert (a.artifact, a.edges) == (b.artifact, b.edges), model_id
    assert via_index._raw is None  # never read whole
    assert list(indexed.glob("*.sqlite"))
    assert via_index.lookup(parse_ref("nobody/not-there")) is None


def test_rebuilt_when_the_file_changes_and_the_later_line_wins(indexed, tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text('{"id": "org/a", "cardData": {"license": "mit"}}\n', encoding="utf-8")
    assert SnapshotSource(path).lookup(parse_ref("org/a")).artifact.licenses[0].value == "mit"
    with path.open("a", encoding="utf-8") as f:
        f.write('{"id": "org/a", "cardData": {"license": "apache-2.0"}}\nnot json\n')
    os.utime(path, ns=(1, 1))  # even with an old mtime, the size changed
    src = SnapshotSource(path)
    assert {s.value for s in src.lookup(parse_ref("org/a")).artifact.licenses} == {"apache-2.0"}
    assert src.bad_lines == 1 and "s.jsonl:3: not valid JSON" in src.warnings[0]
    again = SnapshotSource(path)  # the index is reused: its warnings come with it
    again.lookup(parse_ref("org/a"))
    assert again.bad_lines == 1 and again.warnings == src.warnings


def test_an_unwritable_cache_falls_back_to_reading_the_file(monkeypatch, tmp_path):
    monkeypatch.setattr(snapshotindex, "MIN_INDEXED_BYTES", 0)
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache directory should be")
    monkeypatch.setenv("CLEARANCE_CACHE_DIR", str(blocked))
    src = SnapshotSource(SAMPLE)
    assert src.lookup(parse_ref("google/gemma-7b")) is not None and src._raw is not None


def test_small_and_gzipped_files_are_read_whole(tmp_path):
    import gzip

    gz = tmp_path / "s.jsonl.gz"
    gz.write_bytes(gzip.compress(SAMPLE.read_bytes()))
    assert not snapshotindex.indexable(gz) and not snapshotindex.indexable(SAMPLE)
