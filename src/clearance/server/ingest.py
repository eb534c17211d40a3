"""What a scan names: the references of a `clearance scan --format json` report, or the models
and datasets of a CycloneDX JSON BOM (`clearance bom`, or any tool's), as inventory entries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from clearance.formats.scanreport import ScanReportError
from clearance.formats.scanreport import read as read_scan_report
from clearance.server.ids import InvalidInput, hub_id
from clearance.util.errors import ClearanceError

MAX_REFERENCES = 10_000
MAX_DEPTH = 16  # nested CycloneDX components


class IngestError(ClearanceError, ValueError):
    """422 (app.problem): the document is neither a scan report nor a CycloneDX BOM, or is malformed."""


@dataclass(frozen=True)
class Ref:
    id: str
    kind: str
    where: str  # file:line of a scan, the bom-ref of a BOM component


def read(doc: Any) -> tuple[str, list[Ref], list[dict[str, str]]]:
    """(format, references, skipped): format is 'scan' or 'cyclonedx'; skipped lists what was
    named but is no Hub id (a local path, a component of another kind), with the reason."""
    if not isinstance(doc, dict):
        raise IngestError(f"expected a JSON object (a scan report or a CycloneDX BOM), not a JSON {type(doc).__name__}")
    if doc.get("bomFormat") == "CycloneDX":
        return "cyclonedx", *_cyclonedx(doc)
    if "references" in doc:
        return "scan", *_scan(doc)
    raise IngestError("neither a scan report (schema_version, references) nor a CycloneDX BOM (bomFormat: CycloneDX)")


def _scan(doc: dict[str, Any]) -> tuple[list[Ref], list[dict[str, str]]]:
    try:
        refs = read_scan_report(doc, MAX_REFERENCES)
    except ScanReportError as exc:
        raise IngestError(str(exc)) from None
    out, skipped = [], []
    for i, ref in enumerate(refs):
        if ref.role == "produced":  # what the project publishes is no dependency to inventory
            skipped.append({"ref": ref.id[:200], "reason": "published by the project (role produced), not used"})
            continue
        where = _text(f"{ref.file[:300]}:{ref.line}") if ref.file else ""
        try:
            out.append(Ref(hub_id(ref.id, f"references[{i}].id"), ref.kind, where))
        except InvalidInput as exc:
            skipped.append({"ref": ref.id[:200], "reason": str(exc)})
    return out, skipped


_KINDS = {"machine-learning-model": "model", "data": "dataset"}


def _cyclonedx(doc: dict[str, Any]) -> tuple[list[Ref], list[dict[str, str]]]:
    comps = doc.get("components", [])
    if not isinstance(comps, list):
        raise IngestError("components: expected a list")
    out: list[Ref] = []
    skipped: list[dict[str, str]] = []
    stack = [(c, 0) for c in reversed(comps)]
    seen = 0
    while stack:
        comp, depth = stack.pop()
        seen += 1
        if seen > MAX_REFERENCES:
            raise IngestError(f"components: more than {MAX_REFERENCES}")
        if not isinstance(comp, dict):
            raise IngestError("components: each component must be an object")
        nested = comp.get("components")
        if isinstance(nested, list) and depth < MAX_DEPTH:
            stack.extend((c, depth + 1) for c in reversed(nested))
        kind = _KINDS.get(comp.get("type"))  # type: ignore[arg-type]
        if kind is None:
            continue  # libraries, applications...: not models or datasets
        name = _component_id(comp, kind)
        where = _text(str(comp.get("bom-ref", ""))[:300])
        if name is None:
            skipped.append({"ref": where or str(comp.get("name", ""))[:200], "reason": "no Hub id (a local model?)"})
            continue
        try:
            out.append(Ref(hub_id(name, "component id"), kind, where))
        except InvalidInput as exc:
            skipped.append({"ref": name[:200], "reason": str(exc)})
    return out, skipped


def _text(value: str) -> str:
    """A file name or bom-ref as it goes into an item's note: without NUL bytes (PostgreSQL's
    text cannot hold them) or other control characters."""
    return "".join(ch for ch in value if ch >= " " or ch == "\t") if not value.isprintable() else value


def _component_id(comp: dict[str, Any], kind: str) -> str | None:
    purl = comp.get("purl")
    if isinstance(purl, str) and purl.startswith("pkg:huggingface/"):
        path = unquote(purl[len("pkg:huggingface/"):].split("?", 1)[0].split("#", 1)[0].split("@", 1)[0])
        if kind == "dataset" and path.startswith("datasets/"):
            path = path[len("datasets/"):]
        return path
    name, group = comp.get("name"), comp.get("group")
    if not isinstance(name, str) or not name:
        return None
    if str(comp.get("bom-ref", "")).startswith("path:"):
        return None  # Clearance's BOM: a local folder or file
    return f"{group}/{name}" if isinstance(group, str) and group else name
