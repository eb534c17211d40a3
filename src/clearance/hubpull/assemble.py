"""The output file from the committed part files, in constant memory.

Parts are read one at a time and streamed through one ParquetWriter into row groups of
ROW_GROUP rows. Which ids were already written (a repository listed twice) and which still
exist (an incremental pull) are looked up in a SQLite table on disk, not a Python set: memory
stays the same whatever the Hub's size. The result is a function of the parts alone, so an
interrupted assembly simply runs again.

Full pull: the parts in listing order (models, then datasets), the first row of an id kept.
Incremental pull (merge): first the changed rows (newest first, as listed), then the existing
file's rows that did not change, in their order; a row of a kind that was pulled whose id the
Hub no longer lists gets `deleted_at` (the pull's start; a row already marked keeps its date),
and one listed again loses it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from clearance.hubpull.records import KIND_TYPE, SCHEMA, conform
from clearance.hubpull.state import State, WorkDir

ROW_GROUP = 10_000
READ_BATCH = 10_000


@dataclass
class Counts:
    rows: int = 0  # rows in the output
    fetched: int = 0  # rows from the Hub in it
    kept: int = 0  # rows kept from the existing file
    replaced: int = 0  # existing rows a fetched row replaced
    removed: int = 0  # rows newly marked deleted_at
    restored: int = 0  # rows listed again after being marked
    duplicates: int = 0  # repeated ids dropped


class _Writer:
    def __init__(self, path: Path, metadata: dict[bytes, bytes]) -> None:
        self.writer = pq.ParquetWriter(path, SCHEMA.with_metadata(metadata), compression="zstd")
        self.buffer: list[pa.Table] = []
        self.buffered = 0

    def write(self, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        self.buffer.append(table)
        self.buffered += table.num_rows
        if self.buffered >= ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        if self.buffer:
            # concat_tables only lists the pages' chunks (no copy); the writer cuts row groups from them
            self.writer.write_table(pa.concat_tables(self.buffer), row_group_size=ROW_GROUP)
            self.buffer, self.buffered = [], 0

    def close(self) -> None:
        self._flush()
        self.writer.close()


class _Index:
    """Two on-disk sets of `type:id`: written (rows already in the output) and listed (ids the
    Hub lists now)."""

    def __init__(self, path: Path) -> None:
        path.unlink(missing_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("pragma journal_mode=off")
        self.db.execute("pragma synchronous=off")
        self.db.execute("begin")
        self.db.execute("create table written(k text primary key) without rowid")
        self.db.execute("create table listed(k text primary key) without rowid")
        self.path = path

    def add_new(self, table: str, keys: list[str]) -> list[bool]:
        """Insert each key; True for the ones not there before."""
        cur = self.db.cursor()
        sql = f"insert or ignore into {table} values (?)"
        out = []
        for k in keys:
            cur.execute(sql, (k,))
            out.append(cur.rowcount == 1)
        return out

    def add(self, table: str, keys: list[str]) -> None:
        self.db.executemany(f"insert or ignore into {table} values (?)", ((k,) for k in keys))

    def has(self, table: str, keys: list[str]) -> list[bool]:
        cur = self.db.cursor()
        sql = f"select 1 from {table} where k = ?"
        return [cur.execute(sql, (k,)).fetchone() is not None for k in keys]

    def close(self) -> None:
        self.db.close()
        self.path.unlink(missing_ok=True)


def _keys(table: pa.Table) -> list[str]:
    return [f"{t}:{i}" for t, i in zip(table["type"].to_pylist(), table["id"].to_pylist())]


def _read_parts(paths: list[Path]) -> Iterator[pa.Table]:
    for p in paths:  # one thread: Arrow's thread pools would cost more memory than they save time on a page
        yield pq.read_table(p, use_threads=False)


def _old_batches(path: Path) -> Iterator[pa.Table]:
    pf = pq.ParquetFile(path)
    for batch in pf.iter_batches(batch_size=READ_BATCH, use_threads=False):
        yield conform(pa.Table.from_batches([batch]))


def assemble(work: WorkDir, state: State, old: Path | None, dest: Path, metadata: dict[bytes, bytes]) -> Counts:
    counts = Counts()
    index = _Index(work.path / "index.sqlite")
    writer = _Writer(dest, metadata)
    try:
        rows = [x for x in state.listings if not x.ids_only]
        for listing in rows:
            for table in _read_parts(work.parts(listing)):
                keys = _keys(table)
                fresh = index.add_new("written", keys)
                if not all(fresh):
                    counts.duplicates += fresh.count(False)
                    table = table.filter(pa.array(fresh))
                    keys = [k for k, f in zip(keys, fresh) if f]
                if state.merge and state.mode == "full":  # a full listing is itself the list of what exists
                    index.add("listed", keys)
                counts.fetched += table.num_rows
                writer.write(table)
        if state.merge and old is not None:
            for listing in (x for x in state.listings if x.ids_only):
                type_ = KIND_TYPE[listing.kind]
                for table in _read_parts(work.parts(listing)):
                    index.add("listed", [f"{type_}:{i}" for i in table["id"].to_pylist()])
            pulled = {KIND_TYPE[x.kind] for x in state.listings}
            for table in _old_batches(old):
                keys = _keys(table)
                fresh = index.add_new("written", keys)  # False: replaced by a fetched row (or repeated)
                counts.replaced += fresh.count(False)
                if not all(fresh):
                    table = table.filter(pa.array(fresh))
                    keys = [k for k, f in zip(keys, fresh) if f]
                table = _mark(table, keys, index, pulled, state.started_at, counts)
                counts.kept += table.num_rows
                writer.write(table)
        writer.close()
    finally:
        index.close()
    counts.rows = counts.fetched + counts.kept
    return counts


def _mark(table: pa.Table, keys: list[str], index: _Index, pulled: set[str], now: str, counts: Counts) -> pa.Table:
    if table.num_rows == 0:
        return table
    listed = index.has("listed", keys)
    types = table["type"].to_pylist()
    marks = table["deleted_at"].to_pylist()
    changed = False
    for n, (t, is_listed, mark) in enumerate(zip(types, listed, marks)):
        if t not in pulled:
            continue
        if is_listed and mark is not None:
            marks[n] = None
            counts.restored += 1
            changed = True
        elif not is_listed and mark is None:
            marks[n] = now
            counts.removed += 1
            changed = True
    if not changed:
        return table
    i = table.schema.get_field_index("deleted_at")
    return table.set_column(i, "deleted_at", pa.array(marks, pa.string()))


def max_last_modified(path: Path) -> str | None:
    """The newest lastModified in a snapshot (ISO strings of one format compare as text)."""
    pf = pq.ParquetFile(path)
    if "lastModified" not in pf.schema_arrow.names:
        return None
    best = None
    for batch in pf.iter_batches(batch_size=100_000, columns=["lastModified"]):
        m = pc.max(batch.column(0)).as_py()
        if m is not None and (best is None or m > best):
            best = m
    return best
