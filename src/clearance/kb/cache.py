"""A compiled copy of the bundled knowledge base, so a cold process skips YAML and pydantic.

The key covers everything the compiled value depends on: Clearance's version, the terms
schema version, the KB code's files and each KB file's name, size and modification time. Any change to a KB file
gives a new key, so a stale copy is never read. A copy that cannot be read (truncated,
written by another Python, tampered) is ignored and rebuilt; failing to write one only costs
speed. The copy lives in the user's cache directory: pickle is safe here because nobody but
the user writes there.
"""

from __future__ import annotations

import os
import pickle
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from clearance.kb.terms import SCHEMA_VERSION
from clearance.util import TYPE_CHECKING
from clearance.util.paths import checksum
from clearance.util.version import __version__

if TYPE_CHECKING:
    from typing import TypeVar

    T = TypeVar("T")


def cache_dir() -> Path:
    """Clearance's cache directory (util.paths)."""
    from clearance.util.paths import cache_dir as base

    return base()


INSTALLS = 4  # copies of the KB, catalogue and ScanCode table kept: one per install that shares the cache

# The code that shapes the compiled value: a change to it (a new term, say) must not meet an
# old pickle, even before the version number changes.
_CODE = tuple(Path(__file__).with_name(n) for n in ("terms.py", "schema.py", "loader.py", "cache.py"))


def key_for(paths: Sequence[Path], name: str = "kb", extra: str = "") -> str:
    """Everything the cached value depends on, spelled out. The file name holds a checksum of
    it and the file the key itself, compared in full on every read: a checksum collision can
    only cost a rebuild, never serve a wrong value (and hashlib's OpenSSL import is not paid)."""
    parts = [f"{name}|{__version__}|{SCHEMA_VERSION}|{sys.version_info[:2]}|{extra}"]
    for path in (*_CODE, *paths):
        st = path.stat()
        parts.append(f"{path}:{st.st_size}:{st.st_mtime_ns}")
    return "|".join(parts)


def file_name(name: str, key: str) -> str:
    return f"{name}-{checksum(key)}.pickle"


def cached(paths: Sequence[Path], build: Callable[[], T], name: str = "kb", extra: str = "",
           keep: int = 1) -> T:
    """The value `build()` gives for these files (and `extra`, any other input it depends on),
    from the cache when it has a current copy. `name` keeps different values apart (the KB,
    ScanCode's license table, policies); `keep` is how many copies of that name to keep:
    more than one where several installs (virtualenvs, checkouts: their files differ, so do
    their keys) or several projects' policies share one cache and would otherwise evict each
    other on every run."""
    try:
        key = key_for(paths, name, extra)
        target = cache_dir() / file_name(name, key)
    except OSError:
        return build()
    try:
        with target.open("rb") as fh:
            stored_key, value = pickle.load(fh)
        if stored_key == key:
            return value
    except FileNotFoundError:
        pass
    except Exception:  # noqa: BLE001 - any unreadable copy is simply rebuilt
        pass
    value = build()
    _write(target, (key, value), keep)
    return value


def _write(target: Path, value: object, keep: int = 1) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # A name no other process uses, opened exclusively (tempfile's import costs a short
        # command more than this), then an atomic rename: a concurrent reader sees the old
        # file or the new one.
        tmp = target.with_name(f".{target.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")
        try:
            with open(tmp, "xb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        olds = [p for p in target.parent.glob(f"{target.name.rsplit('-', 1)[0]}-*.pickle") if p != target]
        olds.sort(key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in olds[keep - 1:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass
