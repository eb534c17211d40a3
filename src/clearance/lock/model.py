"""The values of `clearance.lock`: one entry per model or dataset a project uses or descends
from, as it was when the project cleared it."""

from __future__ import annotations

from dataclasses import dataclass, field

LOCK_VERSION = 1


@dataclass(frozen=True)
class LockedFile:
    """A license file of the artifact's repository, by path and content hash."""

    path: str
    sha256: str


@dataclass(frozen=True)
class LockEntry:
    key: str  # `model:<id lower-cased>`, `dataset:<id>` or `path:<absolute path>`
    id: str
    kind: str  # model | dataset
    # The commit a source gave (the Hub's sha); else the source's lastModified and the snapshot
    # file it came from ("2024-02-21T09:00:00.000Z @ hub-2025-sample.jsonl"); None when no source says.
    revision: str | None = None
    declared: tuple[str, ...] = ()  # the license values the sources declared, raw
    licenses: tuple[str, ...] = ()  # the KB ids (editions) they resolved to
    files: tuple[LockedFile, ...] = ()
    parents: tuple[tuple[str, str], ...] = ()  # (parent key, relation), sorted
    verdicts: tuple[tuple[str, str], ...] = ()  # (use, verdict) for the project's references
    referenced: bool = False  # the project references it (not only an ancestor of a reference)


@dataclass(frozen=True)
class Lock:
    uses: tuple[str, ...] = ("commercial",)
    entries: dict[str, LockEntry] = field(default_factory=dict)  # by key
    version: int = LOCK_VERSION

    def get(self, key: str) -> LockEntry | None:
        return self.entries.get(key)
