"""What changed between two locks, entry by entry: the facts a license decision rests on."""

from __future__ import annotations

from dataclasses import dataclass

from clearance.lock.model import Lock, LockEntry

# The fields compared, in the order changes are reported.
FIELDS = ("declared", "licenses", "files", "parents", "verdicts")


@dataclass(frozen=True)
class Change:
    key: str
    id: str
    field: str  # one of FIELDS, or "added" / "removed"
    before: str
    after: str
    revision_before: str | None = None
    revision_after: str | None = None

    @property
    def message(self) -> str:
        if self.field == "added":
            return f"{self.id} is new since the lock (now at {self.revision_after or 'an unknown revision'})"
        if self.field == "removed":
            return f"{self.id} is no longer used (was at {self.revision_before or 'an unknown revision'})"
        what = {"declared": "declared license", "licenses": "resolved license", "files": "license files",
                "parents": "parents", "verdicts": "verdict"}[self.field]
        return (f"{self.id}: {what} was {self.before} at {self.revision_before or 'an unknown revision'}, "
                f"now {self.after} at {self.revision_after or 'an unknown revision'}")

    def to_json(self) -> dict[str, object]:
        return {"key": self.key, "id": self.id, "field": self.field, "before": self.before, "after": self.after,
                "revision_before": self.revision_before, "revision_after": self.revision_after,
                "message": self.message}


def entry_changes(old: LockEntry, new: LockEntry, verdicts: bool = True) -> list[Change]:
    out = []
    for name in FIELDS:
        if name == "verdicts" and not verdicts:
            continue
        if name == "licenses" and out and out[-1].field == "declared":
            continue  # the declared change says it; a resolved change alone is an edition or KB change
        a, b = _shown(name, old), _shown(name, new)
        if a != b:
            out.append(Change(new.key, new.id, name, a, b, old.revision, new.revision))
    return out


def changes(old: Lock, new: Lock) -> list[Change]:
    """Every change from `old` to `new`, sorted by key: changed entries, and entries added or
    removed."""
    out: list[Change] = []
    for key in sorted(set(old.entries) | set(new.entries)):
        a, b = old.entries.get(key), new.entries.get(key)
        if a is None and b is not None:
            out.append(Change(key, b.id, "added", "", _shown("licenses", b), None, b.revision))
        elif b is None and a is not None:
            out.append(Change(key, a.id, "removed", _shown("licenses", a), "", a.revision, None))
        elif a is not None and b is not None:
            out += entry_changes(a, b)
    return out


def _shown(name: str, e: LockEntry) -> str:
    if name == "files":
        return ", ".join(f"{f.path} ({f.sha256[:12]})" for f in sorted(e.files, key=lambda f: f.path)) or "none"
    if name == "parents":
        return ", ".join(f"{k} ({rel})" for k, rel in sorted(e.parents)) or "none"
    if name == "verdicts":
        return ", ".join(f"{use}: {v}" for use, v in sorted(e.verdicts)) or "none"
    values = sorted(getattr(e, name))
    return ", ".join(values) or "none"
