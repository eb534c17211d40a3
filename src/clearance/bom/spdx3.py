"""An SPDX 3.0.1 JSON-LD AI bill of materials (AI and Dataset profiles), built with the SPDX
project's own Python bindings (`spdx-python-model`, generated from the SPDX 3.0.1 SHACL model,
which check every property's type and required count as the document is built and written).

What the document holds (ids: `urn:uuid:<fresh uuid>#<local name>`; an artifact's local name is
its stable key, `model:<lower-cased hub id>`, `dataset:...`, `path:<absolute path>`):
- one `CreationInfo` (specVersion 3.0.1, created now, createdBy a `SoftwareAgent` "Clearance",
  createdUsing a `Tool` "clearance <version>"), shared by every element;
- an `SpdxDocument` named `name`, profileConformance core/software/ai/dataset/simpleLicensing,
  dataLicense CC0-1.0, rootElement = the subjects, element = everything else;
- one `ai_AIPackage` per model and one `dataset_DatasetPackage` per dataset, resolved or not:
  software_primaryPurpose model / data, software_downloadLocation and software_homePage the
  Hub page (a local folder: its file: URI), software_packageUrl the purl (see
  `inventory.Item.purl`), software_packageVersion the revision or "NOASSERTION" when none is
  known (snapshots carry none), suppliedBy (and, for datasets, originatedBy) an `Agent` named
  after the Hub namespace (a user or an organisation: the Hub does not say which),
  releaseTime the Hub's createdAt; for datasets builtTime is also the Hub's createdAt (the
  earliest time Clearance knows the data existed: the Hub does not publish a build time) and
  dataset_datasetType `noAssertion`. A required property Clearance cannot know (no createdAt,
  no namespace: an unresolved artifact, a legacy id, a local folder) is left out and named in
  the element's `comment`, with the walk's problems (missing, cycle, depth limit);
- licenses: exactly one `hasDeclaredLicense` and one `hasConcludedLicense` relationship per
  package (the AI and Dataset profiles' conformance rule), each to one
  `simplelicensing_LicenseExpression`: SPDX ids where the license is on the SPDX list,
  ScanCode's `LicenseRef-scancode-...` or our `LicenseRef-clearance-<kb id>` otherwise (mapped
  to the text URL in `simplelicensing_customIdToUri`); several declared values are joined with
  AND (every declared license applies). Declared with no license: `NoneLicense` for a resolved
  artifact, `NoAssertionLicense` for one no source knew. Concluded: for a subject, what Clearance
  found binds it (declared + inherited); for every other artifact `NoAssertionLicense`;
- lineage: `<child> descendantOf <parent>` per weight edge (finetune, adapter, merge, quantized,
  distilled; the relation and its evidence in the relationship's comment) and
  `<model> trainedOn <dataset>` per training-data edge;
- per subject and use a review `Annotation` (contentType application/json) whose statement is
  {"tool", "use", "verdict", "policy", "reasons", "failures", "findings", "obligations"}.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

from spdx_python_model import v3_0_1 as spdx

from clearance.util.version import __version__
from clearance.bom.inventory import (
    Inventory,
    Item,
    LicenseTerm,
    build,
    iri_safe,
    policy_status,
)
from clearance.usecases.check import CheckRun

__all__ = ["SPEC_VERSION", "to_spdx3"]

SPEC_VERSION = "3.0.1"
NOASSERTION = "NOASSERTION"
HUB_PROFILE = "https://huggingface.co/"  # + a user or organisation name
_LINEAGE = {"trained_on": spdx.RelationshipType.trainedOn}


def to_spdx3(run: CheckRun, *, name: str = "clearance-bom") -> str:
    return json.dumps(_Writer(build(run), name).document(), indent=2, ensure_ascii=False)


class _Writer:
    def __init__(self, inv: Inventory, name: str) -> None:
        self.inv = inv
        self.name = name
        self.base = f"urn:uuid:{uuid.uuid4()}#"
        self.objects = spdx.SHACLObjectSet()
        self.elements: list = []
        self.counters: dict[str, int] = {}
        self.expressions: dict[str, object] = {}
        self.agents: dict[str, object] = {}
        self.info = spdx.CreationInfo(specVersion=SPEC_VERSION, created=dt.datetime.now(dt.timezone.utc).replace(microsecond=0))
        creator = spdx.SoftwareAgent(spdxId=self.base + "creator:clearance", name="Clearance", creationInfo=self.info)
        tool = spdx.Tool(spdxId=self.base + "tool:clearance", name=f"clearance {__version__}", creationInfo=self.info)
        self.info.createdBy.append(creator)
        self.info.createdUsing.append(tool)
        self._add(creator, tool)

    def document(self) -> dict:
        packages = {item.key: self._package(item) for item in self.inv}
        for item in self.inv:
            pkg = packages[item.key]
            self._relationship(pkg, spdx.RelationshipType.hasDeclaredLicense, [self._declared(item)])
            self._relationship(pkg, spdx.RelationshipType.hasConcludedLicense, [self._concluded(item)])
            for parent in item.parents:
                kind = _LINEAGE.get(parent.relation, spdx.RelationshipType.descendantOf)
                comment = f"{parent.relation}: {parent.evidence}" if parent.evidence else parent.relation
                self._relationship(pkg, kind, [packages[parent.key]], comment)
            for outcome in item.outcomes:
                self._annotation(pkg, outcome)
        doc = spdx.SpdxDocument(
            spdxId=self.base + "document", name=self.name, creationInfo=self.info,
            profileConformance=[spdx.ProfileIdentifierType.core, spdx.ProfileIdentifierType.software,
                                spdx.ProfileIdentifierType.ai, spdx.ProfileIdentifierType.dataset,
                                spdx.ProfileIdentifierType.simpleLicensing],
            dataLicense=self._expression("CC0-1.0", {}),
            rootElement=[packages[k] for k in self.inv.subjects],
            element=list(self.elements),
        )
        self.objects.add(doc)
        # The bindings check every property's type as it is set, and required counts here.
        return spdx.JSONLDSerializer().serialize_data(self.objects, force_at_graph=True)

    # -- elements ---------------------------------------------------------------------------

    def _add(self, *elements) -> None:
        for el in elements:
            self.objects.add(el)
            self.elements.append(el)

    def _id(self, prefix: str) -> str:
        n = self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return f"{self.base}{prefix}-{n}"

    def _package(self, item: Item):
        missing: list[str] = []
        common = {
            "spdxId": self.base + iri_safe(item.key),
            "name": item.id if not item.is_path else item.name,
            "creationInfo": self.info,
            "software_packageVersion": item.revision or NOASSERTION,
        }
        common["software_downloadLocation"] = item.hub_url or Path(item.id).absolute().as_uri()
        if item.hub_url:
            common["software_homePage"] = item.hub_url
        if item.purl:
            common["software_packageUrl"] = item.purl
        created = item.created_at
        if created:
            common["releaseTime"] = created
        else:
            missing.append("releaseTime")
        supplier = self._agent(item.namespace) if item.namespace else None
        if supplier is not None:
            common["suppliedBy"] = supplier
        elif item.kind == "model":
            missing.append("suppliedBy")
        if item.kind == "dataset":
            pkg = spdx.dataset_DatasetPackage(
                software_primaryPurpose=spdx.software_SoftwarePurpose.data,
                dataset_datasetType=[spdx.dataset_DatasetType.noAssertion], **common)
            if supplier is not None:
                pkg.originatedBy.append(supplier)
            else:
                missing.append("originatedBy")
            if created:
                pkg.builtTime = created
            else:
                missing.append("builtTime")
        else:
            pkg = spdx.ai_AIPackage(software_primaryPurpose=spdx.software_SoftwarePurpose.model, **common)
        notes = []
        if not item.resolved:
            notes.append("Not resolved: no source Clearance read knows this artifact; only its id and kind are known.")
        if item.is_path:
            notes.append(f"Local path: {item.id}")
        if item.source:
            notes.append(f"Read from {item.source}.")
        notes += [f"{p.code}: {p.message}" for p in item.problems]
        if missing:
            notes.append("Unknown to Clearance, so left out: " + ", ".join(missing) + ".")
        if notes:
            pkg.comment = " ".join(notes)
        self._add(pkg)
        return pkg

    def _agent(self, namespace: str):
        key = namespace.lower()
        if key not in self.agents:
            agent = spdx.Agent(spdxId=self.base + "agent:" + iri_safe(key), name=namespace, creationInfo=self.info)
            agent.comment = f"Hugging Face Hub user or organisation: {HUB_PROFILE}{namespace}"
            self.agents[key] = agent
            self._add(agent)
        return self.agents[key]

    # -- licenses ---------------------------------------------------------------------------

    def _declared(self, item: Item):
        if item.declared:
            return self._terms(item.declared)
        none = spdx.expandedlicensing_IndividualLicensingInfo
        return none.NoneLicense if item.resolved else none.NoAssertionLicense

    def _concluded(self, item: Item):
        terms = self.inv.concluded(item)
        if terms:
            return self._terms(terms)
        return spdx.expandedlicensing_IndividualLicensingInfo.NoAssertionLicense

    def _terms(self, terms: list[LicenseTerm]):
        parts, uris = [], {}
        for term in terms:
            text = term.spdx_expression
            parts.append(f"({text})" if len(term.licenses) > 1 and len(terms) > 1 else text)
            for lic in term.licenses:
                if lic.license_ref.startswith("LicenseRef-") and lic.url:
                    uris[lic.license_ref] = lic.url
        return self._expression(" AND ".join(dict.fromkeys(parts)), uris)

    def _expression(self, text: str, uris: dict[str, str]):
        if text not in self.expressions:
            expr = spdx.simplelicensing_LicenseExpression(
                spdxId=self._id("license"), creationInfo=self.info, simplelicensing_licenseExpression=text)
            for ref, url in sorted(uris.items()):
                expr.simplelicensing_customIdToUri.append(spdx.DictionaryEntry(key=ref, value=url))
            self.expressions[text] = expr
            self._add(expr)
        return self.expressions[text]

    # -- relationships and annotations ------------------------------------------------------

    def _relationship(self, source, kind, targets: list, comment: str | None = None) -> None:
        rel = spdx.Relationship(spdxId=self._id("relationship"), creationInfo=self.info,
                                from_=source, to=targets, relationshipType=kind)
        if comment:
            rel.comment = comment
        self._add(rel)

    def _annotation(self, pkg, outcome) -> None:
        r = outcome.result
        statement = {
            "tool": f"clearance {__version__}",
            "use": r.use,
            "verdict": r.verdict,
            "policy": policy_status(outcome),
            "reasons": list(r.reasons),
            "failures": list(outcome.failures),
            "findings": [{"code": f.code, "name": f.name, "severity": f.severity, "artifact": f.artifact,
                          "message": f.message, "path": list(f.path), "url": f.url} for f in r.findings],
            "obligations": [o.to_json() for o in r.obligations],
        }
        if outcome.waived_by:
            statement["waived_by"] = outcome.waived_by
        ann = spdx.Annotation(spdxId=self._id("annotation"), creationInfo=self.info,
                              annotationType=spdx.AnnotationType.review, subject=pkg,
                              contentType="application/json",
                              statement=json.dumps(statement, ensure_ascii=False))
        self._add(ann)

