"""Each snapshot read once, by the loader `clearance hub` already uses, into the history's
input tables (see `queries.py`), in one DuckDB connection.

Per snapshot: `tables.load` (records, declared values, typed edges), `licenses.register` (raw
values -> KB ids by the normalizer, editions by creation date, and the license semantics from
the engine), `propagate.build_weight_edges`. What the analytics read is appended to the `h_*`
tables with the snapshot's position; the next snapshot's load replaces the per-snapshot tables.
Snapshots are read in the order given, an undated one dated by the load itself (its newest
record), then renumbered by date: no file is read twice.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from clearance.analytics import licenses, propagate, tables
from clearance.analytics.diff import RESTRICTIVENESS
from clearance.analytics.hub import DEFAULT_MEMORY_LIMIT
from clearance.engine.values import Organization
from clearance.kb.loader import KnowledgeBase
from clearance.kb.normalizer import Normalizer

# The tables the analytics read (and Spark is given), in the order they are written.
FACTS = ("h_model", "h_declared", "h_resolved", "h_edge", "h_quant", "h_license", "h_step")


@dataclass(frozen=True)
class Snapshot:
    path: Path
    date: dt.date
    dated_by: str  # "given" or "records"


def connect() -> tuple[duckdb.DuckDBPyConnection, tempfile.TemporaryDirectory | None]:
    """A connection set up as HubAnalysis sets up its own (bounded memory, spilling to disk)."""
    con = duckdb.connect()
    # DuckDB draws a progress bar on stdout for a long statement: it would corrupt `--format json`.
    con.execute("set enable_progress_bar = false")
    con.execute("set checkpoint_threshold = '1TB'")
    con.execute("set preserve_insertion_order = false")
    spill = None
    limit = os.environ.get("CLEARANCE_DUCKDB_MEMORY", DEFAULT_MEMORY_LIMIT)
    if limit:
        con.execute("set memory_limit = ?", [limit])
        spill = tempfile.TemporaryDirectory(prefix="clearance-duckdb-")
        con.execute("set temp_directory = ?", [spill.name])
    return con, spill


def given_dates(paths: Sequence[Path], dates: Sequence[dt.date | str | None] | None) -> list[dt.date | None]:
    """Each snapshot's given date (None: to be read from its records), the files checked first."""
    if dates is not None and len(dates) != len(paths):
        raise tables.SnapshotError(f"{len(dates)} date(s) for {len(paths)} snapshot(s): give one per snapshot, or none")
    out: list[dt.date | None] = []
    for i, path in enumerate(paths):
        if not Path(path).is_file():
            raise tables.SnapshotError(f"{path}: no such file")
        given = dates[i] if dates is not None else None
        if given is not None and not isinstance(given, dt.date):
            try:
                given = dt.date.fromisoformat(str(given))
            except ValueError:
                raise tables.SnapshotError(f"{given!r}: not a date (YYYY-MM-DD)") from None
        out.append(given)
    return out


def build(con: duckdb.DuckDBPyConnection, paths: Sequence[Path], dates: Sequence[dt.date | str | None] | None,
          kb: KnowledgeBase, normalizer: Normalizer, org: Organization) -> tuple[list[Snapshot], list[str]]:
    """The `h_*` tables of the snapshots at `paths` in `con`, each snapshot read once. A snapshot's
    date is `dates[i]` when given, else its newest `lastModified` / `createdAt` (a record cannot be
    newer than the listing that holds it: `tables.load` keeps it in `snapshot_dates`). Returns the
    snapshots oldest first (those of one date in the order given), `snap` numbering them so, and
    the loader's warnings in that order."""
    paths = [Path(p) for p in paths]
    days = given_dates(paths, dates)
    con.execute("create or replace temp table h_model (snap integer, key varchar, id varchar, downloads bigint)")
    con.execute("create or replace temp table h_declared (snap integer, key varchar)")
    con.execute("create or replace temp table h_resolved (snap integer, key varchar, kb_id varchar)")
    con.execute("create or replace temp table h_edge (snap integer, child varchar, parent varchar)")
    con.execute("create or replace temp table h_quant (snap integer, key varchar)")
    con.execute("create or replace temp table h_license_info (kb_id varchar, category varchar)")
    read: list[Snapshot] = []
    warnings: list[list[str]] = []
    for snap, (path, day) in enumerate(zip(paths, days)):
        warnings.append(tables.load(con, [path], dates=day is None))
        if day is None:
            (day,) = con.execute("select max(date) from snapshot_dates").fetchone()
            if day is None:
                raise tables.SnapshotError(f"{path}: no record has a lastModified or createdAt date: give the snapshot's date")
            read.append(Snapshot(path, day, "records"))
        else:
            read.append(Snapshot(path, day, "given"))
        if not con.execute("select count(*) from models").fetchone()[0]:
            raise tables.SnapshotError(f"{path}: no model or dataset in the snapshot")
        licenses.register(con, kb, normalizer, org)
        propagate.build_weight_edges(con)
        con.execute(f"insert into h_model select {snap}, key, id, downloads from model_ids where kind = 'model'")
        con.execute(f"insert into h_declared select {snap}, key from model_ids where n in (select n from declared)")
        con.execute(f"insert into h_resolved select distinct {snap}, m.key, r.kb_id from resolved r "
                    "join model_ids m on m.n = r.n where r.kb_id is not null")
        con.execute(f"insert into h_edge select distinct {snap}, child, parent from weight_edges")
        con.execute(f"insert into h_quant select {snap}, key from quantization")
        # The license table depends only on the KB: each snapshot adds the ids it met.
        con.execute("insert into h_license_info select kb_id, category from license_info "
                    "where kb_id not in (select kb_id from h_license_info)")
    order = sorted(range(len(read)), key=lambda i: read[i].date)
    if order != list(range(len(read))):
        # read in the order given: renumbered by date (a stable sort: one date keeps the order given)
        renumber = ", ".join(f"({old}, {new})" for new, old in enumerate(order))
        for t in ("h_model", "h_declared", "h_resolved", "h_edge", "h_quant"):
            con.execute(f"update {t} set snap = o.new from (values {renumber}) o(old, new) where {t}.snap = o.old")
    con.execute("drop view if exists edges")
    for t in ("models", "declared", "edges_n", "parent_ids", "resolved", "weight_edges", "quantization", "snapshot_dates"):
        con.execute(f"drop table if exists {t}")
    ranks = ", ".join(f"('{c}', {r})" for c, r in RESTRICTIVENESS.items())
    con.execute(f"""
        create or replace temp table h_license as
        select i.kb_id, i.category, r.strictness
        from h_license_info i left join (values {ranks}) r(category, strictness) on r.category = i.category
    """)
    con.execute("drop table h_license_info")
    con.execute("create or replace temp table h_step (snap integer, prev integer)")
    con.execute("insert into h_step select i, i - 1 from range(1, ?) t(i)", [len(read)])
    return [read[i] for i in order], [w for i in order for w in warnings[i]]
