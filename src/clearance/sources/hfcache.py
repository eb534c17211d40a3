"""The Hugging Face cache (`HF_HUB_CACHE`, else `HF_HOME/hub`, else ~/.cache/huggingface/hub):
every cached model and dataset, read from its snapshot folder at the cached revision.

The cache is scanned once, lazily, with huggingface_hub's `scan_cache_dir`. For a reference
without a revision, the revision `main` points at wins, else the most recently modified one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from clearance.artifacts.ids import Ref, key
from clearance.sources.folder import read_local
from clearance.sources.interface import Record, Source


def default_cache_dir() -> Path:
    """Read the environment at call time (huggingface_hub reads it once, at import)."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.path.expandvars(os.path.expanduser(os.environ["HF_HUB_CACHE"])))
    if os.environ.get("HUGGINGFACE_HUB_CACHE"):
        return Path(os.path.expandvars(os.path.expanduser(os.environ["HUGGINGFACE_HUB_CACHE"])))
    home = os.environ.get("HF_HOME") or os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "huggingface")
    return Path(os.path.expandvars(os.path.expanduser(home))) / "hub"


class HFCacheSource(Source):
    name = "hf-cache"

    def __init__(self, cache_dir: str | Path | None = None) -> None:
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        self.warnings: list[str] = []
        self._repos: dict[str, object] | None = None

    def _index(self) -> dict[str, object]:
        if self._repos is None:
            self._repos = {}
            if not self.cache_dir.is_dir():
                return self._repos
            from huggingface_hub import scan_cache_dir
            from huggingface_hub.errors import CacheNotFound

            try:
                info = scan_cache_dir(self.cache_dir)
            except (CacheNotFound, OSError, ValueError) as exc:
                self.warnings.append(f"{self.cache_dir}: cache not scanned ({exc})")
                return self._repos
            self.warnings.extend(f"{self.cache_dir}: {w}" for w in info.warnings)
            for repo in info.repos:
                if repo.repo_type in ("model", "dataset"):
                    self._repos[key(repo.repo_type, repo.repo_id)] = repo
        return self._repos

    def _revision(self, repo: object, wanted: str | None):
        revisions = list(repo.revisions)  # type: ignore[attr-defined]
        if wanted:
            for rev in revisions:
                if rev.commit_hash.startswith(wanted.lower()) or wanted in rev.refs:
                    return rev
            return None
        for rev in revisions:
            if "main" in rev.refs:
                return rev
        return max(revisions, key=lambda r: r.last_modified, default=None)

    def lookup(self, ref: Ref) -> Record | None:
        if ref.is_path:
            return None
        repo = self._index().get(ref.key)
        if repo is None:
            return None
        rev = self._revision(repo, ref.revision)
        if rev is None:
            return None
        return read_local(Path(rev.snapshot_path), artifact_id=repo.repo_id, source="hf-cache",  # type: ignore[attr-defined]
                          revision=rev.commit_hash, kind=repo.repo_type)  # type: ignore[attr-defined]

    def records(self) -> Iterator[Record]:
        """Every cached model and dataset at its cached revision."""
        for repo in sorted(self._index().values(), key=lambda r: (r.repo_type, r.repo_id)):  # type: ignore[attr-defined]
            record = self.lookup(Ref(repo.repo_id, repo.repo_type))  # type: ignore[attr-defined]
            if record is not None:
                yield record
