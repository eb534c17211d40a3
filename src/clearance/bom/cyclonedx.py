"""A CycloneDX 1.6 JSON AI bill of materials, built with cyclonedx-python-lib.

What the BOM holds:
- `metadata.component`: an `application` named after the BOM (`name`), bom-ref `clearance:bom`,
  that depends on the subjects; `metadata.tools`: Clearance.
- one component per model (`machine-learning-model`) and dataset (`data`) of the run, bom-ref =
  the graph's stable key (`model:<lower-cased hub id>`, `dataset:...`, `path:<absolute path>`),
  `group`/`name` = the Hub namespace and name, `version` = the revision when one is known, purl
  `pkg:huggingface/<namespace>/<name>[@<commit>]` (datasets `pkg:huggingface/datasets/...`; see
  `inventory.Item.purl`), the Hub page as `distribution` (and `model-card`) external reference.
- licenses: each declared license as `{"license": {"id"}}` when it is on the SPDX License List
  (checked with the library's SPDX list, which its strict schema enforces), otherwise as a named
  license (the KB's name, or the raw value for a value the KB does not know) with the license
  text URL and the KB id / LicenseRef in the license's properties; never an invalid id.
  acknowledgement `declared`; for a subject, what Clearance concluded binds it (declared +
  inherited) follows with acknowledgement `concluded`. A component whose only license is one
  expression of SPDX ids (`Apache-2.0 OR MIT`) gets that expression instead (the schema allows
  an expression only alone); otherwise the expression's licenses are listed one by one, each
  with `clearance:declared-as` = the expression.
- lineage: `pedigree.ancestors` lists every model the weights descend from, all generations
  (not only the parents: a quantized fine-tune shows its base model too), each a short copy
  (type, group, name, version, purl, declared licenses; no bom-ref, which must stay unique)
  whose properties name the full component (`clearance:ref`), the generation
  (`clearance:depth`, 1 = parent; the library orders ancestors itself) and how it was reached
  (`clearance:ancestor-of` = "<child bom-ref> (<relation>)"). Datasets are not
  ancestors: they are in `modelCard.modelParameters.datasets` (by bom-ref, direct training
  data only; each ancestor's own datasets are in its own model card).
- `dependencies`: every component depends on its parents (models and datasets).
- where (given the project's scan references): `evidence.occurrences`, one per reference that
  names the component, `location` = the file (relative to the project), `line`, and
  `additionalContext` = what matched (`transformers AutoModelForCausalLM.from_pretrained`), or
  `produced: <what matched>` for a reference that publishes it; `clearance:role` says
  `used` / `produced` (one property per role). What the project only publishes (`role:
  produced`: `push_to_hub`, `hf upload`) is no dependency: it is not among `components` nor in
  `dependencies`, but nested in `metadata.component.components` (the project's own output),
  with its occurrences, identity and `clearance:role` = produced, and nothing checked.
- version: the revision when known: the artifact's commit, else one a child pinned, else the
  `clearance.lock` entry's (when a lock is given); `clearance:revision-from` = artifact |
  reference | lock.
- properties (namespace `clearance:`): on every component `clearance:resolved` (false when no
  source knew it), `clearance:source`, `clearance:created-at`, `clearance:problem` (the walk's
  missing / cycle / depth-limit notes); on each subject `clearance:verdict:<use>`,
  `clearance:policy:<use>` (pass | fail | waived), `clearance:reason:<use>`, and one
  `clearance:finding` / `clearance:obligation` per distinct finding / obligation, each once
  for all uses, whose value is a JSON object (finding: code, name, severity, artifact,
  message, uses, path, url; obligation: license, text, section, url, uses).
  `clearance:failure:<use>` keeps only what the policy failed on that neither a finding nor the
  verdict already says (a denied license): an error finding fails every use in its `uses`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from cyclonedx.model import ExternalReference, ExternalReferenceType, Property, XsUri
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType, Pedigree
from cyclonedx.model.component_evidence import ComponentEvidence, Occurrence
from cyclonedx.model.license import (
    DisjunctiveLicense,
    LicenseAcknowledgement,
    LicenseExpression,
)
from cyclonedx.output import make_outputter
from cyclonedx.schema import OutputFormat, SchemaVersion
from cyclonedx.spdx import fixup_id, is_expression
from packageurl import PackageURL

from clearance.bom.inventory import (
    Inventory,
    Item,
    LicenseInfo,
    LicenseTerm,
    build,
    failures_of,
    findings_of,
    obligations_of,
    policy_status,
)
from clearance.usecases.check import CheckRun
from clearance.util.version import __version__

if TYPE_CHECKING:
    from pathlib import Path

    from clearance.lock.model import Lock
    from clearance.scan import Reference

__all__ = ["to_cyclonedx"]

SCHEMA = SchemaVersion.V1_6
BOM_REF = "clearance:bom"


def to_cyclonedx(run: CheckRun, *, name: str = "clearance-bom", references: Iterable[Reference] | None = None,
                 lock: Lock | str | Path | None = None) -> str:
    inv = build(run, references=references, lock=lock)
    bom = Bom()
    # What the project publishes is its own output, not a dependency: nested in the component
    # the BOM describes, outside `components` and `dependencies`.
    published = [_component(inv, item) for item in inv.published.values()]
    root = Component(type=ComponentType.APPLICATION, name=name, bom_ref=BOM_REF, components=published)
    bom.metadata.component = root
    bom.metadata.tools.components.add(Component(type=ComponentType.APPLICATION, name="clearance", version=__version__))

    components = {item.key: _component(inv, item) for item in inv}
    for comp in components.values():
        bom.components.add(comp)
    for item in inv:
        bom.register_dependency(components[item.key], [components[p.key] for p in item.parents])
    bom.register_dependency(root, [components[k] for k in inv.subjects])

    doc = json.loads(make_outputter(bom, OutputFormat.JSON, SCHEMA).output_as_string())
    head = {k: doc.pop(k) for k in ("$schema", "bomFormat", "specVersion", "serialNumber", "version") if k in doc}
    return json.dumps({**head, **_with_model_cards(_in_line_order(doc), inv)}, indent=2)


def _in_line_order(doc: dict) -> dict:
    """Occurrences by file, then line. The library keeps them in a sorted set whose order
    starts with each occurrence's (absent) bom-ref, which compares by object identity: the
    order would change from run to run."""
    comps = [*doc.get("components", []), *doc.get("metadata", {}).get("component", {}).get("components", [])]
    for comp in comps:
        occ = comp.get("evidence", {}).get("occurrences")
        if occ:
            occ.sort(key=lambda o: (o["location"], o.get("line", 0), o.get("additionalContext", "")))
    return doc


def _with_model_cards(doc: dict, inv: Inventory) -> dict:
    """Add `modelCard.modelParameters` (datasets by bom-ref, task) to the model components.

    Written here because cyclonedx-python-lib has no model-card support yet (its
    `Component.model_card` is a TODO; CycloneDX/cyclonedx-python-lib#912, open): the library
    builds and serialises everything else, and the tests validate the final document against
    the strict 1.6 schema."""
    for comp in doc.get("components", []):
        item = inv.items.get(comp.get("bom-ref", ""))
        if item is None or item.kind != "model":
            continue
        params: dict[str, object] = {}
        if item.pipeline_tag:
            params["task"] = item.pipeline_tag
        datasets = inv.datasets_of(item)
        if datasets:
            params["datasets"] = [{"ref": d.key} for d in datasets]
        if params:
            comp["modelCard"] = {"bom-ref": f"{item.key}#model-card", "modelParameters": params}
    return doc


def _component(inv: Inventory, item: Item) -> Component:
    props = _item_properties(item)
    if item.outcomes:
        props += _subject_properties(item)
    ancestors = [_ancestor(anc, depth, links) for anc, depth, links in inv.ancestors_of(item)]
    return Component(
        type=ComponentType.DATA if item.kind == "dataset" else ComponentType.MACHINE_LEARNING_MODEL,
        bom_ref=item.key,
        **_identity(item),
        licenses=_licenses(item.declared, inv.concluded(item)),
        external_references=_references(item),
        properties=props,
        pedigree=Pedigree(ancestors=ancestors) if ancestors else None,
        evidence=_evidence(item),
    )


def _evidence(item: Item) -> ComponentEvidence | None:
    """Where the project names it: one occurrence per reference (file, line, what matched)."""
    if not item.occurrences:
        return None
    return ComponentEvidence(occurrences=[
        Occurrence(location=o.file, line=o.line,
                   additional_context=(f"produced: {o.via}" if o.role == "produced" else o.via) or None)
        for o in item.occurrences])


def _identity(item: Item) -> dict:
    purl = item.purl
    return {
        "group": item.namespace,
        "name": item.name,
        "version": item.revision,
        "purl": PackageURL.from_string(purl) if purl else None,
    }


def _ancestor(item: Item, depth: int, links: list[tuple[str, str]]) -> Component:
    props = [Property(name="clearance:ref", value=item.key), Property(name="clearance:depth", value=str(depth))]
    props += [Property(name="clearance:ancestor-of", value=f"{child} ({relation})") for child, relation in links]
    return Component(
        type=ComponentType.DATA if item.kind == "dataset" else ComponentType.MACHINE_LEARNING_MODEL,
        **_identity(item),
        licenses=_licenses(item.declared, []),
        properties=props,
    )


def _references(item: Item) -> list[ExternalReference]:
    url = item.hub_url
    if not url:
        return []
    refs = [ExternalReference(type=ExternalReferenceType.DISTRIBUTION, url=XsUri(url))]
    if item.kind == "model":
        refs.append(ExternalReference(type=ExternalReferenceType.MODEL_CARD, url=XsUri(url)))
    return refs


# -- licenses ---------------------------------------------------------------------------------

def _licenses(declared: list[LicenseTerm], concluded: list[LicenseTerm]):
    if len(declared) == 1 and not concluded:
        expression = _expression(declared[0])
        if expression is not None:
            return [LicenseExpression(expression, acknowledgement=LicenseAcknowledgement.DECLARED)]
    out: list = []
    for terms, ack in ((declared, LicenseAcknowledgement.DECLARED), (concluded, LicenseAcknowledgement.CONCLUDED)):
        seen: set[str] = set()
        for term in terms:
            # A multi-license value among others cannot stay an expression here: each license
            # is listed, and says which expression it was declared in.
            group = term.spdx_expression if len(term.licenses) > 1 else None
            for lic in term.licenses:
                if (lic.kb_id or lic.raw) not in seen:
                    seen.add(lic.kb_id or lic.raw)
                    out.append(_license(lic, ack, group))
    return out


def _expression(term: LicenseTerm) -> str | None:
    """An SPDX expression for a term of several licenses that are all on the SPDX list."""
    if len(term.licenses) < 2 or not all(lic.spdx_id and fixup_id(lic.spdx_id) for lic in term.licenses):
        return None
    text = f" {term.operator or 'AND'} ".join(fixup_id(lic.spdx_id) for lic in term.licenses)  # type: ignore[arg-type]
    return text if is_expression(text) else None


def _license(lic: LicenseInfo, ack: LicenseAcknowledgement, group: str | None = None) -> DisjunctiveLicense:
    spdx = fixup_id(lic.spdx_id) if lic.spdx_id else None
    props = []
    if lic.kb_id:
        props.append(Property(name="clearance:license-id", value=lic.kb_id))
    if group:
        props.append(Property(name="clearance:declared-as", value=group))
    if not lic.resolved:
        props.append(Property(name="clearance:resolved", value="false"))
    if spdx:
        return DisjunctiveLicense(id=spdx, acknowledgement=ack, properties=props)
    if lic.license_ref.startswith("LicenseRef-"):
        props.append(Property(name="clearance:spdx-license-ref", value=lic.license_ref))
    url = XsUri(lic.url) if lic.url else None
    return DisjunctiveLicense(name=lic.name, url=url, acknowledgement=ack, properties=props)


# -- properties -------------------------------------------------------------------------------

def _item_properties(item: Item) -> list[Property]:
    props = [Property(name="clearance:kind", value=item.kind),
             Property(name="clearance:resolved", value="true" if item.resolved else "false")]
    if item.source:
        props.append(Property(name="clearance:source", value=item.source))
    if item.is_path:
        props.append(Property(name="clearance:path", value=item.id))
    props += [Property(name="clearance:role", value=role) for role in item.roles]
    if item.revision_from:
        props.append(Property(name="clearance:revision-from", value=item.revision_from))
    created = item.created_at
    if created:
        props.append(Property(name="clearance:created-at", value=created.isoformat().replace("+00:00", "Z")))
    props += [Property(name="clearance:problem", value=f"{p.code}: {p.message}") for p in item.problems]
    return props


def _subject_properties(item: Item) -> list[Property]:
    props: list[Property] = []
    for outcome in item.outcomes:
        r = outcome.result
        props.append(Property(name=f"clearance:verdict:{r.use}", value=r.verdict))
        props.append(Property(name=f"clearance:policy:{r.use}", value=policy_status(outcome)))
        props += [Property(name=f"clearance:reason:{r.use}", value=reason) for reason in r.reasons]
        props += [Property(name=f"clearance:failure:{r.use}", value=failure) for failure in failures_of(outcome)]
    props += [Property(name="clearance:finding", value=_json(v)) for v in findings_of(item)]
    props += [Property(name="clearance:obligation", value=_json(v)) for v in obligations_of(item)]
    return props


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

