"""Each snapshot read once, by the loader `clearance hub` already uses, into the history's
input tables (see `queries.py`), in one DuckDB connection.

Per snapshot: `tables.load` (records, declared values, typed edges), `licenses.register` (raw
values -> KB ids by the normalizer, editions by creation date, and the license semantics from
the engine), `propagate.build_weight_edges`. What the analytics read is appended to the `h_*`
tables with the snapshot's position; the next snapshot's load replaces the per-snapshot tables.
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
FACTS = ("h_model", "h_declared", "h_resolved", "h_edge", "h_quant", "h_license", "h_conflict_pair", "h_satisfying",
         "h_step")


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


def record_date(con: duckdb.DuckDBPyConnection, path: Path) -> dt.date | None:
    """A snapshot's date when none is given: its newest `lastModified` or `createdAt` (a record
    cannot be newer than the listing that holds it)."""
    p = str(path).replace("'", "''")
    src = (f"read_parquet('{p}', union_by_name=true)" if path.suffix == ".parquet" else
           f"read_json('{p}', format='newline_delimited', ignore_errors=true, "
           "columns={'createdAt': 'VARCHAR', 'lastModified': 'VARCHAR'})")
    try:
        (value,) = con.execute(f"""
            select max(greatest(try_cast(lastModified as timestamp), try_cast(createdAt as timestamp)))::date
            from {src}""").fetchone()
    except duckdb.Error as exc:
        raise tables.SnapshotError(f"{path}: cannot read its dates: {str(exc).splitlines()[0]}") from None
    return value


def date_snapshots(con: duckdb.DuckDBPyConnection, paths: Sequence[Path],
                   dates: Sequence[dt.date | str | None] | None) -> list[Snapshot]:
    """The snapshots with their dates, oldest first (snapshots of one date keep the order given)."""
    if dates is not None and len(dates) != len(paths):
        raise tables.SnapshotError(f"{len(dates)} date(s) for {len(paths)} snapshot(s): give one per snapshot, or none")
    out = []
    for i, path in enumerate(paths):
        path = Path(path)
        if not path.is_file():
            raise tables.SnapshotError(f"{path}: no such file")
        given = dates[i] if dates is not None else None
        if given is not None:
            try:
                day = given if isinstance(given, dt.date) else dt.date.fromisoformat(str(given))
            except ValueError:
                raise tables.SnapshotError(f"{given!r}: not a date (YYYY-MM-DD)") from None
            out.append(Snapshot(path, day, "given"))
            continue
        day = record_date(con, path)
        if day is None:
            raise tables.SnapshotError(f"{path}: no record has a lastModified or createdAt date: give the snapshot's date")
        out.append(Snapshot(path, day, "records"))
    return sorted(out, key=lambda s: s.date)


def build(con: duckdb.DuckDBPyConnection, snapshots: Sequence[Snapshot], kb: KnowledgeBase, normalizer: Normalizer,
          org: Organization) -> list[str]:
    """The `h_*` tables of `snapshots` (already in date order) in `con`. Returns the loader's warnings."""
    con.execute("create or replace temp table h_model (snap integer, key varchar, id varchar, downloads bigint)")
    con.execute("create or replace temp table h_declared (snap integer, key varchar)")
    con.execute("create or replace temp table h_resolved (snap integer, key varchar, kb_id varchar)")
    con.execute("create or replace temp table h_edge (snap integer, child varchar, parent varchar)")
    con.execute("create or replace temp table h_quant (snap integer, key varchar)")
    con.execute("create or replace temp table h_license_info (kb_id varchar, category varchar)")
    con.execute("create or replace temp table h_conflict_pair (declared varchar, inherited varchar, nd boolean)")
    con.execute("create or replace temp table h_satisfying (declared varchar, inherited varchar)")
    warnings: list[str] = []
    for snap, s in enumerate(snapshots):
        warnings += tables.load(con, [s.path])
        if not con.execute("select count(*) from models").fetchone()[0]:
            raise tables.SnapshotError(f"{s.path}: no model or dataset in the snapshot")
        licenses.register(con, kb, normalizer, org)
        propagate.build_weight_edges(con)
        con.execute(f"insert into h_model select {snap}, key, id, downloads from models where kind = 'model'")
        con.execute(f"insert into h_declared select distinct {snap}, key from declared")
        con.execute(f"insert into h_resolved select distinct {snap}, key, kb_id from resolved where kb_id is not null")
        con.execute(f"insert into h_edge select distinct {snap}, child, parent from weight_edges")
        con.execute(f"insert into h_quant select {snap}, key from quantization")
        # The license tables depend only on the KB: each snapshot adds the ids it met.
        con.execute("insert into h_license_info select kb_id, category from license_info "
                    "where kb_id not in (select kb_id from h_license_info)")
        con.execute("""insert into h_conflict_pair select declared, inherited, nd from conflict_pairs
                       except select declared, inherited, nd from h_conflict_pair""")
        con.execute("""insert into h_satisfying select declared, inherited from satisfying
                       except select declared, inherited from h_satisfying""")
    for t in ("models", "declared", "edges", "resolved", "weight_edges", "quantization"):
        con.execute(f"drop table if exists {t}")
    ranks = ", ".join(f"('{c}', {r})" for c, r in RESTRICTIVENESS.items())
    con.execute(f"""
        create or replace temp table h_license as
        select i.kb_id, i.category, r.strictness
        from h_license_info i left join (values {ranks}) r(category, strictness) on r.category = i.category
    """)
    con.execute("drop table h_license_info")
    con.execute("create or replace temp table h_step (snap integer, prev integer)")
    con.execute("insert into h_step select i, i - 1 from range(1, ?) t(i)", [len(snapshots)])
    return warnings
