"""A folder of small JSON entries on disk, each named by a checksum of what it answers (the
Hub source's metadata, its license files). A checksum names the file; the entry keeps the full
name it answers and a read compares it, so two names that share a checksum only cost a fetch,
never a wrong answer (`util.paths.checksum`).
Writes are atomic (a temporary file, then a rename); a cache that cannot be written only costs
a later request."""

from __future__ import annotations

import os
import time
from pathlib import Path

from clearance.util.paths import checksum


class JsonCache:
    def __init__(self, folder: Path) -> None:
        self.dir = folder

    @staticmethod
    def key(name: str) -> str:
        return checksum(name)

    def path(self, name: str) -> Path:
        return self.dir / f"{self.key(name)}.json"

    def read(self, name: str) -> dict | None:
        """The entry stored for `name`, or None: no entry, an unreadable one, or one that
        answers another name."""
        try:
            text = self.path(name).read_text(encoding="utf-8")
        except OSError:
            return None
        import json  # only for a hit: a miss should not pay for it

        try:
            entry = json.loads(text)
        except ValueError:
            return None
        return entry if isinstance(entry, dict) and entry.get("name") == name else None

    def write(self, name: str, entry: dict) -> bool:
        """Store `entry` for `name`, stamped with the name and the time (`fetched_at`). False
        when the folder cannot be written."""
        import json

        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            tmp = self.dir / f"{self.key(name)}.{os.getpid()}.tmp"
            tmp.write_text(json.dumps({"name": name, "fetched_at": time.time(), **entry}), encoding="utf-8")
            os.replace(tmp, self.path(name))
        except OSError:
            return False
        return True


def fresh(entry: dict, ttl: float, offline: bool) -> bool:
    """Whether a cached entry still answers: always offline (the cache is all there is), else
    for `ttl` seconds after it was fetched. Raises KeyError/ValueError for a malformed entry."""
    return offline or time.time() - float(entry["fetched_at"]) < ttl
