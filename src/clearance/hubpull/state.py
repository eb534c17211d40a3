"""The pull's working folder, beside the output: `OUT.pull/`.

  state.json                 the checkpoint: each listing's next-page URL, pages and rows
                             committed (written to a temporary file, fsynced, renamed)
  models-000000.parquet ...  one part file per page committed, in page order
  models-ids-000000.parquet  the id listings of an incremental pull (which repos still exist)
  lock                       held (flock) while a pull runs in the folder

A page is committed in two steps: its part file is written and renamed into place, then the
state naming it is. A crash between the two leaves a part file the state does not count: the
resumed pull asks for that page again and overwrites it, so parts and state always agree.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

STATE_VERSION = 1
# fsync each part and checkpoint before going on: what survives a power cut. A killed process
# needs no fsync (the kernel keeps what was written); the tests turn it off for speed.
DURABLE = True


@dataclass
class Listing:
    name: str  # "models", "datasets", "models-ids", "datasets-ids": also the part files' prefix
    kind: str  # "models" | "datasets"
    url: str  # the first page
    ids_only: bool = False
    next: str | None = None  # the next page to ask for; None with done
    pages: int = 0
    rows: int = 0
    done: bool = False
    total: int | None = None


@dataclass
class State:
    endpoint: str
    kind: str  # "models" | "datasets" | "both"
    mode: str  # "full" | "since"
    merge: bool  # merged into the existing output file
    since: str | None
    started_at: str
    page_size: int | None
    listings: list[Listing] = field(default_factory=list)
    phase: str = "fetch"  # fetch -> assemble -> replace
    version: int = STATE_VERSION

    @classmethod
    def from_json(cls, data: dict) -> State:
        data = dict(data)
        data["listings"] = [Listing(**x) for x in data.get("listings", [])]
        return cls(**data)


class WorkDir:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.path = out.with_name(out.name + ".pull")
        self.state_path = self.path / "state.json"
        self._lock_fd: int | None = None

    def exists(self) -> bool:
        return self.state_path.is_file()

    def create(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)

    def lock(self) -> bool:
        """Take the folder's lock; False when another pull holds it."""
        self.create()
        fd = os.open(self.path / "lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._lock_fd = fd
        return True

    def unlock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def load(self) -> State:
        return State.from_json(json.loads(self.state_path.read_text(encoding="utf-8")))

    def save(self, state: State) -> None:
        write_atomic(self.state_path, json.dumps(asdict(state), indent=1).encode())

    def part(self, listing: Listing, page: int) -> Path:
        return self.path / f"{listing.name}-{page:06d}.parquet"

    def parts(self, listing: Listing) -> list[Path]:
        """The committed parts of a listing, in page order."""
        return [self.part(listing, i) for i in range(listing.pages)]

    def write_part(self, listing: Listing, page: int, table: pa.Table) -> None:
        path = self.part(listing, page)
        tmp = path.with_suffix(".tmp")
        with pq.ParquetWriter(tmp, table.schema, compression="zstd") as writer:
            writer.write_table(table)
        _fsync(tmp)
        os.replace(tmp, path)

    def clear_uncommitted(self, state: State) -> None:
        """Temporary files and parts past the checkpoint (a crash between a part and its state)."""
        counted = {self.part(x, i).name for x in state.listings for i in range(x.pages)}
        for p in self.path.iterdir():
            if p.suffix == ".tmp" or (p.suffix == ".parquet" and p.name not in counted) or p.name == "index.sqlite":
                p.unlink(missing_ok=True)

    def remove(self) -> None:
        self.unlock()
        if not self.path.is_dir():
            return
        for p in self.path.iterdir():
            p.unlink(missing_ok=True)
        try:
            self.path.rmdir()
        except OSError:
            pass


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        if DURABLE:
            os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync(path: Path) -> None:
    if not DURABLE:
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    if not DURABLE:
        return
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
