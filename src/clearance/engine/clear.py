"""Clear one model for one use: walk its lineage, find the licenses that bind it, assess each,
and combine them into a verdict with obligations, findings and the evidence path.

A derivative (fine-tune, adapter, quantization, distillation) stays bound by its ancestors'
weights' terms; a merge by all its parents; a model by its training data's terms under
`data_terms` (strict: a dataset's terms bind like weights; lenient, the default: they are a
warning to review). A declared license never frees a model from what it inherits.
"""

from __future__ import annotations

from dataclasses import replace

from clearance.engine import compat
from clearance.engine.usage import MULTIMODAL_TAGS, Assessment, assess, finding
from clearance.engine.values import WEIGHT_RELATIONS, Finding, Node, Obligation, Organization, Result, worst
from clearance.engine.walk import Walk, walk
from clearance.kb.loader import KnowledgeBase
from clearance.kb.normalizer import PLACEHOLDERS
from clearance.kb.terms import LicenseTerms
from clearance.util import TYPE_CHECKING

if TYPE_CHECKING:
    from clearance.engine.values import DataTerms, Lineage


def clear(lineage: Lineage, subject: str, use: str, kb: KnowledgeBase, org: Organization = Organization(),
          data_terms: DataTerms = "lenient", max_depth: int | None = None) -> Result:
    w = walk(lineage, subject, max_depth)
    total = Assessment()
    nodes = {nid: lineage.node(nid) for nid in (subject, *w.order)}
    weight_nodes = [nid for nid in (subject, *w.order) if nid not in w.via_data]
    multimodal = any((n := nodes[nid]) is not None and n.pipeline_tag in MULTIMODAL_TAGS for nid in weight_nodes)

    declared = _license_ids(nodes[subject])
    inherited: list[str] = []
    assessed: set[tuple[str, bool, bool]] = set()
    quantized: dict[str, bool] = {}  # per found node, for its licenses here and its conflicts below
    for nid in (subject, *w.order):
        node = nodes[nid]
        is_data = nid in w.via_data
        if node is None or not node.found:
            if not (is_data and data_terms == "lenient"):  # lenient: unknown data is a warning only
                total.worsen("unknown", f"{nid} could not be found")
            total.findings.append(finding("unresolved-ancestor", nid, f"{nid} is named in the lineage but no source has it"))
            continue
        quantized[nid] = _is_quantization(lineage, nid)
        lics = _declared_terms(node, kb, total, is_data, data_terms, quantized[nid])
        for lic in lics:
            binds = not is_data or data_terms == "strict"  # lenient: data terms are reviewed, not inherited
            if nid != subject and binds and lic.id not in inherited:
                inherited.append(lic.id)
            # One license's terms are assessed once, at the nearest artifact that carries it:
            # a chain of a thousand Llama fine-tunes owes Llama's obligations once.
            key = (lic.id, is_data, nid == subject)
            if key in assessed:
                continue
            assessed.add(key)
            if is_data:
                _assess_data(lic, use, org, node, total, data_terms)
                continue
            a = assess(lic, use, org, artifact=nid, derivative=nid != subject, multimodal=multimodal)
            _merge(total, a)
        _source_disagreement(node, total)
    for link in w.cycles:
        total.findings.append(finding("lineage-cycle", link.child, f"{link.child} names {link.parent} as a parent, "
                                      "which already descends from it", path=(link.parent,)))
    if w.depth_limited:
        total.worsen("unknown", "the lineage is deeper than the depth limit")
    _conflicts(lineage, w, nodes, kb, total, quantized)
    return Result(
        subject=subject, use=use, verdict=total.verdict, declared_licenses=tuple(declared),
        inherited_licenses=tuple(inherited), obligations=tuple(_dedupe_obligations(total.obligations)),
        findings=_with_paths(w, _dedupe_findings(total.findings), total), reasons=tuple(dict.fromkeys(total.reasons)),
    )


MAX_FINDINGS = 500  # nearest first; a pathological lineage must not produce an unreadable report


def _with_paths(w: Walk, findings: list[Finding], total: Assessment) -> tuple[Finding, ...]:
    """Attach the evidence path (subject -> artifact -> cause) to the findings kept.
    Paths are built here, once per kept finding, not for every node walked."""
    kept = findings[:MAX_FINDINGS]
    if len(findings) > MAX_FINDINGS:
        total.reasons.append(f"{len(findings) - MAX_FINDINGS} further findings not shown")
    out = []
    for f in kept:
        path = w.path(f.artifact) + tuple(p for p in f.path if p != f.artifact)
        out.append(replace(f, path=path))
    return tuple(out)


def _license_ids(node: Node | None) -> list[str]:
    if node is None:
        return []
    return list(dict.fromkeys(i for r in node.licenses for i in r.ids))


def _is_quantization(lineage: Lineage, nid: str) -> bool:
    """Every weight parent is a `quantized` edge: the weights are the base's, and so is their license."""
    links = [link for link in lineage.parents(nid) if link.relation in WEIGHT_RELATIONS and link.parent != nid]
    return bool(links) and all(link.relation == "quantized" for link in links)


def _declared_terms(node: Node, kb: KnowledgeBase, total: Assessment, is_data: bool,
                    data_terms: DataTerms, quantization: bool = False) -> list[LicenseTerms]:
    """The KB terms a node declares; records missing and unresolved licenses. A quantization
    that leaves its license undeclared or unresolved carries its base's: a warning, not unknown."""
    lax = (is_data and data_terms == "lenient") or quantization
    why = "; a quantization carries its base's license" if quantization else ""
    out: list[LicenseTerms] = []
    for res in node.licenses:
        if res.modified:
            total.findings.append(finding("modified-license-text", node.id, f"{res.input}: {res.evidence}"))
        if res.assumed_edition and res.id:
            total.findings.append(finding("edition-assumed", node.id, f"{res.input!r} has dated editions and no date "
                                          f"says which binds {node.id}: the latest, {res.id}, is assumed"))
        if res.id is None or res.id in PLACEHOLDERS:
            shown = res.input if res.id is None else f"{res.input} (no license_name or license_link says which)"
            total.findings.append(finding("unresolved-license", node.id, f"license {shown!r} is not in the knowledge base{why}"))
            if not lax:
                total.worsen("unknown", f"{node.id} declares a license Clearance does not know: {res.input!r}")
            continue
        for lid in res.ids:
            lic = kb.get(lid)
            if lic is not None:
                out.append(lic)
    if not node.licenses:
        total.findings.append(finding("missing-license", node.id, f"{node.id} declares no license{why}"))
        if not lax:
            total.worsen("unknown", f"{node.id} declares no license")
    return list({lic.id: lic for lic in out}.values())


def _assess_data(lic: LicenseTerms, use: str, org: Organization, node: Node, total: Assessment,
                 data_terms: DataTerms) -> None:
    a = assess(lic, use, org, artifact=node.id, derivative=True, multimodal=False)
    if data_terms == "strict":
        _merge(total, a)
        return
    # Lenient: a restrictive dataset is a warning with an obligation to review, not a block.
    if a.verdict in ("blocked", "unknown") or lic.share_alike:
        why = "; ".join(a.reasons) or f"{lic.id} is share-alike"
        total.findings.append(finding("dataset-terms", node.id, f"training data under {lic.name}: {why}",
                                      lic, "commercial_use" if use == "commercial" else None))
        total.worsen("conditional")
        ev = lic.evidence["commercial_use"]
        total.obligations.append(Obligation(lic.id, f"review whether the training data's terms ({lic.name}) allow {use} use",
                                            ev.section, ev.url))


def _merge(total: Assessment, a: Assessment) -> None:
    total.verdict = worst(total.verdict, a.verdict)
    total.obligations += a.obligations
    total.findings += a.findings
    total.reasons += a.reasons


def _conflicts(lineage: Lineage, w: Walk, nodes: dict[str, Node | None], kb: KnowledgeBase, total: Assessment,
               quantized: dict[str, bool]) -> None:
    """license-conflict for every model on the lineage whose declared license its own
    ancestors do not allow; incompatible-merge for merges whose parents' terms clash."""
    walked = [nid for nid in (w.subject, *w.order) if nid not in w.via_data]
    own = {nid: _terms(nodes.get(nid), kb) for nid in walked}
    weight_parents = {
        nid: [link.parent for link in lineage.parents(nid) if link.parent in own] for nid in walked
    }
    upstream = _upstream_licenses(walked, own, weight_parents)
    conflicts = 0
    judged: dict[tuple[tuple[str, ...], str, bool], list[tuple[str, str]]] = {}  # recurs all along a chain
    for nid in walked:
        declared = tuple(lic.id for lic in own[nid])
        if not declared:
            continue
        quantization = quantized.get(nid, False)  # a node that declares licenses was found: set above
        for a_id, anc in upstream[nid].items():
            key = (declared, a_id, quantization)
            if key not in judged:
                a_lic = kb.get(a_id)
                judged[key] = compat.conflicts(own[nid], a_lic, quantization) if a_lic else []
            for d_id, reason in judged[key]:
                conflicts += 1
                if conflicts <= MAX_FINDINGS:
                    total.findings.append(finding(
                        "license-conflict", nid, f"{nid} declares {d_id} but descends from {anc} ({a_id}): {reason}",
                        kb.get(a_id), "commercial_use", path=(anc,), declared=d_id, inherited=a_id, ancestor=anc,
                        reason=reason))
    for nid in walked:
        merged = [link.parent for link in lineage.parents(nid) if link.relation == "merge" and link.parent in own]
        for i, p1 in enumerate(merged):
            for p2 in merged[i + 1:]:
                for a in own[p1]:
                    for b in own[p2]:
                        reason = compat.merge_conflict(a, b)
                        if reason:
                            total.worsen("blocked", f"{nid} merges weights under incompatible licenses ({a.id}, {b.id})")
                            total.findings.append(finding("incompatible-merge", nid,
                                                          f"{nid} merges {p1} ({a.id}) and {p2} ({b.id}): {reason}"))


def _upstream_licenses(walked: list[str], own: dict[str, list[LicenseTerms]],
                       parents: dict[str, list[str]]) -> dict[str, dict[str, str]]:
    """For every model, the licenses of its weight ancestors, each with the nearest ancestor
    that carries it. Propagated in sweeps from the roots down (reverse breadth-first order)
    until nothing changes: linear per sweep, so a million-level chain costs two sweeps."""
    up: dict[str, dict[str, str]] = {nid: {} for nid in walked}
    for _ in range(len(walked) + 1):
        changed = False
        for nid in reversed(walked):
            mine = up[nid]
            for p in parents[nid]:
                for lic in own[p]:
                    if lic.id not in mine:
                        mine[lic.id] = p
                        changed = True
                for lic_id, anc in up[p].items():
                    if lic_id not in mine and anc != nid:
                        mine[lic_id] = anc
                        changed = True
        if not changed:
            break
    return up


def _terms(node: Node | None, kb: KnowledgeBase) -> list[LicenseTerms]:
    if node is None:
        return []
    out = []
    for res in node.licenses:
        for lid in res.ids:
            lic = kb.get(lid)
            if lic is not None and lid not in PLACEHOLDERS:
                out.append(lic)
    return out


def _source_disagreement(node: Node, total: Assessment) -> None:
    by_kind: dict[str, set[str]] = {}
    for res in node.licenses:
        if res.id and res.id not in PLACEHOLDERS:
            group = "file" if res.kind == "license_file" else ("gguf" if res.kind == "gguf" else "card")
            by_kind.setdefault(group, set()).update(res.ids)
    if len(by_kind) > 1 and len({frozenset(v) for v in by_kind.values()}) > 1:
        said = "; ".join(f"{k}: {', '.join(sorted(v))}" for k, v in sorted(by_kind.items()))
        total.findings.append(finding("license-changed", node.id, f"{node.id}'s sources disagree on its license ({said})"))


def _dedupe_obligations(obs: list[Obligation]) -> list[Obligation]:
    return list(dict.fromkeys(obs))


def _dedupe_findings(findings: list[Finding]) -> list[Finding]:
    """One finding per rule and message: the same license met twice on the lineage (the
    subject and its base both under Llama 2) is one obligation, reported where first met."""
    seen: dict[tuple[str, str], Finding] = {}
    for f in findings:
        seen.setdefault((f.name, f.message), f)
    return list(seen.values())
