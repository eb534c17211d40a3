"""SPDX 3.0.1 AI BOMs (JSON-LD, AI and Dataset profiles).

Validation: spdx-tools 0.8 cannot read SPDX 3 (its `spdx3` package is a prototype writer for a
pre-3.0 draft), and spdx3-validate downloads the JSON schema and SHACL model from spdx.org at
run time, which offline tests cannot do (and the schema files may not be copied in). So every
document is (1) parsed with the SPDX project's Python bindings for 3.0.1 (spdx-python-model),
which check each type, property, value and reference against the model, and written back, which
checks required counts; (2) checked explicitly against every rule of the 3.0.1 model it relies
on (`bomcheck.check_spdx_document`): each element's type, IRI spdxId and creationInfo; the
CreationInfo; the SpdxDocument's profiles and element lists; the AIPackage and DatasetPackage
required properties; exactly one declared and one concluded license relationship per package;
each relationship's from / to / type; license expressions; annotations."""

from __future__ import annotations

import json

import pytest
from bomcheck import COMMIT, check_spdx_document, load_spdx_with_bindings

from clearance.bom import to_spdx3
from clearance.usecases.check import CheckRun


def checked(run, name="clearance-bom"):
    text = to_spdx3(run, name=name)
    load_spdx_with_bindings(json.loads(text))
    return check_spdx_document(text)


@pytest.fixture(scope="module")
def sample(sample_run):
    return checked(sample_run, name="my-product")


@pytest.fixture(scope="module")
def crafted(crafted_run):
    return checked(crafted_run)


def package(doc, name):
    return next(p for p in doc["packages"] if p["name"] == name)


def rels(doc, pkg, kind):
    return [r for r in doc["relationships"] if r["from"] == pkg["spdxId"] and r["relationshipType"] == kind]


def license_of(doc, pkg, kind):
    (rel,) = rels(doc, pkg, kind)
    target = rel["to"][0]
    return target if target.startswith("expandedlicensing_") else doc["by_id"][target]["simplelicensing_licenseExpression"]


def test_the_document_has_the_ai_and_dataset_profiles_and_lists_every_artifact(sample, adapter_folder):
    doc = sample["doc"]
    assert doc["name"] == "my-product"
    assert set(doc["profileConformance"]) == {"core", "software", "ai", "dataset", "simpleLicensing"}
    types = {p["name"]: p["type"] for p in sample["packages"]}
    assert types == {
        "Vivian12300/llama-2-7b-chat-hf-mathqa-rationale-2": "ai_AIPackage", "meta-llama/Llama-2-7b-chat-hf": "ai_AIPackage",
        "mlabonne/gemma-7b-dare": "ai_AIPackage", "google/gemma-7b": "ai_AIPackage",
        "TheBloke/Llama-2-7B-Chat-GGML": "ai_AIPackage", "Junfeng5/Liquid_V1_7B": "ai_AIPackage",
        "mlfoundations/dclm-baseline-1.0": "dataset_DatasetPackage", "cerebras/SlimPajama-627B": "dataset_DatasetPackage",
        "bigcode/starcoderdata": "dataset_DatasetPackage", "JourneyDB/JourneyDB": "dataset_DatasetPackage",
        "some/unknown-model": "ai_AIPackage", "my-adapter": "ai_AIPackage", "yahma/alpaca-cleaned": "dataset_DatasetPackage",
    }
    roots = {sample["by_id"][r]["name"] for r in doc["rootElement"]}
    assert roots == {"Vivian12300/llama-2-7b-chat-hf-mathqa-rationale-2", "mlabonne/gemma-7b-dare",
                     "TheBloke/Llama-2-7B-Chat-GGML", "Junfeng5/Liquid_V1_7B", "some/unknown-model", "my-adapter"}
    assert package(sample, "google/gemma-7b")["spdxId"].endswith("#model:google/gemma-7b")


def test_resolved_hub_models_have_every_required_ai_package_property(sample):
    gemma = package(sample, "google/gemma-7b")
    assert gemma["software_primaryPurpose"] == "model"
    assert gemma["software_downloadLocation"] == "https://huggingface.co/google/gemma-7b"
    assert gemma["software_packageUrl"] == "pkg:huggingface/google/gemma-7b"
    assert gemma["software_packageVersion"] == "NOASSERTION"  # the snapshot names no revision
    assert gemma["releaseTime"] == "2024-02-08T22:36:43Z"  # the Hub's createdAt
    supplier = sample["by_id"][gemma["suppliedBy"]]
    assert (supplier["type"], supplier["name"]) == ("Agent", "google")
    assert "Unknown to Clearance" not in gemma.get("comment", "")


def test_licenses_are_expressions_with_declared_and_concluded_relationships(sample):
    assert license_of(sample, package(sample, "google/gemma-7b"), "hasDeclaredLicense") == "LicenseRef-clearance-gemma-tou-2024-02-21"
    assert license_of(sample, package(sample, "google/gemma-7b"), "hasConcludedLicense") == "expandedlicensing_NoAssertionLicense"
    liquid = package(sample, "Junfeng5/Liquid_V1_7B")
    assert license_of(sample, liquid, "hasDeclaredLicense") == "MIT"
    assert license_of(sample, liquid, "hasConcludedLicense") == "MIT AND LicenseRef-clearance-gemma-tou-2024-02-21"
    (rel,) = rels(sample, liquid, "hasConcludedLicense")
    expr = sample["by_id"][rel["to"][0]]
    assert expr["simplelicensing_customIdToUri"] == [
        {"type": "DictionaryEntry", "key": "LicenseRef-clearance-gemma-tou-2024-02-21",
             "value": "https://web.archive.org/web/20240315000000/https://ai.google.dev/gemma/terms"}]
    ggml = package(sample, "TheBloke/Llama-2-7B-Chat-GGML")
    assert license_of(sample, ggml, "hasDeclaredLicense") == "LicenseRef-clearance-other"
    assert license_of(sample, package(sample, "some/unknown-model"), "hasDeclaredLicense") == "expandedlicensing_NoAssertionLicense"
    assert license_of(sample, package(sample, "JourneyDB/JourneyDB"), "hasDeclaredLicense") == "expandedlicensing_NoAssertionLicense"


def test_lineage_is_descendant_of_and_trained_on(sample, crafted):
    ggml = package(sample, "TheBloke/Llama-2-7B-Chat-GGML")
    (desc,) = rels(sample, ggml, "descendantOf")
    assert [sample["by_id"][t]["name"] for t in desc["to"]] == ["meta-llama/Llama-2-7b-chat-hf"]
    assert desc["comment"].startswith("quantized: ")
    liquid = package(sample, "Junfeng5/Liquid_V1_7B")
    trained = rels(sample, liquid, "trainedOn")
    assert sorted(sample["by_id"][r["to"][0]]["name"] for r in trained) == [
        "JourneyDB/JourneyDB", "bigcode/starcoderdata", "cerebras/SlimPajama-627B", "mlfoundations/dclm-baseline-1.0"]
    assert all(sample["by_id"][r["to"][0]]["type"] == "dataset_DatasetPackage" for r in trained)
    merged = package(crafted, "acme/merged")
    assert sorted(crafted["by_id"][r["to"][0]]["name"] for r in rels(crafted, merged, "descendantOf")) == [
        "acme/base-7b", "google/gemma-7b"]
    chat = package(crafted, "acme/chat-7b")
    assert [crafted["by_id"][r["to"][0]]["name"] for r in rels(crafted, chat, "trainedOn")] == ["acme/instructions"]


def test_verdicts_and_findings_are_one_review_annotation_per_subject(sample):
    dare = package(sample, "mlabonne/gemma-7b-dare")
    (ann,) = [el for el in sample["by_id"].values() if el["type"] == "Annotation" and el["subject"] == dare["spdxId"]]
    assert ann["annotationType"] == "review" and ann["contentType"] == "application/json"
    statement = json.loads(ann["statement"])
    verdicts = {v["use"]: v for v in statement["verdicts"]}
    assert set(verdicts) == {"commercial", "research"}
    assert verdicts["commercial"]["verdict"] == "blocked" and verdicts["commercial"]["policy"] == "fail"
    assert verdicts["commercial"]["reasons"]
    # each finding once, with the uses it applies to; the verdicts do not repeat them
    findings = statement["findings"]
    nc = next(f for f in findings if f["code"] == "CLR301")
    assert nc["name"] == "non-commercial-upstream" and nc["severity"] == "error" and nc["message"]
    assert nc["uses"] == ["commercial"]
    conflict = next(f for f in findings if f["code"] == "CLR103")
    assert conflict["uses"] == ["commercial", "research"]
    assert len({(f["code"], f["artifact"], f["message"]) for f in findings}) == len(findings)
    said = {f"{f['code']} {f['name']}: {f['message']}" for f in findings}
    assert not any(text in said or text.startswith("verdict for") for v in verdicts.values() for text in v["failures"])
    obligations = statement["obligations"]
    assert any(o["license"] == "gemma-tou-2024-02-21" and o["uses"] for o in obligations)
    assert len({(o["license"], o["text"]) for o in obligations}) == len(obligations)
    gemma = package(sample, "google/gemma-7b")
    assert not any(el["type"] == "Annotation" and el["subject"] == gemma["spdxId"] for el in sample["by_id"].values())


def test_unresolved_and_local_artifacts_say_what_is_missing(sample, adapter_folder):
    unknown = package(sample, "some/unknown-model")
    assert "Not resolved" in unknown["comment"] and "releaseTime" in unknown["comment"]
    assert unknown["software_downloadLocation"] == "https://huggingface.co/some/unknown-model"
    journeydb = package(sample, "JourneyDB/JourneyDB")  # a dataset no source knows
    assert "releaseTime" in journeydb["comment"] and "builtTime" in journeydb["comment"]
    assert journeydb["dataset_datasetType"] == ["noAssertion"]
    adapter = package(sample, "my-adapter")
    assert adapter["software_downloadLocation"] == adapter_folder.as_uri()
    assert "software_packageUrl" not in adapter and str(adapter_folder) in adapter["comment"]
    assert license_of(sample, adapter, "hasDeclaredLicense") == "Apache-2.0"
    assert license_of(sample, adapter, "hasConcludedLicense") == "Apache-2.0 AND LicenseRef-scancode-llama-2-license-2023"


def test_crafted_lineage_datasets_revisions_and_expressions(crafted):
    base = package(crafted, "acme/base-7b")
    assert base["software_packageVersion"] == COMMIT
    assert base["software_packageUrl"] == f"pkg:huggingface/acme/base-7b@{COMMIT.lower()}"
    assert license_of(crafted, base, "hasDeclaredLicense") == "Apache-2.0 OR MIT"
    data = package(crafted, "acme/instructions")
    assert data["type"] == "dataset_DatasetPackage"
    assert data["builtTime"] == data["releaseTime"] == "2023-12-01T00:00:00Z"
    assert crafted["by_id"][data["originatedBy"][0]]["name"] == "acme"
    assert license_of(crafted, data, "hasDeclaredLicense") == "ODC-By-1.0"
    assert "comment" not in data or "Unknown to Clearance" not in data["comment"]
    legacy = package(crafted, "legacy-model")
    assert license_of(crafted, legacy, "hasDeclaredLicense") == "LicenseRef-clearance-my-own-license"
    assert "suppliedBy" not in legacy and "left out: suppliedBy" in legacy["comment"]
    # one license expression element per distinct expression, shared by the packages that have it
    exprs = [el["simplelicensing_licenseExpression"] for el in crafted["by_id"].values()
             if el["type"] == "simplelicensing_LicenseExpression"]
    assert len(exprs) == len(set(exprs))


def test_an_empty_run_and_a_run_without_graphs_still_make_valid_documents(sample_run):
    empty = checked(CheckRun([], []))
    assert empty["packages"] == [] and empty["doc"].get("rootElement", []) == []
    bare = checked(CheckRun(sample_run.outcomes[:2], []))
    assert [p["name"] for p in bare["packages"]] == ["Vivian12300/llama-2-7b-chat-hf-mathqa-rationale-2"]


def test_every_document_gets_fresh_ids(sample_run):
    a, b = json.loads(to_spdx3(sample_run)), json.loads(to_spdx3(sample_run))
    doc_id = lambda d: next(o["spdxId"] for o in d["@graph"] if o.get("type") == "SpdxDocument")  # noqa: E731
    assert doc_id(a) != doc_id(b) and doc_id(a).startswith("urn:uuid:")
