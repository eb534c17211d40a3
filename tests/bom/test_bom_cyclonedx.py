"""CycloneDX 1.6 AI BOMs: every BOM written here passes cyclonedx-python-lib's strict JSON schema
validation, and holds the components, purls, licenses, lineage, datasets and verdicts."""

from __future__ import annotations

import json

import pytest
from bomcheck import COMMIT, SAMPLE, assert_valid_cyclonedx, components, props

from clearance.bom import to_cyclonedx
from clearance.usecases.check import CheckRun


@pytest.fixture(scope="module")
def sample_bom(sample_run):
    return assert_valid_cyclonedx(to_cyclonedx(sample_run, name="my-product"))


@pytest.fixture(scope="module")
def crafted_bom(crafted_run):
    return assert_valid_cyclonedx(to_cyclonedx(crafted_run))


def licenses(component, ack=None) -> list[dict]:
    out = []
    for entry in component.get("licenses", []):
        lic = entry.get("license", entry)
        if ack is None or lic.get("acknowledgement") == ack:
            out.append(lic)
    return out


def test_every_model_and_dataset_is_a_component_with_a_stable_bom_ref(sample_bom, adapter_folder):
    comps = components(sample_bom)
    assert sample_bom["specVersion"] == "1.6" and sample_bom["bomFormat"] == "CycloneDX"
    models = {r for r, c in comps.items() if c["type"] == "machine-learning-model"}
    data = {r for r, c in comps.items() if c["type"] == "data"}
    assert models == {
        "model:vivian12300/llama-2-7b-chat-hf-mathqa-rationale-2", "model:meta-llama/llama-2-7b-chat-hf",
        "model:mlabonne/gemma-7b-dare", "model:google/gemma-7b", "model:thebloke/llama-2-7b-chat-ggml",
        "model:junfeng5/liquid_v1_7b", "model:some/unknown-model", f"path:{adapter_folder}",
    }
    assert data == {"dataset:mlfoundations/dclm-baseline-1.0", "dataset:cerebras/slimpajama-627b",
                    "dataset:bigcode/starcoderdata", "dataset:journeydb/journeydb", "dataset:yahma/alpaca-cleaned"}
    assert len(sample_bom["components"]) == len(comps)  # each artifact once, though Llama 2 chat is in three lineages
    gemma = comps["model:google/gemma-7b"]
    assert (gemma["group"], gemma["name"]) == ("google", "gemma-7b")
    assert {"type": "distribution", "url": "https://huggingface.co/google/gemma-7b"} in gemma["externalReferences"]
    meta = sample_bom["metadata"]
    assert meta["component"] == {"bom-ref": "clearance:bom", "name": "my-product", "type": "application"}
    assert "clearance" in {t["name"] for t in meta["tools"]["components"]}


def test_purls_follow_the_huggingface_type(sample_bom, crafted_bom, adapter_folder):
    comps = components(sample_bom)
    assert comps["model:thebloke/llama-2-7b-chat-ggml"]["purl"] == "pkg:huggingface/TheBloke/Llama-2-7B-Chat-GGML"
    assert comps["dataset:cerebras/slimpajama-627b"]["purl"] == "pkg:huggingface/datasets/cerebras/SlimPajama-627B"
    assert "dataset:generator" not in comps  # TRL's name for in-memory data is no dataset
    assert "purl" not in comps[f"path:{adapter_folder}"]  # a local folder has none
    assert props(comps[f"path:{adapter_folder}"])["clearance:path"] == [str(adapter_folder)]
    crafted = components(crafted_bom)
    base = crafted["model:acme/base-7b"]
    assert base["purl"] == f"pkg:huggingface/acme/base-7b@{COMMIT.lower()}"  # the commit, lower-cased
    assert base["version"] == COMMIT
    legacy = crafted["model:legacy-model"]
    assert legacy["purl"] == "pkg:huggingface/legacy-model" and "group" not in legacy
    assert crafted["dataset:acme/instructions"]["purl"] == "pkg:huggingface/datasets/acme/instructions"


def test_licenses_are_spdx_ids_or_named_licenses_with_their_text_url(sample_bom, crafted_bom):
    from cyclonedx.spdx import is_supported_id

    for bom in (sample_bom, crafted_bom):
        for comp in bom["components"]:
            for lic in licenses(comp):
                assert "id" in lic or "name" in lic or "expression" in lic
                if "id" in lic:
                    assert is_supported_id(lic["id"]), lic  # never an invalid id
    comps = components(sample_bom)
    vivian = licenses(comps["model:vivian12300/llama-2-7b-chat-hf-mathqa-rationale-2"], "declared")
    assert len(vivian) == 1 and "id" not in vivian[0]
    assert vivian[0]["name"] == "Llama 2 Community License Agreement"
    assert vivian[0]["url"] == "https://github.com/meta-llama/llama/blob/main/LICENSE"
    assert {"name": "clearance:spdx-license-ref", "value": "LicenseRef-scancode-llama-2-license-2023"} in vivian[0]["properties"]
    liquid = comps["model:junfeng5/liquid_v1_7b"]
    assert [lic["id"] for lic in licenses(liquid, "declared")] == ["MIT"]
    # what Clearance concluded binds it: its own MIT and Gemma's terms, inherited
    assert sorted(lic.get("id") or lic["name"] for lic in licenses(liquid, "concluded")) == ["Gemma Terms of Use (February 21, 2024)", "MIT"]
    assert "licenses" not in comps["model:google/gemma-7b"] or not licenses(comps["model:google/gemma-7b"], "concluded")
    ggml = licenses(comps["model:thebloke/llama-2-7b-chat-ggml"], "declared")
    assert [(lic["name"], lic.get("url")) for lic in ggml] == [("other", None)]  # a placeholder: kept as said, unresolved
    assert {"name": "clearance:resolved", "value": "false"} in ggml[0]["properties"]
    assert "licenses" not in comps["model:some/unknown-model"]
    assert "licenses" not in comps["dataset:journeydb/journeydb"]  # no source knows it


def test_a_single_expression_of_spdx_ids_is_kept_as_an_expression(crafted_bom):
    crafted = components(crafted_bom)
    assert crafted["model:acme/base-7b"]["licenses"] == [{"expression": "Apache-2.0 OR MIT", "acknowledgement": "declared"}]
    assert licenses(crafted["dataset:acme/instructions"], "declared")[0]["id"] == "ODC-By-1.0"
    legacy = licenses(crafted["model:legacy-model"], "declared")
    assert legacy[0]["name"] == "my own license" and "url" not in legacy[0]


def test_an_expression_among_other_licenses_is_listed_license_by_license(offline, crafted_snapshot):
    from clearance.usecases.check import check

    run = check(["acme/base-7b"], ["commercial"], snapshots=[SAMPLE, crafted_snapshot], offline=True)
    base = components(assert_valid_cyclonedx(to_cyclonedx(run)))["model:acme/base-7b"]
    declared = licenses(base, "declared")  # the subject also has concluded licenses: no lone expression
    assert sorted(lic["id"] for lic in declared) == ["Apache-2.0", "MIT"]
    assert all({"name": "clearance:declared-as", "value": "Apache-2.0 OR MIT"} in lic["properties"] for lic in declared)
    assert sorted(lic["id"] for lic in licenses(base, "concluded")) == ["Apache-2.0", "MIT"]


def test_lineage_is_in_pedigree_ancestors_all_generations(sample_bom, crafted_bom, adapter_folder):
    comps = components(sample_bom)
    ggml = comps["model:thebloke/llama-2-7b-chat-ggml"]["pedigree"]["ancestors"]
    assert [(a["group"], a["name"]) for a in ggml] == [("meta-llama", "Llama-2-7b-chat-hf")]
    assert props(ggml[0]) == {"clearance:ref": ["model:meta-llama/llama-2-7b-chat-hf"], "clearance:depth": ["1"],
                              "clearance:ancestor-of": ["model:thebloke/llama-2-7b-chat-ggml (quantized)"]}
    assert ggml[0]["purl"] == "pkg:huggingface/meta-llama/Llama-2-7b-chat-hf"
    assert licenses(ggml[0])[0]["name"] == "Llama 2 Community License Agreement"
    adapter = comps[f"path:{adapter_folder}"]["pedigree"]["ancestors"]
    assert props(adapter[0])["clearance:ancestor-of"] == [f"path:{adapter_folder} (adapter)"]
    assert "pedigree" not in comps["model:google/gemma-7b"]
    assert all("bom-ref" not in a for c in sample_bom["components"] for a in c.get("pedigree", {}).get("ancestors", []))

    crafted = components(crafted_bom)
    gguf = sorted(crafted["model:acme/chat-7b-gguf"]["pedigree"]["ancestors"], key=lambda a: props(a)["clearance:depth"])
    assert [(props(a)["clearance:ref"][0], props(a)["clearance:depth"][0]) for a in gguf] == [
        ("model:acme/chat-7b", "1"), ("model:acme/base-7b", "2")]
    assert props(gguf[1])["clearance:ancestor-of"] == ["model:acme/chat-7b (finetune)"]
    merged = crafted["model:acme/merged"]["pedigree"]["ancestors"]
    assert sorted(props(a)["clearance:ancestor-of"][0] for a in merged) == [
        "model:acme/merged (merge)", "model:acme/merged (merge)"]
    assert {a["name"] for a in merged} == {"base-7b", "gemma-7b"}
    # datasets are training data, not ancestors
    assert all(a["type"] == "machine-learning-model" for a in gguf + merged)


def test_training_datasets_are_in_the_model_card(sample_bom, crafted_bom, adapter_folder):
    comps = components(sample_bom)
    liquid = comps["model:junfeng5/liquid_v1_7b"]["modelCard"]["modelParameters"]
    assert liquid["task"] == "any-to-any"
    refs = [d["ref"] for d in liquid["datasets"]]
    assert refs == ["dataset:mlfoundations/dclm-baseline-1.0", "dataset:cerebras/slimpajama-627b",
                    "dataset:bigcode/starcoderdata", "dataset:journeydb/journeydb"]
    assert all(comps[r]["type"] == "data" for r in refs)
    vivian = comps["model:vivian12300/llama-2-7b-chat-hf-mathqa-rationale-2"]
    assert "datasets" not in vivian.get("modelCard", {}).get("modelParameters", {})  # its card names only `generator`
    assert comps[f"path:{adapter_folder}"]["modelCard"]["modelParameters"]["datasets"] == [{"ref": "dataset:yahma/alpaca-cleaned"}]
    assert "modelCard" not in comps["dataset:journeydb/journeydb"]
    crafted = components(crafted_bom)
    assert crafted["model:acme/chat-7b"]["modelCard"]["modelParameters"]["datasets"] == [{"ref": "dataset:acme/instructions"}]
    assert "datasets" not in crafted["model:acme/chat-7b-gguf"].get("modelCard", {}).get("modelParameters", {})


def test_verdicts_findings_and_obligations_are_properties_of_each_subject(sample_bom):
    comps = components(sample_bom)
    dare = props(comps["model:mlabonne/gemma-7b-dare"])
    assert dare["clearance:verdict:commercial"] == ["blocked"] and dare["clearance:verdict:research"] == ["conditional"]
    assert dare["clearance:policy:commercial"] == ["fail"]
    assert dare["clearance:reason:commercial"]
    findings = [json.loads(v) for v in dare["clearance:finding"]]
    nc = next(f for f in findings if f["code"] == "CLR301")
    assert nc["name"] == "non-commercial-upstream" and nc["severity"] == "error" and nc["uses"] == ["commercial"]
    assert nc["message"] and nc["artifact"] == "mlabonne/gemma-7b-dare"
    conflict = next(f for f in findings if f["code"] == "CLR103")
    assert conflict["uses"] == ["commercial", "research"] and conflict["path"] == ["mlabonne/gemma-7b-dare", "google/gemma-7b"]
    assert len({(f["code"], f["artifact"], f["message"]) for f in findings}) == len(findings)  # each once
    # the policy's failures do not say again what a finding or the verdict says, once per use
    said = {f"{f['code']} {f['name']}: {f['message']}" for f in findings}
    failures = [v for k, vs in dare.items() if k.startswith("clearance:failure:") for v in vs]
    assert not any(text in said or text.startswith("verdict for") for text in failures)
    # gemma-7b (February 2024) binds in the Gemma Terms of Use edition in force then
    assert any(json.loads(v)["license"] == "gemma-tou-2024-02-21" for v in dare["clearance:obligation"])
    vivian = props(comps["model:vivian12300/llama-2-7b-chat-hf-mathqa-rationale-2"])
    assert vivian["clearance:verdict:commercial"] == ["conditional"] and vivian["clearance:policy:commercial"] == ["pass"]
    # an ancestor that is no subject carries no verdict
    assert not any(k.startswith("clearance:verdict") for k in props(comps["model:google/gemma-7b"]))
    assert props(comps["model:google/gemma-7b"])["clearance:source"] == ["snapshot:hub-2025-sample.jsonl:2"]


def test_what_could_not_be_resolved_appears_with_what_is_known(sample_bom):
    comps = components(sample_bom)
    unknown = comps["model:some/unknown-model"]
    p = props(unknown)
    assert p["clearance:resolved"] == ["false"] and p["clearance:verdict:commercial"] == ["unknown"]
    assert p["clearance:problem"][0].startswith("missing: some/unknown-model: no source knows this model")
    assert (unknown["group"], unknown["name"], unknown["purl"]) == ("some", "unknown-model", "pkg:huggingface/some/unknown-model")
    data = props(comps["dataset:journeydb/journeydb"])
    assert data["clearance:resolved"] == ["false"] and data["clearance:kind"] == ["dataset"]


def test_the_dependency_graph_links_every_component_to_its_parents(sample_bom, crafted_bom):
    for bom in (sample_bom, crafted_bom):
        refs = {c["bom-ref"] for c in bom["components"]} | {"clearance:bom"}
        deps = {d["ref"]: d.get("dependsOn", []) for d in bom["dependencies"]}
        assert set(deps) == refs
        assert all(target in refs for targets in deps.values() for target in targets)
    deps = {d["ref"]: d.get("dependsOn", []) for d in sample_bom["dependencies"]}
    assert sorted(deps["model:junfeng5/liquid_v1_7b"]) == [
        "dataset:bigcode/starcoderdata", "dataset:cerebras/slimpajama-627b", "dataset:journeydb/journeydb",
        "dataset:mlfoundations/dclm-baseline-1.0", "model:google/gemma-7b"]
    assert len(deps["clearance:bom"]) == 6  # the subjects
    crafted = {d["ref"]: d.get("dependsOn", []) for d in crafted_bom["dependencies"]}
    assert crafted["model:acme/chat-7b-gguf"] == ["model:acme/chat-7b"]


def test_a_dataset_subject_carries_its_own_verdict(crafted_bom):
    data = components(crafted_bom)["dataset:acme/instructions"]
    assert data["type"] == "data" and props(data)["clearance:verdict:commercial"]
    assert "modelCard" not in data and "pedigree" not in data


def test_an_empty_run_and_a_run_without_graphs_still_make_valid_boms(sample_run):
    empty = assert_valid_cyclonedx(to_cyclonedx(CheckRun([], [])))
    assert empty.get("components", []) == []
    # outcomes whose lineage was not kept: the subjects are still listed
    bare = assert_valid_cyclonedx(to_cyclonedx(CheckRun(sample_run.outcomes[:2], [])))
    assert [c["bom-ref"] for c in bare["components"]] == ["model:vivian12300/llama-2-7b-chat-hf-mathqa-rationale-2"]
