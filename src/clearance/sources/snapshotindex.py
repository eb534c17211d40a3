"""An on-disk index of a big snapshot file: each record's key -> where it sits in the file, so a
check reads the few lines of one lineage instead of a whole-Hub file (2.5M models) every run.

Built on first use and kept in Clearance's cache directory (`snapshots/`), in SQLite (in the
standard library; a lookup is one B-tree probe). The index names the file by its resolved path,
size and modification time and is rebuilt when any of them changes; it is written to a temporary
file and renamed, so a crash or a second process never leaves a half-built index in use.

JSON Lines: the byte offset and length of the line. Parquet: the record itself, as compressed
JSON (a Parquet file cannot give one row without decoding its whole row group: 1-2 s a lookup
at 100k rows a group, against well under a millisecond from the index). Gzipped JSON Lines
cannot be read from the middle, so they are not indexed.
"""

from __future__ import annotations

import json
import os
import sqlite3
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from clearance.util.paths import cache_dir

INDEX_VERSION = 2
# Smaller files are read whole, as before: building an index costs more than it saves.
MIN_INDEXED_BYTES = 16 * 1024 * 1024


def indexable(path: Path) -> bool:
    if os.environ.get("CLEARANCE_SNAPSHOT_INDEX", "").lower() in ("0", "off", "no", "false"):
        return False  # read whole, as before the index (for a one-off look at a big file, or to compare)
    name = path.name.lower()
    if name.endswith(".gz"):
        return False
    try:
        return path.stat().st_size >= MIN_INDEXED_BYTES
    except OSError:
        return False


def _identity(path: Path) -> str:
    st = path.stat()
    return f"v{INDEX_VERSION}|{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"


class SnapshotIndex:
    """key -> (line or row number, a, b): JSON Lines (offset, length); Parquet (row group, row),
    with the record's compressed JSON in `data`."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self.db, self.path = db, path
        meta = dict(db.execute("select name, value from meta").fetchall())
        self.bad_lines = int(meta.get("bad_lines", "0"))
        self.warnings: list[str] = json.loads(meta.get("warnings", "[]"))
        self.count = int(meta.get("count", "0"))

    @classmethod
    def open(cls, path: Path, build_rows: Callable[[], Iterator[tuple[str, int, int, int, bytes | None]]],
             problems: Callable[[], tuple[int, list[str]]]) -> SnapshotIndex:
        """The current index of `path`, built first when missing or stale. `build_rows` yields
        (key, line, a, b, data) for every good record; `problems` then says (bad lines, warnings)."""
        identity = _identity(path)
        name = zlib.crc32(identity.encode("utf-8", "surrogatepass"))
        target = cache_dir("snapshots") / f"{name:08x}.sqlite"
        db = _open_current(target, identity)
        if db is None:
            _build(target, identity, build_rows, problems)
            db = _open_current(target, identity)
            if db is None:  # the cache directory is not writable: the caller reads the file whole
                raise OSError(f"cannot write the snapshot index {target}")
        return cls(db, path)

    def locate(self, key: str) -> tuple[int, int, int, bytes | None] | None:
        row = self.db.execute("select line, a, b, data from records where key = ?", (key,)).fetchone()
        return tuple(row) if row else None

    def read(self, where: tuple[int, int, int, bytes | None]) -> dict | None:
        """The raw record object at a location the index gave."""
        line, a, b, data = where
        if data is not None:
            data = zlib.decompress(data)
        else:
            with self.path.open("rb") as fh:
                fh.seek(a)
                data = fh.read(b)
        try:
            obj = json.loads(data.decode("utf-8", errors="replace"))  # as the line was read to index it
        except (ValueError, RecursionError):
            return None
        return obj if isinstance(obj, dict) else None


def _open_current(target: Path, identity: str) -> sqlite3.Connection | None:
    if not target.is_file():
        return None
    try:
        db = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
        row = db.execute("select value from meta where name = 'identity'").fetchone()
        if row and row[0] == identity:
            return db
        db.close()
    except sqlite3.Error:
        pass
    return None


def _build(target: Path, identity: str, build_rows, problems) -> None:
    import tempfile

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".index-", suffix=".sqlite")
    os.close(fd)
    try:
        db = sqlite3.connect(tmp)
        db.execute("pragma journal_mode = off")
        db.execute("pragma synchronous = off")
        db.execute("create table meta (name text primary key, value text)")
        # appended without a key first, indexed once at the end: a B-tree built by one sort,
        # not by a million random inserts (5x faster at 1M records)
        db.execute("create table records (key text, line integer, a integer, b integer, data blob)")
        count = 0
        batch: list[tuple[str, int, int, int, bytes | None]] = []
        for row in build_rows():
            batch.append(row)
            if len(batch) >= 50_000:
                count += _insert(db, batch)
                batch = []
        count += _insert(db, batch)
        bad, warnings = problems()
        # the later of two lines with one id wins, as when the file is read whole
        db.execute("delete from records where rowid not in (select max(rowid) from records group by key)")
        db.execute("create unique index records_key on records(key)")
        total = db.execute("select count(*) from records").fetchone()[0]
        db.executemany("insert into meta values (?, ?)", [
            ("identity", identity), ("count", str(total)), ("bad_lines", str(bad)), ("warnings", json.dumps(warnings)),
        ])
        db.commit()
        db.close()
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _insert(db: sqlite3.Connection, batch: list[tuple[str, int, int, int, bytes | None]]) -> int:
    db.executemany("insert into records values (?, ?, ?, ?, ?)", batch)
    return len(batch)
