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
- where (given the project's scan references): one `software_File` per project file that names
  an artifact (name = its path relative to the project) and one `software_Snippet` per line
  (`software_snippetFromFile` that file, `software_lineRange` begin = end = the line), then per
  reference `<snippet> dependsOn <package>` (role used) or `<snippet> generates <package>`
  (role produced), the relationship's comment saying what matched. Why a Snippet: of the
  software profile's classes, it is the one the model defines for "a certain part of a file",
  and `lineRange` is its field for the lines; `software_contentIdentifier` is no place (an
  intrinsic gitoid / SWHID of the artifact's own content: what it is, not where it is used),
  `software_sourceInfo` and an `Annotation` are free text no tool can follow. What the project
  only publishes (role produced, in no lineage) gets a package too, related only by
  `generates`: no `dependsOn`, no root element, its licenses NoAssertion and its comment saying
  it is published and unchecked;
- software_packageVersion: the artifact's commit, else one a child pinned, else the
  `clearance.lock` entry's revision (when a lock is given; the comment says so);
- per subject one review `Annotation` (contentType application/json) whose statement is
  {"tool", "verdicts": [{"use", "verdict", "policy", "reasons", "failures", "waived_by"?}],
  "findings": [{..., "uses"}], "obligations": [{..., "uses"}]}: each finding and obligation
  once, with the uses it applies to; "failures" only what no finding or verdict already says.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from spdx_python_model import v3_0_1 as spdx

from clearance.bom.inventory import (
    Inventory,
    Item,
    LicenseTerm,
    build,
    failures_of,
    findings_of,
    iri_safe,
    obligations_of,
    policy_status,
)
from clearance.usecases.check import CheckRun
from clearance.util.version import __version__

if TYPE_CHECKING:
    from clearance.lock.model import Lock
    from clearance.scan import Reference

__all__ = ["SPEC_VERSION", "to_spdx3"]

SPEC_VERSION = "3.0.1"
NOASSERTION = "NOASSERTION"
HUB_PROFILE = "https://huggingface.co/"  # + a user or organisation name
_LINEAGE = {"trained_on": spdx.RelationshipType.trainedOn}


def to_spdx3(run: CheckRun, *, name: str = "clearance-bom", references: Iterable[Reference] | None = None,
             lock: Lock | str | Path | None = None) -> str:
    inv = build(run, references=references, lock=lock)
    return json.dumps(_Writer(inv, name).document(), indent=2, ensure_ascii=False)


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
        self.files: dict[str, object] = {}
        self.snippets: dict[tuple[str, int], object] = {}
        self.info = spdx.CreationInfo(specVersion=SPEC_VERSION, created=dt.datetime.now(dt.timezone.utc).replace(microsecond=0))
        creator = spdx.SoftwareAgent(spdxId=self.base + "creator:clearance", name="Clearance", creationInfo=self.info)
        tool = spdx.Tool(spdxId=self.base + "tool:clearance", name=f"clearance {__version__}", creationInfo=self.info)
        self.info.createdBy.append(creator)
        self.info.createdUsing.append(tool)
        self._add(creator, tool)

    def document(self) -> dict:
        every = [*self.inv, *self.inv.published.values()]
        packages = {item.key: self._package(item) for item in every}
        for item in every:
            pkg = packages[item.key]
            self._relationship(pkg, spdx.RelationshipType.hasDeclaredLicense, [self._declared(item)])
            self._relationship(pkg, spdx.RelationshipType.hasConcludedLicense, [self._concluded(item)])
            for parent in item.parents:
                kind = _LINEAGE.get(parent.relation, spdx.RelationshipType.descendantOf)
                comment = f"{parent.relation}: {parent.evidence}" if parent.evidence else parent.relation
                self._relationship(pkg, kind, [packages[parent.key]], comment)
            for occ in item.occurrences:
                kind = spdx.RelationshipType.generates if occ.role == "produced" else spdx.RelationshipType.dependsOn
                self._relationship(self._snippet(occ.file, occ.line), kind, [pkg], occ.via or None)
            if item.outcomes:
                self._annotation(pkg, item)
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
        if item.key in self.inv.published:
            notes.append("Published by the project (scan role produced): no dependency; Clearance did not check it.")
        elif not item.resolved:
            notes.append("Not resolved: no source Clearance read knows this artifact; only its id and kind are known.")
        if item.revision_from == "lock":
            notes.append("Revision from clearance.lock.")
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

    def _snippet(self, path: str, line: int):
        """The line of a project file that names an artifact (see the module's note on why a
        Snippet): one `software_File` per file, one `software_Snippet` per line."""
        if path not in self.files:
            self.files[path] = spdx.software_File(spdxId=self.base + "file:" + iri_safe(path), name=path,
                                                  creationInfo=self.info, software_fileKind=spdx.software_FileKindType.file)
            self._add(self.files[path])
        if (path, line) not in self.snippets:
            snippet = spdx.software_Snippet(
                spdxId=self.base + "line:" + iri_safe(f"{path}:{line}"), name=f"{path}:{line}", creationInfo=self.info,
                software_snippetFromFile=self.files[path],
                software_lineRange=spdx.PositiveIntegerRange(beginIntegerRange=line, endIntegerRange=line))
            self.snippets[(path, line)] = snippet
            self._add(snippet)
        return self.snippets[(path, line)]

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

    def _annotation(self, pkg, item: Item) -> None:
        """One review per subject: the verdict per use, then each finding and obligation once
        with the uses it applies to (not repeated in every use's verdict)."""
        verdicts = []
        for outcome in item.outcomes:
            r = outcome.result
            verdict = {"use": r.use, "verdict": r.verdict, "policy": policy_status(outcome),
                       "reasons": list(r.reasons), "failures": failures_of(outcome)}
            if outcome.waived_by:
                verdict["waived_by"] = outcome.waived_by
            verdicts.append(verdict)
        statement = {"tool": f"clearance {__version__}", "verdicts": verdicts,
                     "findings": findings_of(item), "obligations": obligations_of(item)}
        ann = spdx.Annotation(spdxId=self._id("annotation"), creationInfo=self.info,
                              annotationType=spdx.AnnotationType.review, subject=pkg,
                              contentType="application/json",
                              statement=json.dumps(statement, ensure_ascii=False))
        self._add(ann)
