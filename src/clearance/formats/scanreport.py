"""The scan report: what `clearance scan --format json` writes, and its reader.

Schema (version 3): the JSON of `check` (`results.to_json`, whose results are unchanged) with
one more key, `references`, before `results`:

    {"schema_version": 3,
     "references": [{"id", "kind": "model" | "dataset", "file", "line", "via",
                     "role": "used" | "produced"}, ...],
     "results": [...], "warnings": [...]}

Version 2 added `role`: "produced" for what the project publishes (push targets, uploads),
which is listed but not checked. Version 3: the results are those of the check JSON's schema 2
(license-conflict findings carry `declared`, `inherited`, `ancestor`, `reason`). The reader takes
every version (version 1: every reference used); it reads only the references.

The writer and the reader live together so that the two cannot drift apart: the server's
ingest (`POST /api/v1/scans`) reads what the CLI wrote with `read`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from clearance.formats import results
from clearance.util import TYPE_CHECKING
from clearance.util.envelope import dumps, version_of
from clearance.util.errors import ClearanceError

if TYPE_CHECKING:
    from typing import Any

# `report` below is a `clearance.scan.ScanReport` (references, files_scanned): not imported,
# formats and scan being sibling layers (.importlinter).

SCHEMA_VERSION = 3  # 2: references carry `role`; 3: the results' schema 2 (findings' fields)
READABLE_VERSIONS = (1, 2, 3)
MAX_REFERENCES = 10_000  # what a reader accepts


class ScanReportError(ClearanceError, ValueError):
    """The document is not a scan report this version of Clearance reads: the message says
    which field is wrong."""


@dataclass(frozen=True)
class ReportReference:
    """One reference as a report states it; `id` as written (not yet validated as a Hub id)."""

    id: str
    kind: str  # "model" | "dataset"
    file: str  # "" when the report does not say
    line: int  # 0 when the report does not say
    role: str = "used"  # "produced": the project publishes it (not a dependency)


# -- writing -------------------------------------------------------------------------------------
def references_json(report: Any) -> list[dict[str, Any]]:
    return [{"id": r.id, "kind": r.kind, "file": r.file, "line": r.line, "via": r.via, "role": r.role}
            for r in report.references]


def to_json(report: Any, outcomes: Sequence, warnings: Sequence[str] = ()) -> str:
    """The scan report: the references `report` found, then the results of checking them."""
    return dumps(SCHEMA_VERSION, {"references": references_json(report),
                                  "results": [results.result_json(o) for o in outcomes], "warnings": list(warnings)})


def summary_lines(report: Any, targets: int, where: str, since: str | None = None) -> list[results.Line]:
    """The text output's head: how many references to how many models, then one line each."""
    head = (f"{len(report.references)} reference(s) to {targets} model(s)/dataset(s) "
            f"in {report.files_scanned} file(s) under {where}" + (f", on lines added since {since}" if since else ""))
    lines: list[results.Line] = [[(head, "")]]
    for r in report.references:
        published = ", published by the project" if getattr(r, "role", "used") == "produced" else ""
        lines.append([(f"  {r.file}:{r.line}  {r.kind} {r.id}  ", ""), (f"({r.via}{published})", "dim")])
    lines.append([])
    return lines


# -- reading -------------------------------------------------------------------------------------
def is_scan_report(doc: Any) -> bool:
    """Whether `doc` (parsed JSON) claims to be a scan report: an object with `references`."""
    return isinstance(doc, dict) and "references" in doc


def read(doc: Any, max_references: int = MAX_REFERENCES) -> list[ReportReference]:
    """The references of a scan report (parsed JSON), checked field by field. Raises
    ScanReportError naming the first field that is wrong."""
    if not isinstance(doc, dict):
        raise ScanReportError(f"expected a JSON object (a scan report), not a JSON {type(doc).__name__}")
    if version_of(doc) not in READABLE_VERSIONS:
        raise ScanReportError(f"scan report schema_version {version_of(doc)!r} is not supported "
                              f"(expected one of {', '.join(map(str, READABLE_VERSIONS))})")
    refs = doc.get("references")
    if not isinstance(refs, list):
        raise ScanReportError("references: expected a list")
    if len(refs) > max_references:
        raise ScanReportError(f"references: {len(refs)} entries, more than {max_references}")
    out = []
    for i, ref in enumerate(refs):
        if not isinstance(ref, dict):
            raise ScanReportError(f"references[{i}]: expected an object with id, kind, file, line")
        rid, kind, file, line = ref.get("id"), ref.get("kind", "model"), ref.get("file", ""), ref.get("line", 0)
        if not isinstance(rid, str):
            raise ScanReportError(f"references[{i}].id: expected a string")
        if kind not in ("model", "dataset"):
            raise ScanReportError(f"references[{i}].kind: {kind!r} is not model or dataset")
        if not isinstance(file, str) or not isinstance(line, int) or isinstance(line, bool):
            raise ScanReportError(f"references[{i}]: file must be a string and line an integer")
        role = ref.get("role", "used")
        if role not in ("used", "produced"):
            raise ScanReportError(f"references[{i}].role: {role!r} is not used or produced")
        out.append(ReportReference(rid, kind, file, line, role))
    return out
