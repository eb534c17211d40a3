"""`hub history` on DuckDB: a hand-made history with every kind of change, checked figure by
figure; and, on a random history and the real snapshots, the same answers as `hub stats`,
the audit's conflicts and `hub diff`, which the history reuses rather than restates."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import pytest

from clearance.analytics.diff import diff
from clearance.analytics.history import HistoryResult, history, queries
from clearance.analytics.hub import HubAnalysis
from clearance.analytics.tables import SnapshotError

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "hub-2025-sample.jsonl"
LLAMA = "meta-llama/Llama-2-7b"


def record(id: str, license: str | None = None, bases: tuple[str, ...] = (), relation: str | None = None,
           created: str = "2023-09-01", modified: str | None = None, downloads: int = 10,
           license_name: str | None = None, datasets: tuple[str, ...] = ()) -> dict:
    """A Hub model-info record, as the API writes it: tags and cardData."""
    tags, card = [], {}
    if license:
        tags.append(f"license:{license}")
        card["license"] = license
    if license_name:
        card["license_name"] = license_name
    for b in bases:
        tags.append(f"base_model:{b}")
        if relation:
            tags.append(f"base_model:{relation}:{b}")
    if bases:
        card["base_model"] = list(bases) if len(bases) > 1 else bases[0]
    tags += [f"dataset:{d}" for d in datasets]
    return {"type": "model", "id": id, "author": id.split("/")[0], "createdAt": f"{created}T10:00:00.000Z",
            "lastModified": f"{modified or created}T10:00:00.000Z", "downloads": downloads, "likes": 0,
            "tags": tags, "cardData": card or None}


def write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def handmade(tmp: Path) -> list[Path]:
    """Three month-end snapshots, given out of order (the history sorts them by date)."""
    s1, s2, s3 = handmade_records()
    return [write(tmp / "s3.jsonl", s3), write(tmp / "s1.jsonl", s1), write(tmp / "s2.jsonl", s2)]


def handmade_records() -> list[list[dict]]:
    """Three month-end snapshots' records; each change below is named in the test that checks it."""
    s1 = [
        record(LLAMA, "llama2", created="2023-07-18", modified="2024-01-31", downloads=1000),
        record("a/ft1", "llama2", (LLAMA,)),
        record("a/ft2", None, (LLAMA,)),
        record("b/root", "apache-2.0"),
        record("b/gone", "mit"),
        record("c/conf", "mit", (LLAMA,)),  # conflict: mit <- llama2
        record("e/lat", "mit"),
    ]
    s2 = [
        record(LLAMA, "llama2", created="2023-07-18", modified="2024-02-29", downloads=2000),
        record("a/ft1", "apache-2.0", (LLAMA,)),  # relabelled: looser, a new conflict of a model already there
        record("a/ft2", "llama2", (LLAMA,)),  # added
        record("b/root", "cc-by-nc-4.0"),  # tighter
        # b/gone deleted
        record("c/conf", "llama2", (LLAMA,)),  # conflict resolved by the card (mit -> llama2: tighter)
        record("e/lat", "mit"),
        record("d/new", "apache-2.0", (LLAMA,), created="2024-02-10"),  # a new model with a conflict
    ]
    s3 = [
        record(LLAMA, "llama2", created="2023-07-18", modified="2024-03-31", downloads=3000),
        record("a/ft1", "apache-2.0", (LLAMA,)),
        record("a/ft2", None, (LLAMA,)),  # removed
        record("b/root", "mit"),  # looser
        record("c/conf", "llama2", (LLAMA,)),
        record("e/lat", "bsd-3-clause"),  # lateral
        # d/new deleted: its conflict resolved by deletion
        record("f/new2", "mit", ("a/ft1",), created="2024-03-05"),  # a new model, conflicting with its grandparent
    ]
    return [s1, s2, s3]


LICENSES = ["apache-2.0", "mit", "llama2", "gemma", "cc-by-nc-4.0", "openrail++", "creativeml-openrail-m",
            "cc-by-nd-4.0", "gpl-3.0", "other", None, None]


def churn(tmp: Path, seed: int = 7, models: int = 240) -> list[Path]:
    return [write(tmp / f"churn-{k}.jsonl", recs) for k, recs in enumerate(churn_records(seed, models))]


def churn_records(seed: int = 7, models: int = 240) -> list[list[dict]]:
    """Three snapshots of a random Hub with churn: families (fine-tunes, quantizations, merges),
    a lineage cycle, `other` with a license name, a dataset; between snapshots new models,
    deletions, license changes and relabels."""
    rng = random.Random(seed)
    hub: dict[str, dict] = {}
    order: list[str] = []

    def add(i: int, created: str) -> None:
        mid = f"org{i % 17}/model-{i}"
        parents = rng.sample(order, k=min(len(order), rng.choice([0, 0, 1, 1, 1, 2]))) if order else []
        relation = None
        if len(parents) == 1 and rng.random() < 0.25:
            relation = "quantized"
        elif len(parents) == 2:
            relation = "merge"
        if parents and rng.random() < 0.6:
            lic = hub[parents[0]]["license"]  # a derivative usually keeps its base's license
        else:
            lic = rng.choice(LICENSES)
        hub[mid] = {"license": lic, "bases": tuple(parents), "relation": relation, "created": created,
                    "downloads": rng.randrange(0, 5000),
                    "license_name": "llama3" if lic == "other" and rng.random() < 0.5 else None,
                    "datasets": ("tatsu-lab/alpaca",) if rng.random() < 0.1 else ()}
        order.append(mid)

    for i in range(models):
        add(i, f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}")
    hub["cyc/x"] = {"license": "mit", "bases": ("cyc/y",), "relation": None, "created": "2023-05-01", "downloads": 3,
                    "license_name": None, "datasets": ()}
    hub["cyc/y"] = {"license": "llama2", "bases": ("cyc/x",), "relation": None, "created": "2023-05-01",
                    "downloads": 4, "license_name": None, "datasets": ()}
    snapshots, n = [], models
    for k, day in enumerate(["2024-04-30", "2024-05-31", "2024-06-30"]):
        if k:
            for mid in rng.sample(sorted(hub), k=len(hub) // 10):  # deletions
                del hub[mid]
                order.remove(mid) if mid in order else None
            for mid in rng.sample(sorted(hub), k=len(hub) // 8):  # license changes, some to a relabel
                hub[mid]["license"] = rng.choice(LICENSES)
                hub[mid]["license_name"] = None
            for _ in range(models // 6):  # new models
                add(n, f"{day[:8]}0{1 + n % 9}")
                n += 1
        recs = [record(m, h["license"], h["bases"], h["relation"], h["created"], downloads=h["downloads"] * (k + 1),
                       license_name=h["license_name"], datasets=h["datasets"]) for m, h in hub.items()]
        recs[0]["lastModified"] = f"{day}T23:00:00.000Z"
        recs.append({"type": "dataset", "id": "tatsu-lab/alpaca", "tags": ["license:cc-by-nc-4.0"],
                     "cardData": {"license": "cc-by-nc-4.0"}, "downloads": 5, "likes": 1})
        snapshots.append(recs)
    return snapshots


@pytest.fixture(scope="module")
def hand(tmp_path_factory) -> tuple[list[Path], HistoryResult]:
    paths = handmade(tmp_path_factory.mktemp("hand"))
    return paths, history(paths)


def test_each_snapshot_dated_from_its_records_and_sorted(hand):
    _, r = hand
    assert [s["date"] for s in r.snapshots] == [dt.date(2024, 1, 31), dt.date(2024, 2, 29), dt.date(2024, 3, 31)]
    assert [Path(s["snapshot"]).name for s in r.snapshots] == ["s1.jsonl", "s2.jsonl", "s3.jsonl"]
    assert {s["dated_by"] for s in r.snapshots} == {"records"}


def test_per_snapshot_figures(hand):
    _, r = hand
    assert [(s["models"], s["declared"], s["undeclared"], s["conflicts"]) for s in r.snapshots] == [
        (7, 6, 1, 1), (7, 7, 0, 2), (7, 6, 1, 2)]
    first = {c["category"]: c for c in r.categories if c["date"] == dt.date(2024, 1, 31)}
    assert {k: v["models"] for k, v in first.items()} == {"community": 2, "none": 1, "permissive": 4}
    assert first["permissive"]["share"] == 4 / 7
    assert first["community"]["download_share"] == 1010 / 1060  # Llama's 1000 and a/ft1's 10 of 1060
    for day in {c["date"] for c in r.categories}:
        assert sum(c["models"] for c in r.categories if c["date"] == day) == 7


def test_changes_between_snapshots(hand):
    _, r = hand
    keys = ("new_models", "deleted_models", "models_in_both", "changed", "tighter", "looser", "lateral", "added",
            "removed", "relabelled", "new_conflicts", "new_conflicts_in_new_models", "resolved_conflicts",
            "resolved_by_deletion")
    got = [{k: c[k] for k in keys} | {"date": c["date"], "previous": c["previous"]} for c in r.changes]
    assert got == [
        dict(new_models=1, deleted_models=1, models_in_both=6, changed=4, tighter=2, looser=1, lateral=0, added=1,
             removed=0, relabelled=1, new_conflicts=2, new_conflicts_in_new_models=1, resolved_conflicts=1,
             resolved_by_deletion=0, date=dt.date(2024, 2, 29), previous=dt.date(2024, 1, 31)),
        dict(new_models=1, deleted_models=1, models_in_both=6, changed=3, tighter=0, looser=1, lateral=1, added=0,
             removed=1, relabelled=0, new_conflicts=1, new_conflicts_in_new_models=1, resolved_conflicts=1,
             resolved_by_deletion=1, date=dt.date(2024, 3, 31), previous=dt.date(2024, 2, 29)),
    ]
    models = {(c["date"].month, c["id"]): (c["before"], c["after"], c["direction"], c["relabelled"])
              for c in r.changed_models}
    assert models == {
        (2, "a/ft1"): (["llama2"], ["apache-2.0"], "looser", True),
        (2, "a/ft2"): ([], ["llama2"], "added", False),
        (2, "b/root"): (["apache-2.0"], ["cc-by-nc-4.0"], "tighter", False),
        (2, "c/conf"): (["mit"], ["llama2"], "tighter", False),
        (3, "a/ft2"): (["llama2"], [], "removed", False),
        (3, "b/root"): (["cc-by-nc-4.0"], ["mit"], "looser", False),
        (3, "e/lat"): (["mit"], ["bsd-3-clause"], "lateral", False),
    }
    events = {(c["date"].month, c["id"], c["change"]): (c["pairs"], c["model"]) for c in r.conflict_changes}
    assert events == {
        (2, "a/ft1", "new"): (["apache-2.0 <- llama2"], "same model"),
        (2, "d/new", "new"): (["apache-2.0 <- llama2"], "new model"),
        (2, "c/conf", "resolved"): (["mit <- llama2"], "same model"),
        (3, "f/new2", "new"): (["mit <- llama2"], "new model"),
        (3, "d/new", "resolved"): (["apache-2.0 <- llama2"], "deleted"),
    }


def test_rows_and_json_for_the_front_ends(hand):
    _, r = hand
    summary = r.rows()
    assert [row["date"] for row in summary] == ["2024-01-31", "2024-02-29", "2024-03-31"]
    assert summary[0]["changed"] == "" and summary[1]["changed"] == 4 and summary[2]["relabelled"] == 0
    assert list(summary[0]) == list(summary[2])  # one header for CSV
    doc = json.loads(json.dumps(r.to_json()))
    assert doc["schema_version"] == 1 and doc["engine"] == "duckdb"
    assert set(doc) == {"schema_version", "engine", "snapshots", "categories", "changes", "changed_models",
                        "conflict_changes", "warnings"}
    assert doc["changed_models"][0]["date"] == "2024-02-29"
    with pytest.raises(ValueError, match="not one of"):
        r.rows("nope")


def test_given_dates_win_and_must_match(hand, tmp_path):
    paths, _ = hand
    r = history(paths, dates=["2025-03-01", "2025-01-01", None])  # s3, s1, and s2 from its records
    assert [(Path(s["snapshot"]).name, str(s["date"]), s["dated_by"]) for s in r.snapshots] == [
        ("s2.jsonl", "2024-02-29", "records"), ("s1.jsonl", "2025-01-01", "given"), ("s3.jsonl", "2025-03-01", "given")]
    with pytest.raises(SnapshotError, match="1 date"):
        history(paths, dates=["2025-01-01"])
    with pytest.raises(SnapshotError, match="not a date"):
        history(paths[:1], dates=["March"])
    undated = write(tmp_path / "undated.jsonl", [{"id": "x/y", "tags": []}])
    with pytest.raises(SnapshotError, match="give the snapshot's date"):
        history([undated])
    assert history([undated], dates=["2024-01-01"]).snapshots[0]["models"] == 1
    with pytest.raises(ValueError, match="engine"):
        history(paths, engine="polars")


def _agrees_with_hub(paths: list[Path], r: HistoryResult) -> None:
    """Per snapshot, `hub stats` and the audit's conflicts; per step, `hub diff`."""
    by_path = {Path(s["snapshot"]): s for s in r.snapshots}
    for path in paths:
        hub = HubAnalysis([path])
        stats, mine = hub.stats(), by_path[path]
        assert (mine["models"], mine["declared"], mine["undeclared"], mine["conflicts"]) == (
            stats["models"], stats["declared"], stats["undeclared"], stats["conflicts"]["total"]), path
    ordered = [Path(s["snapshot"]) for s in r.snapshots]
    audits = {p: {row["id"]: set(row["conflict_pairs"]) for row in HubAnalysis([p]).rows(
        "select id, conflict_pairs from audit where len(conflict_pairs) > 0")} for p in ordered}
    for old, new, step in zip(ordered, ordered[1:], r.changes):
        d = diff(old, new, top=10**9)
        assert step["models_in_both"] == d["models_in_both"]
        assert step["changed"] == d["changed"]
        assert {k: v for k, v in step.items() if k in d["by_direction"]} == d["by_direction"]
        ours = sorted((c["id"], c["before"], c["after"], c["direction"]) for c in r.changed_models
                      if c["date"] == step["date"])
        assert ours == sorted((c["id"], list(c["before"]), list(c["after"]), c["direction"])
                              for c in d["changed_models"])
        # a model in both with a pair it did not have: hub diff's new conflicts
        assert {c["id"] for c in r.conflict_changes if c["date"] == step["date"] and c["change"] == "new"
                and c["model"] == "same model"} == {c["id"] for c in d["new_conflict_examples"]}
        # every new pair is one the later audit has and the earlier one had not
        before, after = audits[old], audits[new]
        for c in r.conflict_changes:
            if c["date"] == step["date"] and c["change"] == "new":
                assert set(c["pairs"]) <= after[c["id"]] and not set(c["pairs"]) & before.get(c["id"], set())


def test_random_churn_agrees_with_hub_stats_audit_and_diff(tmp_path):
    paths = churn(tmp_path)
    r = history(paths)
    assert len(r.snapshots) == 3 and all(s["conflicts"] for s in r.snapshots)
    assert all(c["changed"] and c["new_models"] and c["deleted_models"] for c in r.changes)
    assert any(c["relabelled"] for c in r.changes) and any(c["resolved_conflicts"] for c in r.changes)
    _agrees_with_hub(paths, r)


def test_real_snapshots_agree_with_hub_stats_and_diff(shared_data):
    paths = [SAMPLE, shared_data / "hub-2022-02.jsonl"]
    r = history(paths)
    assert [(str(s["date"]), s["models"], s["undeclared"], s["conflicts"]) for s in r.snapshots] == [
        ("2022-02-15", 29432, 21934, 0), ("2025-04-24", 1532, 642, 271)]
    _agrees_with_hub([shared_data / "hub-2022-02.jsonl", SAMPLE], r)


def test_every_statement_transpiles_to_spark_sql():
    """One definition for both engines: each statement has a Spark SQL translation (SQLGlot
    raising on anything it cannot express), checked here even where pyspark is not installed."""
    pytest.importorskip("sqlglot", reason="sqlglot comes with clearance[spark]")
    from clearance.analytics.engines import to_spark
    from clearance.analytics.propagate import closure_sql

    start, step, grow = closure_sql("h_closure", "h_edge", queries.CLOSURE_BY)
    statements = [start, step, grow.format(level=2),
                  *(sql for _, sql in queries.COMBINATIONS), queries.DISTINCT_COMBINATIONS, queries.CONFLICT,
                  *(sql for _, sql in queries.STEPS), *queries.RESULTS.values()]
    for sql in statements:
        out = to_spark(sql)
        assert out and "string_agg" not in out.lower()  # Spark 4 spells it LISTAGG ... WITHIN GROUP


def test_a_pulled_parquet_snapshot_with_rows_marked_deleted(hand, tmp_path):
    """`hub pull` keeps the rows of models the Hub no longer lists, marked `deleted_at`: the
    loader leaves them out, so in a history they are deleted models."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from clearance.hubpull.records import to_table

    s1, s2, _ = handmade_records()
    table, bad = to_table([dict(r) for r in s2], "model")
    assert bad == 0
    marks = ["2024-03-01T00:00:00.000Z" if i == "e/lat" else None for i in table.column("id").to_pylist()]
    table = table.set_column(table.schema.get_field_index("deleted_at"), "deleted_at", pa.array(marks, pa.string()))
    pq.write_table(table, tmp_path / "pulled.parquet")
    r = history([write(tmp_path / "s1.jsonl", s1), tmp_path / "pulled.parquet"])
    assert [s["models"] for s in r.snapshots] == [7, 6]
    assert r.changes[0]["deleted_models"] == 2 and r.changes[0]["new_models"] == 1  # b/gone and e/lat; d/new
    assert str(r.snapshots[1]["date"]) == "2024-02-29"


def test_spark_without_pyspark_says_what_to_install(hand, monkeypatch):
    from clearance.analytics.history import EngineError

    monkeypatch.setitem(__import__("sys").modules, "pyspark", None)  # as if not installed
    with pytest.raises(EngineError, match=r"pip install 'clearance\[spark\]'"):
        history(hand[0], engine="spark")


def test_a_parquet_snapshot_without_last_modified_loads_and_is_dated_by_creation(tmp_path):
    """Another tool's Parquet export may leave out `lastModified` (only `deleted_at` was optional
    before): every hub command still reads it, and history dates it by its newest createdAt."""
    import duckdb

    plain = tmp_path / "no-last-modified.parquet"
    con = duckdb.connect()
    con.execute(f"copy (select * exclude (lastModified) from read_json('{SAMPLE}', format='newline_delimited')) "
                f"to '{plain}' (format parquet)")
    newest = con.execute(f"select max(try_cast(createdAt as timestamp))::date from '{plain}'").fetchall()[0][0]
    assert HubAnalysis([plain]).stats()["models"] == HubAnalysis([SAMPLE]).stats()["models"]
    result = history([plain])
    assert [s["date"] for s in result.snapshots] == [newest]
    assert result.snapshots[0]["models"] == HubAnalysis([SAMPLE]).stats()["models"]
