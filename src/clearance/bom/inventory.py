"""What an AI bill of materials lists, read once from a `CheckRun` for every format.

Every model and dataset of every subject's lineage becomes one `Item`, keyed by the id the
graph matches on (`artifacts.ids.key`: `model:<hub id, lower-cased>`, `dataset:<...>`, or
`path:<absolute path>`), which is also its stable `bom-ref` / SPDX id suffix. An artifact met in
several lineages is listed once, with the union of its parents. Artifacts no source knew
(`resolved=False`) and parents a lineage names but never walked (depth limit) are listed too,
with what is known: their id and kind, no license.

Licenses are the KB ids the normalizer resolves from each artifact's own signals (what the
engine saw, through `check.GraphLineage`), kept as `LicenseTerm`s: one declared value, which
may be an expression (`apache-2.0 OR mit`). Nothing here decides a verdict: the subjects'
verdicts, findings and obligations are copied from the run's outcomes (`findings_of`,
`obligations_of`, `failures_of` group them once per subject, each with the uses it applies to).

Where (`references`, a project scan's `Reference`s): every reference that names an item becomes
one `Occurrence` of it (file, line, what matched, role). A reference whose role is `produced`
(the project publishes it: `push_to_hub`, `hf upload`) is no dependency: it marks the item it
names when that item is in a lineage anyway, and otherwise the artifact is listed apart, in
`Inventory.published`, never among the dependencies.

Revision: the artifact's own (a source's commit), else one a child's reference pinned, else the
`clearance.lock` entry's (`LockEntry.revision`) when a lock is given; `Item.revision_from` says which.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from clearance.artifacts.ids import key as hub_key
from clearance.artifacts.ids import looks_like_path, path_key
from clearance.artifacts.model import Artifact
from clearance.engine.values import WEIGHT_RELATIONS
from clearance.graph.model import Graph, Problem
from clearance.kb.loader import KnowledgeBase, default_kb
from clearance.kb.normalizer import PLACEHOLDERS, Normalizer, Resolution
from clearance.policy.evaluate import Outcome
from clearance.usecases.check import CheckRun, GraphLineage
from clearance.util.times import assume_utc

if TYPE_CHECKING:
    from clearance.lock.model import Lock
    from clearance.scan import Reference

HUB = "https://huggingface.co"
_COMMIT = re.compile(r"^[0-9a-fA-F]{7,64}$")
_NOT_IDSTRING = re.compile(r"[^A-Za-z0-9.-]+")  # SPDX idstring: letters, digits, '.', '-'


@dataclass(frozen=True, slots=True)
class LicenseInfo:
    """One license as a BOM shows it."""

    raw: str  # what the source said
    kb_id: str | None = None  # the Clearance KB id; None when the KB does not know the value
    name: str = ""  # the KB's name for it, else the raw value
    spdx_id: str | None = None  # a real SPDX License List id, else None
    license_ref: str = ""  # the id to write in an SPDX expression: spdx_id, ScanCode's LicenseRef-, or ours
    url: str | None = None  # where the license text is published
    resolved: bool = True  # False for values the KB does not know and for placeholders ("other")


@dataclass(frozen=True, slots=True)
class LicenseTerm:
    """One declared license value: a single license, or an expression (`A OR B`)."""

    licenses: tuple[LicenseInfo, ...]
    operator: str | None = None  # "OR" / "AND" when there are several

    @property
    def spdx_expression(self) -> str:
        ids = [lic.license_ref for lic in self.licenses]
        if len(ids) == 1:
            return ids[0]
        return f" {self.operator or 'AND'} ".join(ids)


@dataclass(frozen=True, slots=True)
class Parent:
    key: str
    relation: str  # finetune | adapter | merge | quantized | distilled | trained_on
    evidence: str = ""


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One place the project names an artifact: a scan reference."""

    file: str  # relative to the scanned project, POSIX separators
    line: int  # 1-based
    via: str = ""  # what matched: "transformers AutoModelForCausalLM.from_pretrained", ...
    role: str = "used"  # used (a dependency) | produced (the project publishes it)


@dataclass
class Item:
    """One model or dataset of the run."""

    key: str
    id: str  # the Hub id as its source spelt it, or an absolute path
    kind: str  # model | dataset
    artifact: Artifact | None = None
    declared: list[LicenseTerm] = field(default_factory=list)
    parents: list[Parent] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    pinned_revision: str | None = None  # a revision a child's reference pinned
    locked_revision: str | None = None  # the clearance.lock entry's revision, when a lock is given
    outcomes: list[Outcome] = field(default_factory=list)  # subjects only: one per use
    occurrences: list[Occurrence] = field(default_factory=list)  # where the project names it

    @property
    def roles(self) -> list[str]:
        """How the project names it: "used", "produced", both, or neither (an ancestor only)."""
        return [r for r in ("used", "produced") if any(o.role == r for o in self.occurrences)]

    @property
    def is_path(self) -> bool:
        return self.key.startswith("path:")

    @property
    def resolved(self) -> bool:
        return self.artifact is not None and self.artifact.resolved

    @property
    def revision(self) -> str | None:
        return (self.artifact.revision if self.artifact else None) or self.pinned_revision or self.locked_revision

    @property
    def revision_from(self) -> str | None:
        """Where `revision` comes from: "artifact" (a source's commit), "reference" (a child
        pinned it), "lock" (the clearance.lock entry), or None when no revision is known."""
        if self.artifact is not None and self.artifact.revision:
            return "artifact"
        if self.pinned_revision:
            return "reference"
        return "lock" if self.locked_revision else None

    @property
    def namespace(self) -> str | None:
        """The Hub user or organisation; None for a legacy id without one, or a local path."""
        if self.is_path or "/" not in self.id:
            return None
        return self.id.split("/", 1)[0]

    @property
    def name(self) -> str:
        if self.is_path:
            return self.id.rstrip("/\\").replace("\\", "/").rsplit("/", 1)[-1] or self.id
        return self.id.rsplit("/", 1)[-1]

    @property
    def hub_url(self) -> str | None:
        if self.is_path:
            return None
        return f"{HUB}/{'datasets/' if self.kind == 'dataset' else ''}{self.id}"

    @property
    def commit(self) -> str | None:
        """The revision when it is a commit hash (lower-cased, as the purl spec asks), else None."""
        rev = self.revision
        return rev.lower() if rev and _COMMIT.match(rev) else None

    @property
    def purl(self) -> str | None:
        """`pkg:huggingface/<namespace>/<name>[@<commit>]` (the purl spec's huggingface type, whose
        version is a commit hash: a branch or tag name is left out). The spec defines the type for
        models only; a dataset is written `pkg:huggingface/datasets/<namespace>/<name>`, mirroring
        its Hub URL, as AI-BOM tools commonly do ("datasets" is a reserved name on the Hub, so it
        cannot clash with a user). A local path has no purl."""
        if self.is_path:
            return None
        from packageurl import PackageURL  # cyclonedx-python-lib's own dependency

        parts = self.id.split("/")
        ns = "/".join(parts[:-1]) or None
        if self.kind == "dataset":
            ns = f"datasets/{ns}" if ns else "datasets"
        return PackageURL(type="huggingface", namespace=ns, name=parts[-1], version=self.commit).to_string()

    @property
    def created_at(self) -> dt.datetime | None:
        raw = self.artifact.created_at if self.artifact else None
        if not raw:
            return None
        try:
            when = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            return None
        return assume_utc(when).astimezone(dt.timezone.utc).replace(microsecond=0)

    @property
    def pipeline_tag(self) -> str | None:
        return self.artifact.pipeline_tag if self.artifact else None

    @property
    def source(self) -> str | None:
        return (self.artifact.source or None) if self.artifact else None


@dataclass
class Inventory:
    items: dict[str, Item]  # key -> item: subjects first, then in walk order
    subjects: list[str]  # keys of the subjects, in the run's order
    kb: KnowledgeBase
    # What the project only publishes (references of role `produced` that name no artifact of
    # any lineage): no dependency, so not in `items`; each with its occurrences, nothing checked.
    published: dict[str, Item] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items.values())

    def datasets_of(self, item: Item) -> list[Item]:
        """The datasets the item was trained on (its direct `trained_on` parents)."""
        return [self.items[p.key] for p in item.parents if p.relation == "trained_on"]

    def ancestors_of(self, item: Item) -> list[tuple[Item, int, list[tuple[str, str]]]]:
        """Every model the item's weights descend from (finetune, adapter, merge, quantized,
        distilled: all generations, not only the parents), nearest first. Each comes with its
        depth (1 = a parent) and the (child key, relation) links through which it was reached."""
        found: dict[str, tuple[int, list[tuple[str, str]]]] = {}
        frontier, depth = [item], 0
        while frontier:
            depth += 1
            nxt: list[Item] = []
            for child in frontier:
                for p in child.parents:
                    if p.relation not in WEIGHT_RELATIONS or p.key == item.key:
                        continue
                    if p.key not in found:
                        found[p.key] = (depth, [])
                        nxt.append(self.items[p.key])
                    found[p.key][1].append((child.key, p.relation))
            frontier = nxt
        return [(self.items[k], d, links) for k, (d, links) in found.items()]

    def concluded(self, item: Item) -> list[LicenseTerm]:
        """A subject's licenses as Clearance concluded them: what it declares and what it
        inherits from its lineage (the engine's `declared_licenses` + `inherited_licenses`).
        Empty for an artifact that was not a subject of the run."""
        if not item.outcomes:
            return []
        terms = list(item.declared)
        seen = {lic.kb_id for term in terms for lic in term.licenses if lic.kb_id}
        for outcome in item.outcomes:
            for lid in (*outcome.result.declared_licenses, *outcome.result.inherited_licenses):
                if lid not in seen:
                    seen.add(lid)
                    terms.append(LicenseTerm((license_info(lid, lid, self.kb),)))
        return terms


def policy_status(outcome: Outcome) -> str:
    """How the policy judged a subject for one use: pass, fail, or waived (by an exception)."""
    return "waived" if outcome.waived_by else ("pass" if outcome.passed else "fail")


def stable_key(kind: str, artifact_id: str) -> str:
    return path_key(artifact_id) if looks_like_path(artifact_id) else hub_key(kind, artifact_id)


def iri_safe(text: str) -> str:
    """Text that may stand in an IRI fragment (a Hub id passes unchanged)."""
    return quote(text, safe="/:@-._~!$&'()*+,;=")


# -- licenses ---------------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _on_spdx_list(spdx_id: str) -> str | None:
    """The canonical id when `spdx_id` is on the SPDX License List: the list CycloneDX's schema
    ships (what its strict validation accepts), else the one license-expression knows."""
    if not spdx_id or spdx_id.startswith(("LicenseRef-", "DocumentRef-")):
        return None
    from cyclonedx.spdx import fixup_id

    canonical = fixup_id(spdx_id)
    if canonical:
        return canonical
    from clearance.kb.normalizer import spdx_licensing  # the SPDX licensing the normalizer already built

    sym = spdx_licensing().known_symbols.get(spdx_id)
    return sym.key if sym is not None and not sym.key.startswith("LicenseRef-") else None


def license_ref(text: str) -> str:
    """Our own SPDX LicenseRef for a KB id or raw value without one."""
    return "LicenseRef-clearance-" + (_NOT_IDSTRING.sub("-", text.replace("+", "-plus")).strip("-")[:80] or "unknown")


def license_info(kb_id: str | None, raw: str, kb: KnowledgeBase) -> LicenseInfo:
    lic = kb.get(kb_id) if kb_id else None
    if lic is None or kb_id in PLACEHOLDERS:
        # Unknown to the KB, or a placeholder such as "other" that names no license: keep the raw value.
        shown = " ".join(raw.split())[:200] or "unknown"
        return LicenseInfo(raw=raw, kb_id=kb_id, name=shown, license_ref=license_ref(kb_id if lic is not None else shown),
                           resolved=False)
    spdx = _on_spdx_list(lic.spdx_id) if lic.spdx_id else None
    if spdx:
        ref = spdx
    elif lic.spdx_id and lic.spdx_id.startswith("LicenseRef-"):
        ref = lic.spdx_id  # ScanCode's LicenseDB id: stable and documented
    else:
        ref = license_ref(lic.id)
    return LicenseInfo(raw=raw, kb_id=lic.id, name=lic.name, spdx_id=spdx, license_ref=ref, url=lic.text_url or None)


def _terms(resolutions: Iterable[Resolution], kb: KnowledgeBase) -> list[LicenseTerm]:
    out: dict[tuple[str, ...], LicenseTerm] = {}
    for res in resolutions:
        if res.id is None and res.kind == "license_file":
            continue  # an unreadable or unrecognised LICENSE file: its path is no license name
        if res.id is None:
            term = LicenseTerm((license_info(None, res.input, kb),))
        elif res.also:
            term = LicenseTerm(tuple(license_info(i, i, kb) for i in res.ids), res.operator)
        else:
            term = LicenseTerm((license_info(res.id, res.input, kb),))
        out.setdefault(tuple(lic.kb_id or lic.raw for lic in term.licenses) + (term.operator or "",), term)
    return list(out.values())


# -- reading the run --------------------------------------------------------------------------

def build(run: CheckRun, kb: KnowledgeBase | None = None, normalizer: Normalizer | None = None, *,
          references: Iterable[Reference] | None = None, lock: Lock | str | Path | None = None) -> Inventory:
    """The inventory of a run. `references`: the scan references of the project the run checked
    (each becomes an occurrence of the item it names); `lock`: a `clearance.lock` (a `Lock` or
    its path) whose revisions stand in where no source gave one."""
    kb = kb or default_kb()
    normalizer = normalizer or Normalizer(kb)
    items: dict[str, Item] = {}
    subjects: list[str] = []
    by_subject: dict[str, str] = {}  # the run's subject (the target as checked) -> item key

    def ensure(key: str, artifact_id: str, kind: str) -> Item:
        item = items.get(key)
        if item is None:
            item = items[key] = Item(key=key, id=artifact_id, kind=kind)
        return item

    def subject_item(subject: str, graph: Graph | None) -> Item:
        art = graph.artifact(graph.root or subject) if graph else None
        key = stable_key(art.kind, art.id) if art else _key_of_target(subject)
        if key not in subjects:
            subjects.append(key)
        by_subject[subject] = key
        return ensure(key, art.id if art else _id_of_target(subject), art.kind if art else _kind_of_target(subject))

    for subject, graph in run.graphs.items():
        _read_graph(graph, GraphLineage(graph, normalizer), kb, ensure)
        subject_item(subject, graph)
    for outcome in run.outcomes:
        subject = outcome.result.subject
        subject_item(subject, run.graphs.get(subject)).outcomes.append(outcome)

    ordered = {k: items[k] for k in subjects}
    ordered.update(items)
    inv = Inventory(ordered, subjects, kb)
    if references is not None:
        _place(inv, references, by_subject)
    if lock is not None:
        _with_lock(inv, lock)
    return inv


def _kind_of_target(target: str) -> str:
    return "dataset" if target.lower().startswith("datasets/") and not looks_like_path(target) else "model"


def _id_of_target(target: str) -> str:
    return target[len("datasets/"):] if _kind_of_target(target) == "dataset" else target


def _key_of_target(target: str) -> str:
    return stable_key(_kind_of_target(target), _id_of_target(target))


def _place(inv: Inventory, references: Iterable[Reference], by_subject: dict[str, str]) -> None:
    """Each reference becomes an occurrence of the item it names: the subject its target became
    (a target may resolve to an artifact spelt otherwise), else the artifact of that id met in a
    lineage; a `produced` reference naming neither is a published artifact, listed apart."""
    for ref in references:
        role = getattr(ref, "role", "used") or "used"
        target = f"datasets/{ref.id}" if ref.kind == "dataset" else ref.id
        key = by_subject.get(target) or stable_key(ref.kind, ref.id)
        item = inv.items.get(key)
        if item is None:
            if role != "produced":
                # A used reference the run did not check (the caller chose the targets): listed,
                # with where it is, like any artifact no source resolved.
                item = inv.items[key] = Item(key=key, id=ref.id, kind=ref.kind)
            else:
                item = inv.published.setdefault(key, Item(key=key, id=ref.id, kind=ref.kind))
        occ = Occurrence(ref.file, ref.line, ref.via, role)
        if occ not in item.occurrences:
            item.occurrences.append(occ)
    for item in (*inv.items.values(), *inv.published.values()):
        item.occurrences.sort(key=lambda o: (o.file, o.line, o.role, o.via))


def _with_lock(inv: Inventory, lock: Lock | str | Path) -> None:
    if isinstance(lock, (str, Path)):
        from clearance.lock.fileformat import read

        lock = read(Path(lock))
    for item in inv.items.values():
        entry = lock.get(item.key)
        if entry is not None and entry.revision:
            item.locked_revision = entry.revision


# -- verdicts, findings, obligations: each once per subject -----------------------------------

def findings_of(item: Item) -> list[dict]:
    """The subject's findings, each once, with the uses (commercial, research, ...) it was
    found for: {code, name, severity, artifact, message, uses, path, url}."""
    out: dict[tuple, dict] = {}
    for outcome in item.outcomes:
        r = outcome.result
        for f in r.findings:
            entry = out.setdefault((f.code, f.severity, f.artifact, f.message, tuple(f.path)), {
                "code": f.code, "name": f.name, "severity": f.severity, "artifact": f.artifact,
                "message": f.message, "uses": [], "path": list(f.path), "url": f.url,
            })
            _add_use(entry, r.use)
    return list(out.values())


def obligations_of(item: Item) -> list[dict]:
    """The subject's obligations, each once, with the uses it comes with: {license, text,
    section, url, uses}."""
    out: dict[tuple, dict] = {}
    for outcome in item.outcomes:
        for o in outcome.result.obligations:
            _add_use(out.setdefault((o.license, o.text), {**o.to_json(), "uses": []}), outcome.result.use)
    return list(out.values())


def failures_of(outcome: Outcome) -> list[str]:
    """Why the policy failed (or an exception waived) one use, less what the BOM already says
    otherwise: an error finding's own line (`<code> <name>: <message>`, in `findings_of`) and
    the blocked / unknown verdict line (the verdict and its reasons are listed per use). What is
    left is the policy's own rules, such as a denied license."""
    r = outcome.result
    said = {f"{f.code} {f.name}: {f.message}" for f in r.findings}
    verdict_line = f"verdict for {r.use} use is {r.verdict}"
    return [text for text in outcome.failures
            if text not in said and text != verdict_line and not text.startswith(verdict_line + ": ")]


def _add_use(entry: dict, use: str) -> None:
    if use not in entry["uses"]:
        entry["uses"].append(use)


def _read_graph(graph: Graph, lineage: GraphLineage, kb: KnowledgeBase, ensure) -> None:
    """Add one lineage's artifacts, edges and problems."""
    keys: dict[str, str] = {}
    for display_id, art in graph.nodes.items():
        key = stable_key(art.kind, art.id)
        keys[display_id] = key
        item = ensure(key, art.id, art.kind)
        if item.artifact is None or (art.resolved and not item.artifact.resolved):
            item.artifact = art
            node = lineage.node(display_id)
            item.declared = _terms(node.licenses if node is not None else (), kb)
    for edge in graph.edges:
        child_key = keys.get(edge.child) or _key_for(graph, edge.child, "model")
        parent_key = keys.get(edge.parent) or _key_for(graph, edge.parent, edge.parent_kind)
        child = ensure(child_key, edge.child, "model")
        parent = ensure(parent_key, edge.parent, edge.parent_kind)
        if edge.parent_revision and not parent.pinned_revision:
            parent.pinned_revision = edge.parent_revision
        if parent_key != child_key and not any(p.key == parent_key and p.relation == edge.relation for p in child.parents):
            child.parents.append(Parent(parent_key, edge.relation, edge.evidence))
    for problem in graph.problems:
        art = graph.artifact(problem.artifact)
        key = keys.get(problem.artifact) or (stable_key(art.kind, art.id) if art else None)
        item = ensure(key, art.id, art.kind) if key and art else None
        if item is None:
            root = graph.root and keys.get(graph.root)
            item = ensure(root, graph.root, "model") if root else None
        if item is not None and problem not in item.problems:
            item.problems.append(problem)


def _key_for(graph: Graph, artifact_id: str, kind: str) -> str:
    art = graph.artifact(artifact_id)
    if art is not None:
        return stable_key(art.kind, art.id)
    if kind == "dataset" and artifact_id.lower().startswith("datasets/"):
        artifact_id = artifact_id[len("datasets/"):]
    return stable_key(kind, artifact_id)
