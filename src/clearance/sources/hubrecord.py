"""One Hub model-info or dataset-info object (as `GET /api/models?full=true&cardData=true`
returns it, DESIGN.md's snapshot contract) into a Record. Snapshots and the Hub API share it."""

from __future__ import annotations

from collections.abc import Mapping

from clearance.artifacts.ids import InvalidRef, parse_ref
from clearance.artifacts.relations import quant_markers
from clearance.sources.interface import Record
from clearance.sources.metadata import (
    Collected,
    describe,
    items,
    read_card,
    read_tags,
    text_field,
)
from clearance.util import TYPE_CHECKING
from clearance.util.errors import ClearanceError

if TYPE_CHECKING:
    from typing import Any


class RecordError(ClearanceError, ValueError):
    """The object is not a usable record (no id, not an object): the message says why."""


def parse_record(rec: object, *, source: str, where: str, kind: str | None = None) -> Record:
    """Raise RecordError when there is no artifact to speak of; otherwise return a (possibly
    partial) Record whose artifact lists what was wrong in `warnings`."""
    if not isinstance(rec, Mapping):
        raise RecordError(f"{where}: expected a JSON object, got {describe(rec)}")
    rtype = rec.get("type")
    if kind is None:
        kind = rtype if rtype in ("model", "dataset") else "model"
    try:
        ref = parse_ref(rec.get("id"), kind)  # type: ignore[arg-type]
    except InvalidRef as exc:
        raise RecordError(f"{where}: no usable id ({exc})") from None
    out = Collected(ref.id, ref.kind)
    if rtype is not None and rtype not in ("model", "dataset"):
        out.warnings.append(f"{where}: type {str(rtype)[:40]!r} is neither model nor dataset: read as {kind}")
    out.evidence.append(("id", f"{where} id"))
    created = rec.get("createdAt")
    if isinstance(created, str):
        out.set("created_at", created, f"{where} createdAt")
    modified = rec.get("lastModified")
    if isinstance(modified, str) and len(modified) <= 40:
        out.set("last_modified", modified, f"{where} lastModified")
    for name in ("downloads", "likes"):
        value = rec.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            out.set(name, value, f"{where} {name}")
        elif value is not None:
            out.warnings.append(f"{where} {name}: {describe(value)} is not a count: ignored")
    for name in ("pipeline_tag", "library_name"):
        value = rec.get(name)
        if value is not None:
            out.set(name, text_field(value, f"{where} {name}", out), f"{where} {name}")
    gated = rec.get("gated")
    if isinstance(gated, bool) or (isinstance(gated, str) and len(gated) < 40):
        out.set("gated", gated, f"{where} gated")
    tags = rec.get("tags")
    if tags is not None and not isinstance(tags, list):
        out.warnings.append(f"{where} tags: a {describe(tags)}, not a list: ignored")
        tags = None
    card = rec.get("cardData")
    if card is not None and not isinstance(card, Mapping):
        out.warnings.append(f"{where} cardData: a {describe(card)}, not an object: ignored")
        card = None
    if card:
        read_card(out, card, f"{where} cardData")
    if tags:
        read_tags(out, items(tags, f"{where} tags", out), where)
    files = sibling_names(rec.get("siblings"))
    out.markers.extend(quant_markers(ref.id, (), files))
    if isinstance(rec.get("gguf"), Mapping):
        out.markers.append(f"{where} gguf (the Hub read GGUF files)")
    config = rec.get("config")
    if isinstance(config, Mapping) and isinstance(config.get("quantization_config"), Mapping):
        method = config["quantization_config"].get("quant_method")
        out.markers.append(f"{where} config.quantization_config" + (f" ({method})" if isinstance(method, str) else ""))
    return out.record(source, _revision(rec))


def sibling_names(siblings: Any) -> list[str]:
    """The file names of a Hub record's `siblings` (its first 10,000), skipping malformed entries."""
    if not isinstance(siblings, list):
        return []
    names = []
    for s in siblings[:10_000]:
        name = s.get("rfilename") if isinstance(s, Mapping) else None
        if isinstance(name, str):
            names.append(name)
    return names


def _revision(rec: Mapping[str, Any]) -> str | None:
    sha = rec.get("sha")
    return sha if isinstance(sha, str) and len(sha) <= 64 else None
