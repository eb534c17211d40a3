"""Where Clearance keeps what it computes once: one cache directory, with a folder per kind."""

from __future__ import annotations

import os
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
