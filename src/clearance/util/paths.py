"""Where Clearance keeps what it computes once: one cache directory, with a folder per kind,
and the checksum that names a cached file after what it holds."""

from __future__ import annotations

import os
import zlib
from pathlib import Path


def cache_dir(kind: str | None = None) -> Path:
    """$CLEARANCE_CACHE_DIR, else $XDG_CACHE_HOME/clearance, else ~/.cache/clearance; with
    `kind`, its folder for that kind (`hub`, `snapshots`...)."""
    explicit = os.environ.get("CLEARANCE_CACHE_DIR")
    if explicit:
        base = Path(explicit)
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")) / "clearance"
    return base / kind if kind else base


def checksum(text: str) -> str:
    """16 hex digits naming a cache file after `text` (what it answers). Not a secure hash: each
    cache keeps the full text in the file and compares it on read, so a collision costs a
    rebuild, never a wrong answer; zlib, because importing hashlib (OpenSSL) costs every cold
    `check` ~3 ms."""
    data = text.encode("utf-8", "surrogatepass")
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"
