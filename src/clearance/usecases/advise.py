"""`clearance advise`: for a publisher, what a derivative may be licensed as and what its card
must say.

From the bases (and training datasets) of the derivative: the licenses that bind it (the
bases' own and inherited ones, as `check` finds them), every curated license the derivative
may carry without granting more than those allow (the engine's own conflict rule), the one to
use, the card fields to declare, the duties to meet, a front-matter patch, and — when a base
blocks the intended use — permissively licensed bases of the same task and similar size found
in the snapshots.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clearance.artifacts.model import RELATIONS as ARTIFACT_RELATIONS
from clearance.engine import compat
from clearance.engine.duties import duties as license_duties
from clearance.engine.duties import triggers_for
from clearance.engine.values import ALLOWING, Result
from clearance.kb.loader import KnowledgeBase, default_kb
from clearance.kb.terms import LicenseTerms
from clearance.usecases.check import check
from clearance.util.envelope import envelope

SCHEMA_VERSION = 1  # of the `advise --format json` document

# What a publisher's derivative may say it is: every weight relation but distillation, which
# the Hub's base_model_relation does not name.
RELATIONS = tuple(r for r in ARTIFACT_RELATIONS if r not in ("distilled", "trained_on"))
# "7b", "2_7B" (2.7B), "1.1B", "350M", "8x7B" (experts x size) in a model's name.
_SIZE = re.compile(r"(?<![a-z0-9.])(?:(\d+)x)?(\d+(?:[._]\d+)?)\s*([bm])(?![a-z])", re.IGNORECASE)


@dataclass
class Alternative:
    id: str
    pipeline_tag: str | None
    size: str | None
    downloads: int | None
    licenses: tuple[str, ...]
    verdict: str


@dataclass
class Advice:
    target: str
    use: str
    relation: str
    bases: list[str]
    datasets: list[str]
    base_results: list[Result]
    binding: list[LicenseTerms]
    data_licenses: list[LicenseTerms]
    allowed: list[LicenseTerms]
    recommended: LicenseTerms | None
    problems: list[str]
    card: dict[str, Any]
    duties: list[tuple[str, str, str, str]]  # (license, kind, text, section)
    patch: str
    alternatives: list[Alternative] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return any(r.verdict == "blocked" for r in self.base_results)

    def to_json(self) -> dict[str, Any]:
        return envelope(
            SCHEMA_VERSION, target=self.target, use=self.use, relation=self.relation,
            bases=[{"id": r.subject, "verdict": r.verdict, "licenses": sorted({*r.declared_licenses, *r.inherited_licenses})}
                   for r in self.base_results],
            datasets=self.datasets,
            binding_licenses=[lic.id for lic in self.binding],
            data_licenses=[lic.id for lic in self.data_licenses],
            allowed_licenses=[lic.id for lic in self.allowed],
            recommended_license=self.recommended.id if self.recommended else None,
            problems=self.problems,
            card=self.card,
            duties=[{"license": lid, "kind": k, "text": t, "section": s} for lid, k, t, s in self.duties],
            patch=self.patch,
            alternatives=[a.__dict__ for a in self.alternatives],
        )


def advise(target: str, bases: Sequence[str], datasets: Sequence[str] = (), *, use: str = "commercial",
           relation: str | None = None, snapshots: Sequence[str | Path] = (), offline: bool | None = None,
           kb: KnowledgeBase | None = None, alternatives: int = 5) -> Advice:
    kb = kb or default_kb()
    relation = relation or ("merge" if len(bases) > 1 else "finetune")
    if relation not in RELATIONS:
        raise ValueError(f"--relation must be one of {', '.join(RELATIONS)}, not {relation!r}")
    from clearance.usecases.lineage import default_sources

    sources = default_sources(snapshots, offline)  # built once: each snapshot is read once for every round
    run = check(list(bases), [use], kb=kb, sources=sources)
    base_results = [o.result for o in run.outcomes]
    binding = _licenses(kb, (lid for r in base_results for lid in (*r.declared_licenses, *r.inherited_licenses)))
    data_results = [o.result for o in check([f"datasets/{d}" for d in datasets], [use], kb=kb,
                                            sources=sources).outcomes] if datasets else []
    data_licenses = _licenses(kb, (lid for r in data_results for lid in r.declared_licenses))
    problems = [f"{r.subject}: its license could not be resolved; the advice below ignores it" for r in base_results
                if not r.declared_licenses and not r.inherited_licenses]
    for i, a in enumerate(binding):
        for b in binding[i + 1:]:
            reason = compat.merge_conflict(a, b)
            if reason:
                problems.append(f"the bases cannot be combined: {reason}")
    binding_ids = {lic.id for lic in binding}
    allowed = [lic for lic in kb if lic.curated and (lic.id in binding_ids or _adoptable(lic))
               and all(compat.fits_alone(lic, b) for b in binding)]
    recommended = _recommend(binding, allowed)
    if binding and recommended is None:
        problems.append("no license can carry every binding license's terms at once: the bases' licenses conflict")
    near = recommended.category if recommended else None
    allowed.sort(key=lambda lic: (lic is not recommended, not lic.hub_id, lic.category != near, lic.category, lic.id))
    # A dated edition is declared by its agreement's Hub id (`gemma`, not gemma-tou-2024-02-21).
    as_declared = kb.get(recommended.agreement) if recommended is not None and recommended.agreement else None
    card = _card(as_declared if as_declared is not None and as_declared.hub_id else recommended, bases, datasets, relation)
    # Publishing a derived model distributes it: the duties that brings (engine/duties.py).
    publishing = triggers_for("redistribution", derivative=True)
    duties = [(d.license, d.kind, d.text, d.section) for lic in binding for d in license_duties(lic)
              if d.triggered_by(publishing)]
    advice = Advice(target, use, relation, list(bases), list(datasets), base_results, binding, data_licenses,
                    allowed, recommended, problems, card, duties, _patch(target, card))
    if advice.blocked and snapshots and alternatives:
        advice.alternatives = _alternatives(run, bases, use, sources, kb, alternatives)
    return advice


def _adoptable(lic: LicenseTerms) -> bool:
    """A license anyone may put on their own work: open-source, open-content and OpenRAIL
    licenses. A vendor's agreement (Apple's, Meta's research license...) only its vendor grants,
    so it is suggested only when it already binds the derivative."""
    if lic.category == "unknown":
        return False
    return lic.category in ("permissive", "public-domain", "weak-copyleft", "copyleft") or lic.family in ("cc", "openrail", "rail-source")


def _licenses(kb: KnowledgeBase, ids) -> list[LicenseTerms]:
    out = [kb.get(lid) for lid in dict.fromkeys(ids)]
    return [lic for lic in out if lic is not None]


def _recommend(binding: list[LicenseTerms], allowed: list[LicenseTerms]) -> LicenseTerms | None:
    allowed_ids = {lic.id for lic in allowed}
    # A binding license the others allow is the natural choice: the derivative keeps the
    # terms it inherits (Llama on Llama, Gemma on Gemma, Apache-2.0 on Apache-2.0). The most
    # demanding one goes first, since only it can carry the others' conditions.
    for lic in sorted(binding, key=lambda lic: (lic.category in compat.OPEN_CATEGORIES, not lic.pass_through_restrictions)):
        if lic.id in allowed_ids:
            return lic
    if not binding:
        return None
    hub = [lic for lic in allowed if lic.hub_id and lic.category not in compat.OPEN_CATEGORIES] or [lic for lic in allowed if lic.hub_id]
    return (hub or allowed or [None])[0]


def _card(lic: LicenseTerms | None, bases: Sequence[str], datasets: Sequence[str], relation: str) -> dict[str, Any]:
    card: dict[str, Any] = {}
    if lic is not None and lic.hub_id:
        card["license"] = lic.id
    elif lic is not None:
        card.update({"license": "other", "license_name": lic.id, "license_link": lic.text_url})
    card["base_model"] = list(bases) if len(bases) != 1 else bases[0]
    card["base_model_relation"] = relation
    if datasets:
        card["datasets"] = list(datasets)
    return card


def _patch(target: str, card: dict[str, Any]) -> str:
    """A unified diff of the target's README.md front matter, or the block to start one with."""
    import yaml

    from clearance.sources.frontmatter import REGEX_YAML_BLOCK, parse_card

    readme = Path(target) / "README.md" if Path(target).is_dir() else None
    old_text = readme.read_text(encoding="utf-8", errors="replace") if readme and readme.is_file() else ""
    merged = {**parse_card(old_text, str(readme)).data, **card} if old_text else card
    block = "---\n" + yaml.safe_dump(merged, sort_keys=False, allow_unicode=True) + "---\n"
    if not old_text:
        return block
    match = REGEX_YAML_BLOCK.search(old_text)
    new_text = old_text[: match.start()] + block + old_text[match.end():] if match else block + old_text
    return "".join(difflib.unified_diff(old_text.splitlines(True), new_text.splitlines(True), "a/README.md", "b/README.md"))


def size_of(model_id: str) -> float | None:
    """Parameters in billions as a model's name tells it ("Llama-2-7b" -> 7.0, "...-350M" -> 0.35)."""
    name = model_id.rsplit("/", 1)[-1]
    found = _SIZE.findall(name)
    if not found:
        return None
    experts, value, unit = found[-1]
    size = float(value.replace("_", ".")) * (int(experts) if experts else 1)
    return size / 1000 if unit.lower() == "m" else size


def _alternatives(run, bases: Sequence[str], use: str, sources, kb: KnowledgeBase, limit: int) -> list[Alternative]:
    from clearance.sources.hub import HubSource
    from clearance.sources.snapshot import SnapshotSource

    # Candidates are judged from what is on hand: the same (already read) snapshots, the Hub
    # only through Clearance's cache of earlier answers.
    sources = [HubSource(offline=True) if isinstance(s, HubSource) else s for s in sources]

    base_arts = [run.graphs[s].artifact(s) for s in run.graphs]
    tags = {a.pipeline_tag for a in base_arts if a is not None and a.pipeline_tag}
    sizes = [s for s in (size_of(b) for b in bases) if s]
    base_keys = {b.lower() for b in bases}
    candidates = []
    for snap in (s for s in sources if isinstance(s, SnapshotSource)):
        for record in snap.records():
            art = record.artifact
            if art.kind != "model" or art.id.lower() in base_keys or (tags and art.pipeline_tag not in tags):
                continue
            size = size_of(art.id)
            if sizes and (size is None or not any(s / 2 <= size <= s * 2 for s in sizes)):
                continue
            candidates.append((art, size))
    candidates.sort(key=lambda c: -(c[0].downloads or 0))
    out: list[Alternative] = []
    # Checked in downloads order, a batch at a time, until enough open ones are found.
    for start in range(0, min(len(candidates), 400), 50):
        batch = candidates[start:start + 50]
        checked = check([a.id for a, _ in batch], [use], kb=kb, sources=sources)
        for (art, s), outcome in zip(batch, checked.outcomes):
            r = outcome.result
            lics = tuple(dict.fromkeys((*r.declared_licenses, *r.inherited_licenses)))
            if r.verdict in ALLOWING and lics and all(getattr(kb.get(x), "category", None) in compat.OPEN_CATEGORIES for x in lics):
                out.append(Alternative(art.id, art.pipeline_tag, f"{s:g}B" if s else None, art.downloads, lics, r.verdict))
                if len(out) >= limit:
                    return out
    return out


def to_text(a: Advice) -> str:
    lines = [f"Advice for publishing {a.target} ({a.relation} of {', '.join(a.bases)}) for {a.use} use", ""]
    for r in a.base_results:
        lics = ", ".join(sorted({*r.declared_licenses, *r.inherited_licenses})) or "no resolved license"
        lines.append(f"  base {r.subject}: {lics} — {r.verdict} for {a.use} use")
    for lic in a.data_licenses:
        lines.append(f"  training data under {lic.id} ({lic.category}): review its terms")
    for p in a.problems:
        lines.append(f"  problem: {p}")
    lines.append("")
    if a.recommended:
        lines.append(f"License it as: {a.recommended.id} ({a.recommended.name})")
    others = [lic.id for lic in a.allowed if lic is not a.recommended and lic.hub_id][:15]
    if others:
        lines.append(f"Also allowed: {', '.join(others)}" + (" …" if len(a.allowed) > 16 else ""))
    lines += ["", "The card must declare:"]
    for key, value in a.card.items():
        lines.append(f"  {key}: {value}")
    if a.duties:
        lines += ["", "Duties:"]
        lines += [f"  • {text}  ({lid}, {section})" for lid, _kind, text, section in a.duties]
    lines += ["", "Front matter patch:", a.patch.rstrip("\n")]
    if a.blocked:
        lines += ["", f"A base is blocked for {a.use} use."]
        if a.alternatives:
            lines.append("Permissively licensed alternatives of the same task and similar size in the snapshots:")
            lines += [f"  {x.id}  ({x.size or '?'}, {', '.join(x.licenses)}, {x.downloads or 0:,} downloads, {x.verdict})"
                      for x in a.alternatives]
        else:
            lines.append("No permissively licensed alternative of the same task and size was found in the snapshots.")
    return "\n".join(lines) + "\n"
