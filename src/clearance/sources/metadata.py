"""Read what one artifact's metadata says — card fields, Hub tags, file names — into raw license
signals, base-model claims and training datasets, whatever the types found.

Shared by every source: the Hub API and snapshots give card data as JSON, a local README gives
it as YAML front matter; both land here. Wrong types give a warning and are skipped, never an
exception.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import field

from clearance.artifacts.ids import NOT_DATASETS, InvalidRef, Ref, parse_ref
from clearance.artifacts.model import Artifact
from clearance.artifacts.relations import (
    Claim,
    Strength,
    dataset_edges,
    normalize_relation,
    quant_markers,
    type_edges,
)
from clearance.artifacts.signals import LicenseSignal
from clearance.sources.interface import Record
from clearance.util import TYPE_CHECKING
from clearance.util.lean import record

if TYPE_CHECKING:
    from typing import Any, Protocol

    from clearance.artifacts.model import Kind
    from clearance.artifacts.signals import SignalKind

    class CardLike(Protocol):
        def get(self, key: str, default: Any = None) -> Any: ...


MAX_VALUE_CHARS = 4_096  # a raw license value or name kept in full up to this; longer is cut
MAX_ITEMS = 1_000  # items read from one list field (bases, datasets, licenses, tags)
_CARD_LICENSE_KEYS = (("license", "card_license"), ("licence", "other"),  # a British spelling the Hub ignores
                      ("license_name", "license_name"), ("license_link", "license_link"))


def describe(value: object) -> str:
    return type(value).__name__


@record
class Collected:
    """Everything read about one artifact so far, with where each piece was read."""

    id: str
    kind: Kind = "model"
    allow_paths: bool = False  # local files may name local paths as bases
    signals: list[LicenseSignal] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    fallback_claims: list[Claim] = field(default_factory=list)  # used only when no other base is named
    datasets: list[tuple[Ref, str]] = field(default_factory=list)
    markers: list[str] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    evidence: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def set(self, name: str, value: Any, where: str) -> None:
        if value is not None and name not in self.fields:
            self.fields[name] = value
            self.evidence.append((name, where))

    def signal(self, kind: SignalKind, value: object, where: str) -> None:
        if isinstance(value, bool) or value is None:
            if value is not None:
                self.warnings.append(f"{where}: {value!r} is not a license: ignored")
            return
        if isinstance(value, (int, float)):
            value = str(value)  # `license: 2.0` in YAML is a number
        if not isinstance(value, str):
            self.warnings.append(f"{where}: a {describe(value)}, not a license value: ignored")
            return
        value = value.strip()
        if not value:
            return
        if len(value) > MAX_VALUE_CHARS:
            self.warnings.append(f"{where}: {len(value)} characters, cut to {MAX_VALUE_CHARS}")
            value = value[:MAX_VALUE_CHARS] + "…"
        sig = LicenseSignal(kind, value, where)
        if sig not in self.signals:
            self.signals.append(sig)

    def ref(self, text: object, kind: Kind, where: str) -> Ref | None:
        try:
            return parse_ref(text, kind, allow_path=self.allow_paths)
        except InvalidRef as exc:
            self.warnings.append(f"{where}: {exc}")
            return None

    def base(self, text: object, relation: str | None, said_by: str, strength: Strength = Strength.NONE,
             *, fallback: bool = False) -> None:
        ref = self.ref(text, "model", said_by)
        if ref is not None:
            (self.fallback_claims if fallback else self.claims).append(Claim(ref, relation, said_by, strength))

    def dataset(self, text: object, said_by: str) -> None:
        if isinstance(text, str) and text.strip().lower() in NOT_DATASETS:
            return  # a trainer's placeholder, not training data anyone could look up
        ref = self.ref(text, "dataset", said_by)
        if ref is not None:
            self.datasets.append((ref, said_by))

    def record(self, source: str, revision: str | None = None) -> Record:
        claims = self.claims or self.fallback_claims
        markers = list(dict.fromkeys(self.markers))
        edges = type_edges(self.id, claims, markers) if self.kind == "model" else []
        edges += dataset_edges(self.id, self.datasets)
        f = self.fields
        evidence = self.evidence + ([("licenses", self.signals[0].where)] if self.signals else [])
        art = Artifact(
            id=self.id, kind=self.kind, licenses=tuple(self.signals),
            created_at=f.get("created_at"), last_modified=f.get("last_modified"), downloads=f.get("downloads"), likes=f.get("likes"),
            pipeline_tag=f.get("pipeline_tag"), library_name=f.get("library_name"), gated=f.get("gated"),
            source=source, revision=revision, evidence=tuple(evidence),
            warnings=tuple(dict.fromkeys(self.warnings)),
        )
        return Record(art, tuple(edges))


def items(value: object, where: str, out: Collected) -> list[Any]:
    """A str-or-list field as a list (bounded)."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        if len(value) > MAX_ITEMS:
            out.warnings.append(f"{where}: {len(value)} items, only the first {MAX_ITEMS} read")
        return list(value[:MAX_ITEMS])
    return [value]


def text_field(value: object, where: str, out: Collected, limit: int = 200) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        out.warnings.append(f"{where}: expected a short string, got {describe(value)}: ignored")
        return None
    return value.strip() or None


def read_card(out: Collected, card: CardLike, where: str) -> None:
    """Card front matter (or the API's `cardData`): licenses, bases, datasets, a few fields."""
    for key_name, kind in _CARD_LICENSE_KEYS:
        raw = card.get(key_name)
        if raw is None:
            continue
        listed = isinstance(raw, (list, tuple))
        for i, value in enumerate(items(raw, f"{where}.{key_name}", out)):
            out.signal(kind, value, f"{where}.{key_name}[{i}]" if listed else f"{where}.{key_name}")
    relation_value = card.get("base_model_relation")
    relation = normalize_relation(relation_value)
    if relation_value is not None and relation is None:
        out.warnings.append(f"{where}.base_model_relation: {str(relation_value)[:80]!r} is not a known relation: ignored")
    for value in items(card.get("base_model"), f"{where}.base_model", out):
        if relation:
            out.base(value, relation, f"{where}.base_model with base_model_relation: {relation}", Strength.STATED)
        else:
            out.base(value, None, f"{where}.base_model")
    for value in items(card.get("datasets"), f"{where}.datasets", out):
        out.dataset(value, f"{where}.datasets")
    for name in ("pipeline_tag", "library_name"):
        if name not in out.fields and card.get(name) is not None:
            out.set(name, text_field(card.get(name), f"{where}.{name}", out), f"{where}.{name}")
    if card.get("quantized_by"):
        out.markers.append(f"{where}.quantized_by")
    tags = [t for t in items(card.get("tags"), f"{where}.tags", out) if isinstance(t, str)]
    out.markers.extend(quant_markers("", tags))


def read_tags(out: Collected, tags: Iterable[object], where: str) -> None:
    """Hub tags: `license:`, `base_model:[<relation>:]`, `dataset:` and quantization tags."""
    plain: list[str] = []
    for tag in tags:
        if not isinstance(tag, str):
            continue
        plain.append(tag)
        prefix, sep, rest = tag.partition(":")
        if not sep:
            continue
        if prefix == "license":
            out.signal("hub_tag", rest, f"{where} tag {tag[:120]}")
        elif prefix == "dataset":
            out.dataset(rest, f"{where} tag {tag[:120]}")
        elif prefix == "base_model":
            rel_text, sep2, target = rest.partition(":")
            relation = normalize_relation(rel_text) if sep2 else None
            if sep2 and relation is None and not target.startswith("//"):
                out.warnings.append(f"{where} tag {tag[:120]}: unknown relation {rel_text!r}")
                continue
            if relation:
                strength = Strength.HUB_DEFAULT if relation == "finetune" else Strength.HUB
                out.base(target, relation, f"{where} tag base_model:{rel_text}", strength)
            else:
                out.base(rest, None, f"{where} tag base_model")
    out.markers.extend(quant_markers("", plain))
