"""`scan_path`: walk a project, hand each file to the reader of its type, and gather what they
find into one sorted, deduplicated report. Only wiring lives here (as pip-audit's `_audit.py`):
which file is read as what is `walk.py`'s business, what a reference is is each reader's.

Nothing a scanned file contains makes this raise: a file that cannot be read or parsed gives a
warning naming file:line, and the scan goes on.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from clearance.scan import pyfile
from clearance.scan.collect import Collector
from clearance.scan.dockerfile import scan_dockerfile
from clearance.scan.envfile import scan_env
from clearance.scan.jsfile import scan_js, scan_script_parts
from clearance.scan.jsonfile import scan_json
from clearance.scan.model import Hit, Reference, ScanError, ScanReport
from clearance.scan.notebook import scan_notebook
from clearance.scan.shell import scan_shell_text
from clearance.scan.structured import could_hold_ids
from clearance.scan.tomlfile import scan_toml
from clearance.scan.walk import FileEntry, entries_for, max_bytes, walk
from clearance.scan.yamlfile import scan_yaml

_YAML_EXTRA_TRIGGERS = ("download", "vllm")


def _yaml(text: str, col: Collector) -> None:
    if could_hold_ids(text) or any(t in text for t in _YAML_EXTRA_TRIGGERS):
        scan_yaml(text, col)


READERS: dict[str, Callable[[str, Collector], None]] = {
    "notebook": scan_notebook, "yaml": _yaml, "json": scan_json, "toml": scan_toml, "env": scan_env,
    "shell": scan_shell_text, "dockerfile": scan_dockerfile, "javascript": scan_js, "script-parts": scan_script_parts,
}


def scan_path(root: str | Path, *, only_lines: dict[str, set[int]] | None = None) -> ScanReport:
    """Every model and dataset reference under `root` (a folder or one file).

    With `only_lines` (relative POSIX path -> line numbers, as `added_lines` gives), only the
    files named there are read, and only references on those lines — or used on them, as a new
    call of an old constant — are kept. Raises ScanError when `root` does not exist."""
    given = os.fspath(root)
    if not os.path.exists(given):
        raise ScanError(f"{given}: no such file or folder")
    is_file = os.path.isfile(given)
    base = os.path.dirname(os.path.abspath(given)) if is_file else given
    warnings: list[str] = []
    exists = lru_cache(maxsize=65536)(os.path.exists)
    if only_lines is not None:
        entries = entries_for(base, [os.path.basename(given)] if is_file else list(only_lines), warnings)
    else:
        entries = walk(given, warnings)
    references: list[Reference] = []
    scanned = 0
    for entry in entries:
        hits = _scan_file(entry, base, exists, warnings)
        if hits is None:
            continue
        scanned += 1
        keep = only_lines.get(entry.rel, set()) if only_lines is not None else None
        references.extend(_merge(hits, entry.rel, keep))
    references.sort(key=lambda r: (r.file, r.line, r.id, r.kind))
    return ScanReport(root=given, references=references, files_scanned=scanned, warnings=warnings)


def _merge(hits: list[Hit], rel: str, keep: set[int] | None) -> list[Reference]:
    """One reference per (id, kind, line): the best-ranked `via` wins, use lines add up; with
    `keep`, only references written or used on those lines."""
    best: dict[tuple[str, str, int], tuple[Hit, set[int]]] = {}
    for hit in hits:
        key = (hit.id, hit.kind, hit.line)
        old = best.get(key)
        if old is None:
            best[key] = (hit, set(hit.uses))
        else:
            old[1].update(hit.uses)
            if hit.rank < old[0].rank:
                best[key] = (hit, old[1])
    return [Reference(hit.id, hit.kind, rel, hit.line, hit.via, hit.role) for hit, uses in best.values()
            if keep is None or hit.line in keep or not uses.isdisjoint(keep)]


def _scan_file(entry: FileEntry, base: str, exists: Callable[[str], bool], warnings: list[str]) -> list[Hit] | None:
    """The hits of one file, or None when it was not read (too large, binary, unreadable)."""
    limit = max_bytes(entry.type)
    if entry.size > limit:
        warnings.append(f"{entry.rel}: {entry.size} bytes, larger than {limit // (1024 * 1024)} MB: not scanned")
        return None
    try:
        with open(entry.path, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        warnings.append(f"{entry.rel}: cannot read ({exc.strerror or exc})")
        return None
    if len(data) > limit:
        warnings.append(f"{entry.rel}: larger than {limit // (1024 * 1024)} MB: not scanned")
        return None
    if b"\0" in data:
        warnings.append(f"{entry.rel}: binary (NUL bytes): not scanned")
        return None
    col = Collector(base, entry.rel, exists)
    try:
        if entry.type == "python":
            if pyfile.wanted(data):
                pyfile.scan_python(data, col, name=entry.rel)
        else:
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                line = data[: exc.start].count(b"\n") + 1
                col.warn(line, "not UTF-8: undecodable bytes replaced")
                text = data.decode("utf-8-sig", errors="replace")
            READERS[entry.type](text, col)
    except (RecursionError, MemoryError) as exc:
        col.warn(None, f"too deeply nested or too large to scan ({type(exc).__name__})")
    except Exception as exc:  # noqa: BLE001 - a reader's bug must not stop the scan of a whole project
        col.warn(None, f"not scanned: clearance failed on this file ({type(exc).__name__}: {exc}); please report it")
    warnings.extend(col.warnings)
    return col.hits
