"""Validators every BOM the tests write must pass: CycloneDX 1.6 strict schema validation, and
the SPDX 3.0.1 model's requirements (through the SPDX bindings, then explicitly)."""

from __future__ import annotations

import json
import re
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "hub-2025-sample.jsonl"  # the bundled Hub snapshot
COMMIT = "0123456789ABCDEF0123456789ABCDEF01234567"  # the pinned revision in the crafted snapshot


# -- CycloneDX ----------------------------------------------------------------------------------

_VALIDATOR = None


def assert_valid_cyclonedx(text: str) -> dict:
    """CycloneDX 1.6 strict JSON schema validation, with cyclonedx-python-lib's own validator
    (format checks included: every URL is parsed as an IRI reference)."""
    global _VALIDATOR
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    if _VALIDATOR is None:
        _memoize_iri_checks()
        _VALIDATOR = JsonStrictValidator(SchemaVersion.V1_6)
    errors = _VALIDATOR.validate_str(text, all_errors=True)
    assert errors is None, [str(e) for e in errors]
    return json.loads(text)


def _memoize_iri_checks() -> None:
    """jsonschema checks the `iri-reference` format with rfc3987-syntax's Earley parser, about
    0.05 s a URL; a BOM repeats the same Hub and license URLs many times. The same check, with
    its answers remembered, keeps these tests at a few seconds."""
    import functools

    from jsonschema import _format

    check = getattr(_format, "_rfc3987_is_valid_syntax", None)
    if check is not None and not hasattr(check, "cache_info"):
        _format._rfc3987_is_valid_syntax = functools.lru_cache(maxsize=None)(check)


# -- SPDX 3.0.1 ---------------------------------------------------------------------------------

SPDX_CONTEXT = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
NO_LICENSE = {"expandedlicensing_NoAssertionLicense", "expandedlicensing_NoneLicense"}
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
AGENTS = {"Agent", "SoftwareAgent", "Person", "Organization"}
AI_REQUIRED = ("releaseTime", "suppliedBy", "software_downloadLocation", "software_packageVersion", "software_primaryPurpose")
DATASET_REQUIRED = ("builtTime", "originatedBy", "releaseTime", "software_downloadLocation", "software_primaryPurpose",
                    "dataset_datasetType")


def load_spdx_with_bindings(doc: dict):
    """Parse with the SPDX project's Python bindings for 3.0.1 (spdx-python-model): every type,
    property, value and enumeration is checked against the model; then write it back, which
    checks each property's required count. Returns the object set."""
    import spdx_python_model
    from spdx_python_model import v3_0_1 as spdx

    model, objects = spdx_python_model.load_data(doc)
    assert model is spdx
    missing = objects.link()  # references to ids that are not in the document
    assert missing == set(), missing
    again = spdx.JSONLDSerializer().serialize_data(objects, force_at_graph=True)
    ids = lambda d: sorted(o.get("spdxId", "") for o in d["@graph"])  # noqa: E731
    assert ids(again) == ids(doc)
    return objects


def check_spdx_document(text: str) -> dict:
    """Every requirement of the SPDX 3.0.1 model the document relies on, checked explicitly
    (spdx-tools 0.8 cannot read SPDX 3; spdx3-validate downloads the schema and SHACL model at
    run time): returns {"doc", "by_id", "packages", "relationships"} for further assertions."""
    doc = json.loads(text)
    assert doc["@context"] == SPDX_CONTEXT
    graph = doc["@graph"]
    assert isinstance(graph, list) and graph

    infos = [o for o in graph if o.get("type") == "CreationInfo"]
    assert len(infos) == 1
    info = infos[0]
    assert info["@id"].startswith("_:") and info["specVersion"] == "3.0.1" and DATETIME.match(info["created"])
    assert info["createdBy"]

    elements = [o for o in graph if o.get("type") != "CreationInfo"]
    by_id = {}
    for el in elements:
        assert el.get("type"), el
        assert IRI.match(el.get("spdxId", "")), el
        assert el["creationInfo"] == info["@id"], el
        assert el["spdxId"] not in by_id, f"duplicate spdxId {el['spdxId']}"
        by_id[el["spdxId"]] = el
    assert all(by_id[a]["type"] in AGENTS for a in info["createdBy"])
    assert all(by_id[t]["type"] == "Tool" for t in info.get("createdUsing", []))

    def ref(value, *types):
        if value in NO_LICENSE:
            return value
        assert value in by_id, f"{value} is not an element of the document"
        if types:
            assert by_id[value]["type"] in types, (value, by_id[value]["type"], types)
        return value

    docs = [el for el in elements if el["type"] == "SpdxDocument"]
    assert len(docs) == 1
    spdx_doc = docs[0]
    assert {"core", "software", "ai", "dataset", "simpleLicensing"} <= set(spdx_doc["profileConformance"])
    listed = set(spdx_doc["element"])
    assert listed == set(by_id) - {spdx_doc["spdxId"]}
    for root in spdx_doc.get("rootElement", []):
        ref(root, "ai_AIPackage", "dataset_DatasetPackage")
    assert by_id[ref(spdx_doc["dataLicense"])]["simplelicensing_licenseExpression"] == "CC0-1.0"

    from license_expression import get_spdx_licensing

    licensing = get_spdx_licensing()
    for el in elements:
        if el["type"] == "simplelicensing_LicenseExpression":
            parsed = licensing.parse(el["simplelicensing_licenseExpression"], validate=False)
            for key in licensing.license_keys(parsed):
                assert re.match(r"^LicenseRef-[A-Za-z0-9.-]+$", key) or licensing.validate(key).errors == [], key
            for entry in el.get("simplelicensing_customIdToUri", []):
                assert entry["key"].startswith("LicenseRef-") and IRI.match(entry["value"])

    relationships = [el for el in elements if el["type"] == "Relationship"]
    for rel in relationships:
        assert isinstance(rel["from"], str) and rel["relationshipType"]
        ref(rel["from"])
        assert isinstance(rel["to"], list) and rel["to"]
        for target in rel["to"]:
            ref(target)

    packages = [el for el in elements if el["type"] in ("ai_AIPackage", "dataset_DatasetPackage")]
    for pkg in packages:
        is_data = pkg["type"] == "dataset_DatasetPackage"
        assert pkg["software_primaryPurpose"] == ("data" if is_data else "model")
        assert pkg["name"]
        for kind in ("hasDeclaredLicense", "hasConcludedLicense"):
            rels = [r for r in relationships if r["from"] == pkg["spdxId"] and r["relationshipType"] == kind]
            assert len(rels) == 1, (pkg["name"], kind, rels)  # the AI and Dataset profiles' conformance rule
            assert len(rels[0]["to"]) == 1
            target = rels[0]["to"][0]
            assert target in NO_LICENSE or by_id[target]["type"] == "simplelicensing_LicenseExpression"
        required = DATASET_REQUIRED if is_data else AI_REQUIRED
        missing = [p for p in required if p not in pkg]
        if missing:  # only what Clearance cannot know, and the element says so
            said = re.search(r"Unknown to Clearance, so left out: ([\w, ]+)\.", pkg.get("comment", ""))
            assert said and set(said.group(1).split(", ")) == set(missing), (pkg, missing)
        if "suppliedBy" in pkg:
            ref(pkg["suppliedBy"], *AGENTS)
        if is_data:
            if "originatedBy" in pkg:
                assert len(pkg["originatedBy"]) == 1
                ref(pkg["originatedBy"][0], *AGENTS)
            assert pkg["dataset_datasetType"]
        for key in ("releaseTime", "builtTime"):
            if key in pkg:
                assert DATETIME.match(pkg[key])

    for snippet in (el for el in elements if el["type"] == "software_Snippet"):
        ref(snippet["software_snippetFromFile"], "software_File")
        lines = snippet.get("software_lineRange")
        if lines is not None:
            assert lines["type"] == "PositiveIntegerRange"
            assert 1 <= lines["beginIntegerRange"] <= lines["endIntegerRange"], lines
    for file in (el for el in elements if el["type"] == "software_File"):
        assert file["name"], file

    for ann in (el for el in elements if el["type"] == "Annotation"):
        ref(ann["subject"])
        assert ann["annotationType"] in ("review", "other") and ann["statement"]
    return {"doc": spdx_doc, "by_id": by_id, "packages": packages, "relationships": relationships}


def components(bom: dict) -> dict[str, dict]:
    """A CycloneDX BOM's components by bom-ref."""
    return {c["bom-ref"]: c for c in bom["components"]}


def props(component: dict) -> dict[str, list[str]]:
    """A CycloneDX component's properties, each name with its values in order."""
    out: dict[str, list[str]] = {}
    for p in component.get("properties", []):
        out.setdefault(p["name"], []).append(p["value"])
    return out
