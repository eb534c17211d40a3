"""Snapshot files (DESIGN.md's contract): JSON Lines (optionally gzipped) or Parquet, one Hub
model-info or dataset-info object per line or row, told apart by a `type` field.

A bad line is skipped and counted, each with its file:line in `warnings`; a file with no good
line at all, or one that cannot be opened, is a SourceError. `strict=True` makes the first bad
line an error instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from clearance.artifacts.ids import Ref
from clearance.sources.hubrecord import RecordError, parse_record
from clearance.sources.interface import Record, Source, SourceError
from clearance.util import TYPE_CHECKING
from clearance.util.perf import gc_paused

if TYPE_CHECKING:
    from typing import Any


MAX_WARNINGS_KEPT = 100


class SnapshotSource(Source):
    name = "snapshot"

    def __init__(self, path: str | Path, *, strict: bool = False, kind: str | None = None) -> None:
        self.path = Path(path)
        self.strict = strict
        self.kind = kind  # for a file of datasets without `type` fields
        self.bad_lines = 0
        self.warnings: list[str] = []
        self._raw: dict[str, tuple[int, dict[str, Any]]] | None = None
        self._parsed: dict[str, Record] = {}
        self._index: Any = None  # a SnapshotIndex for a big file, once opened (False: none)

    def __repr__(self) -> str:
        return f"SnapshotSource({str(self.path)!r})"

    # -- loading -------------------------------------------------------------------------------
    def _load(self) -> dict[str, tuple[int, dict[str, Any]]]:
        if self._raw is None:
            if not self.path.is_file():
                raise SourceError(f"{self.path}: no such snapshot file")
            raw: dict[str, tuple[int, dict[str, Any]]] = {}
            with gc_paused():
                self._read_into(raw)
            if not raw and self.bad_lines:
                raise SourceError(f"{self.path}: no readable record ({self.bad_lines} bad lines; first: {self.warnings[0]})")
            self._raw = raw
        return self._raw

    def _read_into(self, raw: dict[str, tuple[int, dict[str, Any]]]) -> None:
        for line_no, obj in self._rows():
            raw[self._key(obj)] = (line_no, obj)

    def _key(self, obj: dict[str, Any]) -> str:
        kind = obj.get("type") if obj.get("type") in ("model", "dataset") else (self.kind or "model")
        return f"{kind}:{obj['id'].strip().lower()}"

    def _bad(self, message: str) -> None:
        if self.strict:
            raise SourceError(message)
        self.bad_lines += 1
        if len(self.warnings) < MAX_WARNINGS_KEPT:
            self.warnings.append(message)

    def _rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        if self.path.name.lower().endswith(".parquet"):
            yield from self._parquet_rows()
            return
        for line_no, _start, _length, obj in self._json_lines():
            yield line_no, obj

    def _json_lines(self) -> Iterator[tuple[int, int, int, dict[str, Any]]]:
        """(line, byte offset, byte length, object) for every good line of a JSON Lines file
        (gzipped or not; the offsets of a gzipped file are those of its decompressed bytes)."""
        import gzip
        import json

        opener = gzip.open if self.path.name.lower().endswith(".gz") else open
        offset = 0
        try:
            with opener(self.path, "rb") as fh:
                for line_no, line in enumerate(fh, 1):
                    start, offset = offset, offset + len(line)
                    if not line.strip():
                        continue
                    try:
                        obj = json.loads(line.decode("utf-8", errors="replace"))
                    except (json.JSONDecodeError, RecursionError) as exc:
                        reason = f"{exc.msg} at column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
                        self._bad(f"{self.path}:{line_no}: not valid JSON ({reason})")
                        continue
                    if self._usable(obj, line_no):
                        yield line_no, start, len(line), obj
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise SourceError(f"{self.path}: cannot read snapshot ({exc})") from None

    def _usable(self, obj: Any, line_no: int) -> bool:
        if not isinstance(obj, dict):
            self._bad(f"{self.path}:{line_no}: a JSON {type(obj).__name__}, not an object")
            return False
        if not isinstance(obj.get("id"), str) or not obj["id"].strip():
            self._bad(f"{self.path}:{line_no}: no string `id`")
            return False
        return True

    def _parquet_rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            pf = pq.ParquetFile(self.path)
            row_no = 0
            for batch in pf.iter_batches(batch_size=4096):
                for obj in batch.to_pylist():
                    row_no += 1
                    _parquet_row(obj)
                    if self._usable(obj, row_no):
                        yield row_no, obj
        except (OSError, pa.ArrowException) as exc:
            raise SourceError(f"{self.path}: cannot read Parquet snapshot ({exc})") from None

    # -- queries -------------------------------------------------------------------------------
    def _parse(self, key: str, line_no: int, obj: dict[str, Any]) -> Record | None:
        try:
            record = parse_record(obj, source=f"snapshot:{self.path.name}:{line_no}",
                                  where=f"{self.path.name}:{line_no}", kind=key.split(":", 1)[0])
        except RecordError as exc:
            self._bad(f"{self.path}:{line_no}: {str(exc).split(': ', 1)[-1]}")
            return None
        self._parsed[key] = record
        return record

    def lookup(self, ref: Ref) -> Record | None:
        if ref.is_path:
            return None
        found = self._parsed.get(ref.key)
        if found is not None:
            return found
        index = self._open_index() if self._raw is None else None
        if index is not None:
            where = index.locate(ref.key)
            obj = index.read(where) if where else None
            return self._parse(ref.key, where[0], obj) if obj is not None else None
        hit = self._load().get(ref.key)
        return self._parse(ref.key, *hit) if hit else None

    # -- the index of a big file (sources/snapshotindex.py) -----------------------------------------
    def _open_index(self):
        if self._index is None:
            self._index = False
            from clearance.sources.snapshotindex import indexable

            if self.path.is_file() and indexable(self.path):
                from clearance.sources.snapshotindex import SnapshotIndex

                try:
                    index = SnapshotIndex.open(self.path, self._index_rows, lambda: (self.bad_lines, self.warnings))
                except OSError:
                    return None  # no writable cache: read the file whole, as for a small one
                self.bad_lines, self.warnings = index.bad_lines, list(index.warnings)
                if not index.count and self.bad_lines:
                    raise SourceError(f"{self.path}: no readable record ({self.bad_lines} bad lines; first: {self.warnings[0]})")
                self._index = index
        return self._index or None

    def _index_rows(self) -> Iterator[tuple[str, int, int, int, bytes | None]]:
        """(key, line, a, b, data) for each good record: JSON Lines (offset, length), Parquet (its JSON)."""
        if not self.path.name.lower().endswith(".parquet"):
            for line_no, start, length, obj in self._json_lines():
                yield self._key(obj), line_no, start, length, None
            return
        import json
        import zlib

        for row_no, obj in self._parquet_rows():
            data = zlib.compress(json.dumps(obj, default=str, separators=(",", ":")).encode("utf-8", "surrogatepass"), 1)
            yield self._key(obj), row_no, 0, 0, data

    def records(self) -> Iterator[Record]:
        """Every record in the file, parsed (the later of two lines with one id wins)."""
        for key, (line_no, obj) in self._load().items():
            record = self._parsed.get(key) or self._parse(key, line_no, obj)
            if record is not None:
                yield record

    def __len__(self) -> int:
        return len(self._load())


def _parquet_row(obj: dict[str, Any]) -> None:
    """A Parquet row as the JSON Lines form has it: cardData a dict without null fields, and
    timestamps (DuckDB and pandas write `createdAt` as one) as ISO text."""
    import json

    for name in ("createdAt", "lastModified"):
        value = obj.get(name)
        if hasattr(value, "isoformat"):
            obj[name] = value.isoformat()

    card = obj.get("cardData")
    if isinstance(card, str):  # JSON columns (DuckDB, pandas) arrive as text
        try:
            obj["cardData"] = json.loads(card)
        except json.JSONDecodeError:
            obj["cardData"] = None
    if isinstance(obj.get("cardData"), dict):  # structs carry every column: drop the nulls
        obj["cardData"] = {k: v for k, v in obj["cardData"].items() if v is not None}
