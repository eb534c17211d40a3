"""bench/synth_snapshot.py: the SYNTHETIC snapshot generator (small runs, a few seconds in all)."""

from __future__ import annotations

import importlib.util
import json
import math
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "synth_snapshot.py"
MODELS = 2000
SEED = 7


def _load():
    spec = importlib.util.spec_from_file_location("synth_snapshot", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


synth = _load()


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("synth")
    paths = {"parquet": out / "a.parquet", "again": out / "b.parquet", "other_seed": out / "c.parquet",
             "jsonl": out / "a.jsonl"}
    for key, seed in (("parquet", SEED), ("again", SEED), ("other_seed", SEED + 1), ("jsonl", SEED)):
        assert synth.main(["--models", str(MODELS), "--seed", str(seed), "--out", str(paths[key])]) == 0
    return paths


@pytest.fixture(scope="module")
def rows(made) -> list[dict]:
    import pyarrow.parquet as pq

    out = pq.read_table(made["parquet"]).to_pylist()
    for row in out:
        row["cardData"] = json.loads(row["cardData"]) if row["cardData"] is not None else {}
    return out


@pytest.fixture(scope="module")
def models(rows) -> list[dict]:
    return [r for r in rows if r["type"] == "model"]


@pytest.fixture(scope="module")
def params():
    return synth.load_params()


def _bases(row: dict) -> list[str]:
    bm = row["cardData"].get("base_model")
    return [] if bm is None else [bm] if isinstance(bm, str) else bm


def _relation_tags(row: dict) -> list[tuple[str, str]]:
    out = []
    for tag in row["tags"]:
        parts = tag.split(":", 2)
        if len(parts) == 3 and parts[0] == "base_model":
            out.append((parts[1], parts[2]))
    return out


def test_columns_and_count(made, models):
    import pyarrow.parquet as pq

    schema = pq.read_schema(made["parquet"])
    assert schema.names == ["type", "id", "author", "createdAt", "lastModified", "downloads", "likes",
                            "pipeline_tag", "library_name", "tags", "cardData"]
    assert str(schema.field("tags").type) == "list<element: string>"
    assert str(schema.field("cardData").type) == "string"
    assert str(schema.field("downloads").type) == str(schema.field("likes").type) == "int64"
    assert len(models) == MODELS
    assert all(len(m["createdAt"]) == 24 and m["createdAt"].endswith("Z") for m in models)
    assert all(m["lastModified"] >= m["createdAt"] for m in models)


def test_ids_unique(rows):
    for kind in ("model", "dataset"):
        ids = [r["id"].lower() for r in rows if r["type"] == kind]
        assert len(ids) == len(set(ids)), kind
    assert all(r["id"].count("/") == 1 and r["id"].split("/")[0] == r["author"] for r in rows)


def test_every_parent_comes_earlier(rows, models):
    seen: set[str] = set()
    for row in rows:
        if row["type"] == "model":
            bases = _bases(row)
            assert all(b in seen for b in bases), row["id"]
            assert len(set(bases)) == len(bases)
            rel = _relation_tags(row)
            assert sorted(p for _, p in rel) == sorted(bases)
            assert sorted(t[len("base_model:"):] for t in row["tags"]
                          if t.startswith("base_model:") and t.count(":") == 1) == sorted(bases)
            if rel and rel[0][0] == "merge":
                assert 2 <= len(bases) <= 3 and isinstance(row["cardData"]["base_model"], list)
            elif rel:
                assert len(bases) == 1
        seen.add(row["id"])
    assert sum(1 for m in models if _bases(m)) == round(MODELS * 0.4)


def test_relation_mix_matches_the_fit(models, params):
    edges = Counter(rel for m in models for rel, _ in _relation_tags(m))
    n = sum(edges.values())
    for rel, expected in zip(synth.RELATIONS, params.edge_mix):
        tolerance = 4 * math.sqrt(expected * (1 - expected) / n) + 0.02
        assert abs(edges[rel] / n - expected) <= tolerance, (rel, edges[rel] / n, expected)


def test_license_tags_and_undeclared_share(models, params):
    for m in models:
        tags = [t[len("license:"):] for t in m["tags"] if t.startswith("license:")]
        assert tags == ([m["cardData"]["license"]] if "license" in m["cardData"] else [])
        if m["cardData"].get("license") != "other":
            assert "license_name" not in m["cardData"] and "license_link" not in m["cardData"]
    roots = [m for m in models if not _bases(m)]
    shares = [params.undeclared_share(params.period_key(int(m["createdAt"][:4]), (int(m["createdAt"][5:7]) - 1) // 3 + 1))
              for m in roots]
    expected = sum(shares) / len(roots)
    observed = sum(1 for m in roots if "license" not in m["cardData"]) / len(roots)
    sigma = math.sqrt(sum(p * (1 - p) for p in shares)) / len(roots)
    assert abs(observed - expected) <= 4 * sigma + 0.01, (observed, expected)
    assert 0 < observed < 1
    assert sum(1 for m in models if "license" in m["cardData"]) > MODELS / 3


def test_quantized_names_and_datasets(rows, models):
    quantized = [m for m in models if any(r == "quantized" for r, _ in _relation_tags(m))]
    assert quantized and sum(m["id"].endswith(("-GGUF", "-GPTQ", "-AWQ")) for m in quantized) > len(quantized) / 3
    datasets = {r["id"] for r in rows if r["type"] == "dataset"}
    named = [t[len("dataset:"):] for m in models for t in m["tags"] if t.startswith("dataset:")]
    assert named and set(named) <= datasets


def test_duckdb_reads_the_parquet(made):
    import duckdb

    con = duckdb.connect()
    n, distinct, licensed = con.execute(
        "SELECT count(*), count(DISTINCT id), count(json_extract_string(cardData, '$.license')) "
        "FROM read_parquet(?) WHERE type = 'model'", [str(made["parquet"])]).fetchone()
    assert n == distinct == MODELS and 0 < licensed < MODELS
    tagged = con.execute("SELECT count(*) FROM read_parquet(?) WHERE len(tags) > 0",
                         [str(made["parquet"])]).fetchone()[0]
    assert tagged > MODELS


def test_jsonl_reads_line_by_line(made, rows):
    with open(made["jsonl"], encoding="utf-8") as fh:
        lines = [json.loads(line) for line in fh]
    assert [r["id"] for r in lines] == [r["id"] for r in rows]
    assert all(r["cardData"] is None or isinstance(r["cardData"], dict) for r in lines)
    assert [r["cardData"] or {} for r in lines] == [r["cardData"] for r in rows]


def test_project_reads_it(made):
    from clearance.sources.snapshot import SnapshotSource

    source = SnapshotSource(made["parquet"])
    records = list(source.records())
    assert source.bad_lines == 0 and len(records) == MODELS + len(synth.load_params().datasets)


def test_same_seed_same_output(made):
    assert made["parquet"].read_bytes() == made["again"].read_bytes()
    assert made["parquet"].read_bytes() != made["other_seed"].read_bytes()


def test_committed_parameters_match_a_refit(shared_data):
    # Equal up to the last digits of the fitted floats: a least-squares fit's final bits differ
    # between CPUs and BLAS builds (seen: 3.249663659956109 vs 3.2496636599561097).
    refit = json.loads(synth.dump_params(synth.refit(shared_data)))
    committed = json.loads(synth.PARAMS_PATH.read_text(encoding="utf-8"))
    assert _close(refit, committed)


def _close(a, b) -> bool:
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        return all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list):
        assert len(a) == len(b)
        return all(_close(x, y) for x, y in zip(a, b))
    if isinstance(a, float):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-15)
        return True
    assert a == b
    return True
