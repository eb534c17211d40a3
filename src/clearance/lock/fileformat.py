"""`clearance.lock` as TOML: versioned, sorted and stable, so that a diff of two locks shows
only what changed. Written with tomli-w, read with tomllib; a malformed lock is a `LockError`
that names the file, the entry and the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from clearance.lock.model import LOCK_VERSION, Lock, LockedFile, LockEntry
from clearance.util.errors import ClearanceError

HEADER = ("# clearance.lock: what this project cleared, per model and dataset and every ancestor.\n"
          "# Written by `clearance lock`; checked by `clearance scan --locked`. Do not edit by hand.\n\n")
MAX_LOCK_BYTES = 64 * 1024 * 1024


class LockError(ClearanceError, ValueError):
    """A lock file Clearance cannot read; the message says where."""


def dumps(lock: Lock) -> str:
    import tomli_w

    artifacts = []
    for key in sorted(lock.entries):
        e = lock.entries[key]
        entry: dict[str, Any] = {"key": e.key, "id": e.id, "kind": e.kind}
        if e.revision:
            entry["revision"] = e.revision
        entry["declared"] = sorted(e.declared)
        entry["licenses"] = sorted(e.licenses)
        if e.referenced:
            entry["referenced"] = True
        if e.parents:
            entry["parents"] = [[k, rel] for k, rel in sorted(e.parents)]
        if e.verdicts:
            entry["verdicts"] = dict(sorted(e.verdicts))
        if e.files:
            entry["files"] = [{"path": f.path, "sha256": f.sha256} for f in sorted(e.files, key=lambda f: f.path)]
        artifacts.append(entry)
    doc = {"version": lock.version, "uses": sorted(lock.uses), "artifact": artifacts}
    return HEADER + tomli_w.dumps(doc, multiline_strings=False)


def write(lock: Lock, path: Path) -> None:
    """Write atomically: a crash mid-write leaves the old lock, never half of a new one."""
    import os
    import tempfile

    text = dumps(lock)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".clearance.lock.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read(path: Path) -> Lock:
    try:
        size = path.stat().st_size
        if size > MAX_LOCK_BYTES:
            raise LockError(f"{path}: {size} bytes, over the {MAX_LOCK_BYTES} byte limit for a lock")
        data = path.read_bytes()
    except OSError as exc:
        raise LockError(f"{path}: cannot read the lock ({exc.strerror or exc})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise LockError(f"{path}: not UTF-8 text") from None
    return loads(text, str(path))


def loads(text: str, where: str = "clearance.lock") -> Lock:
    import tomllib

    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LockError(f"{where}: invalid TOML: {exc}") from None
    except RecursionError:
        raise LockError(f"{where}: invalid TOML: nested too deeply") from None
    version = doc.get("version")
    if version != LOCK_VERSION:
        raise LockError(f"{where}: version {version!r}: this Clearance reads lock version {LOCK_VERSION}")
    uses = _strings(doc.get("uses", ["commercial"]), f"{where}: uses")
    raw = doc.get("artifact", [])
    if not isinstance(raw, list):
        raise LockError(f"{where}: artifact must be an array of tables ([[artifact]])")
    entries: dict[str, LockEntry] = {}
    for i, item in enumerate(raw):
        at = f"{where}: artifact #{i + 1}"
        if not isinstance(item, dict):
            raise LockError(f"{at}: must be a table")
        key = _string(item.get("key"), f"{at}: key")
        at = f"{where}: artifact {key!r}"
        if key in entries:
            raise LockError(f"{at}: listed twice")
        entries[key] = LockEntry(
            key=key, id=_string(item.get("id"), f"{at}: id"), kind=_string(item.get("kind"), f"{at}: kind"),
            revision=_optional(item.get("revision"), f"{at}: revision"),
            declared=tuple(_strings(item.get("declared", []), f"{at}: declared")),
            licenses=tuple(_strings(item.get("licenses", []), f"{at}: licenses")),
            files=tuple(_files(item.get("files", []), f"{at}: files")),
            parents=tuple(_pairs(item.get("parents", []), f"{at}: parents")),
            verdicts=tuple(sorted(_verdicts(item.get("verdicts", {}), f"{at}: verdicts"))),
            referenced=_bool(item.get("referenced", False), f"{at}: referenced"),
        )
    return Lock(tuple(uses), entries)


def _string(value: object, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise LockError(f"{where}: expected a non-empty string, found {type(value).__name__}")
    return value


def _optional(value: object, where: str) -> str | None:
    return None if value is None else _string(value, where)


def _bool(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise LockError(f"{where}: expected true or false")
    return value


def _strings(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LockError(f"{where}: expected an array of strings")
    return list(value)


def _pairs(value: object, where: str) -> list[tuple[str, str]]:
    if not isinstance(value, list):
        raise LockError(f"{where}: expected an array of [key, relation] pairs")
    out = []
    for v in value:
        if not (isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) and x for x in v)):
            raise LockError(f"{where}: {v!r} is not a [key, relation] pair")
        out.append((v[0], v[1]))
    return sorted(out)


def _verdicts(value: object, where: str) -> list[tuple[str, str]]:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise LockError(f"{where}: expected a table of use = verdict")
    return list(value.items())


def _files(value: object, where: str) -> list[LockedFile]:
    if not isinstance(value, list):
        raise LockError(f"{where}: expected an array of tables with path and sha256")
    out = []
    for v in value:
        if not isinstance(v, dict):
            raise LockError(f"{where}: {v!r} is not a table")
        sha = _string(v.get("sha256"), f"{where}: sha256")
        if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
            raise LockError(f"{where}: sha256 {sha[:80]!r} is not 64 lower-case hex digits")
        out.append(LockedFile(_string(v.get("path"), f"{where}: path"), sha))
    return out
