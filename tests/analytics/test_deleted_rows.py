"""Rows a pull marked `deleted_at` (models the Hub no longer lists) are no present models in
the analytics: not counted, not a parent, and a later snapshot's mark removes an id an earlier
snapshot still lists."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from clearance.analytics import tables
from clearance.analytics.hub import HubAnalysis
from clearance.hubpull.records import to_table

GONE = "2026-12-01T00:00:00.000Z"
RECORDS = [
    {"id": "base/live", "tags": ["license:apache-2.0"], "cardData": {"license": "apache-2.0"}},
    {"id": "base/gone", "tags": ["license:llama2"], "cardData": {"license": "llama2"}},
    {"id": "ft/of-gone", "tags": ["license:mit", "base_model:base/gone"], "cardData": {"license": "mit", "base_model": "base/gone"}},
    {"id": "ft/gone-too", "tags": ["license:mit", "base_model:base/live"], "cardData": {"license": "mit", "base_model": "base/live"}},
]
DELETED = {"base/gone", "ft/gone-too"}


def pulled(path: Path, records: list[dict], deleted: set[str]) -> Path:
    """A Parquet snapshot as `hub pull` writes it, `deleted` marked gone."""
    table, bad = to_table([dict(r) for r in records], "model")
    assert bad == 0
    marks = [GONE if rid in deleted else None for rid in table.column("id").to_pylist()]
    table = table.set_column(table.schema.get_field_index("deleted_at"), "deleted_at", pa.array(marks, pa.string()))
    pq.write_table(table, path)
    return path


def loaded(*paths: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    tables.load(con, list(paths))
    return con


def ids(con, sql: str) -> set[str]:
    return {r[0] for r in con.execute(sql).fetchall()}


def test_rows_marked_deleted_are_not_present_models(tmp_path):
    con = loaded(pulled(tmp_path / "hub.parquet", RECORDS, DELETED))
    assert ids(con, "select id from models") == {"base/live", "ft/of-gone"}
    assert ids(con, "select m.key from declared d join model_ids m on m.n = d.n") == {"base/live", "ft/of-gone"}
    # the edge to a gone base stays (the card still names it); the base is no model
    assert ids(con, "select child || ' <- ' || parent from edges") == {"ft/of-gone <- base/gone"}
    assert "gone" not in [c[0] for c in con.execute("select * from models limit 0").description]


def test_hub_stats_count_only_listed_models(tmp_path):
    stats = HubAnalysis([pulled(tmp_path / "hub.parquet", RECORDS, DELETED)]).stats()
    assert stats["models"] == 2


def test_a_later_snapshots_mark_removes_an_id_an_earlier_one_lists(tmp_path):
    before = pulled(tmp_path / "before.parquet", RECORDS, set())
    after = pulled(tmp_path / "after.parquet", RECORDS, {"base/live"})
    assert ids(loaded(before, after), "select id from models") == {r["id"] for r in RECORDS} - {"base/live"}
    # and a mark in the earlier one is undone by a later record that lists the id again
    assert ids(loaded(after, before), "select id from models") == {r["id"] for r in RECORDS}


def test_snapshots_without_the_column_and_json_lines_with_it(tmp_path):
    plain = tmp_path / "plain.parquet"
    table, _ = to_table([dict(r) for r in RECORDS], "model")
    pq.write_table(table.drop_columns(["deleted_at"]), plain)
    assert ids(loaded(plain), "select id from models") == {r["id"] for r in RECORDS}
    lines = tmp_path / "hub.jsonl"
    lines.write_text("".join(json.dumps({**r, "deleted_at": GONE if r["id"] in DELETED else None}) + "\n" for r in RECORDS))
    assert ids(loaded(lines), "select id from models") == {"base/live", "ft/of-gone"}
    assert ids(loaded(plain, lines), "select id from models") == {"base/live", "ft/of-gone"}


def numbered(con) -> tuple[dict[str, int], list[tuple]]:
    """Each present model's number (`model_ids`) and the edges by id and by number."""
    n = dict(con.execute("select key, n from model_ids").fetchall())
    edges = con.execute("select child, parent, child_n, parent_n from edges").fetchall()
    return n, edges


def test_models_are_numbered_densely_after_deletions_and_duplicates(tmp_path):
    # The walk joins models by number (the table's row id): with rows marked deleted in one
    # snapshot and ids repeated across two, the numbers must still be 0..N-1, one per model,
    # and every edge must carry its ends' numbers, a parent that is no model one after them all.
    before = pulled(tmp_path / "before.parquet", RECORDS, set())
    after = pulled(tmp_path / "after.parquet", RECORDS, DELETED)
    con = loaded(before, after)
    n, edges = numbered(con)
    assert set(n) == {"base/live", "ft/of-gone"}
    assert sorted(n.values()) == list(range(len(n)))
    assert edges == [("ft/of-gone", "base/gone", n["ft/of-gone"], len(n))]
    # the audit agrees: the gone base is missing, so its derivative's verdict is unknown
    audit = HubAnalysis([before, after])
    rows = dict(audit.con.execute("select id, verdict from audit").fetchall())
    assert rows == {"base/live": "cleared", "ft/of-gone": "unknown"}
