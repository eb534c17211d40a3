"""`clearance notice` and `clearance advise`, offline, on the bundled real snapshot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clearance.cli import app
from clearance.usecases.advise import advise, size_of

ROOT = Path(__file__).resolve().parents[2]
SNAP = str(ROOT / "data" / "hub-2025-sample.jsonl")
runner = CliRunner()
LLAMA2_FT = "Vivian12300/llama-2-7b-chat-hf-mathqa-rationale-2"


@pytest.fixture(autouse=True)
def _offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    monkeypatch.chdir(tmp_path)


def test_notice_lists_each_license_once_with_its_duties():
    res = runner.invoke(app, ["notice", LLAMA2_FT, "mlabonne/gemma-7b-dare", "google/gemma-7b",
                              "--snapshot", SNAP, "--offline", "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    by_id = {entry["license"]: entry for entry in doc["licenses"]}
    # Gemma models of February 2024 are bound by the Terms of Use edition in force then
    assert set(by_id) == {"llama2", "gemma-tou-2024-02-21", "cc-by-nc-4.0"}
    gemma = by_id["gemma-tou-2024-02-21"]
    assert gemma["models"] == ["mlabonne/gemma-7b-dare", "google/gemma-7b"]  # deduplicated
    kinds = {(i["kind"], i["words"] or i["text"]) for i in gemma["items"]}
    # The Notice-file sentence is required output: verbatim, and only when copies are distributed.
    assert ("notice-file", "Gemma is provided under and subject to the Gemma Terms of Use found at ai.google.dev/gemma/terms") in kinds
    (notice_file,) = [i for i in gemma["items"] if i["kind"] == "notice-file"]
    assert notice_file["when"] == ["distribute"]
    assert any(k == "pass-on" and "prohibited_use_policy" in t for k, t in kinds)
    assert all(i["section"] for e in doc["licenses"] for i in e["items"])


def test_notice_text_to_a_file_and_unresolved_models_are_named(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text('from transformers import AutoModel\n'
                                    f'AutoModel.from_pretrained("{LLAMA2_FT}")\nAutoModel.from_pretrained("nobody/unknown-model")\n')
    target = tmp_path / "NOTICE.txt"
    res = runner.invoke(app, ["notice", str(project), "--snapshot", SNAP, "--offline", "--out", str(target)])
    assert res.exit_code == 0, res.output
    text = target.read_text()
    assert "Llama 2 is licensed under the LLAMA 2 Community License" in text
    assert "Incomplete" in text and "nobody/unknown-model" in text
    assert res.stderr.startswith("warning: nobody/unknown-model: not found on any source")
    assert "the notice lacks its terms" in res.stderr


def test_notice_of_an_id_no_source_has_is_an_error(tmp_path):
    target = tmp_path / "NOTICE.txt"
    res = runner.invoke(app, ["notice", LLAMA2_FT, "nobody/unknown-model", "--snapshot", SNAP, "--offline", "--out", str(target)])
    assert res.exit_code == 2 and not target.exists() and res.stdout == ""
    assert res.stderr.startswith("error: nobody/unknown-model: not found on any source (tried snapshot")


def test_advise_on_a_llama2_base_keeps_llama2_and_patches_the_card(tmp_path):
    folder = tmp_path / "my-llama"
    folder.mkdir()
    (folder / "README.md").write_text("---\nlicense: apache-2.0\n---\n# My model\n")
    res = runner.invoke(app, ["advise", str(folder), "--base", LLAMA2_FT, "--snapshot", SNAP, "--offline", "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["recommended_license"] == "llama2" and doc["binding_licenses"] == ["llama2"]
    assert doc["card"] == {"license": "llama2", "base_model": LLAMA2_FT, "base_model_relation": "finetune"}
    assert "mit" not in doc["allowed_licenses"] and "apache-2.0" not in doc["allowed_licenses"]
    assert "-license: apache-2.0" in doc["patch"] and "+license: llama2" in doc["patch"]
    assert any("Built with" in d["text"] or "LLAMA 2 Community License" in d["text"] for d in doc["duties"])


def test_advise_on_a_blocked_real_base_says_no_license_fits():
    a = advise("me/new-model", ["mlabonne/gemma-7b-dare"], snapshots=[SNAP], offline=True)
    assert a.blocked and a.recommended is None  # CC BY-NC on Gemma: no license carries both
    assert any("conflict" in p for p in a.problems)
    for alt in a.alternatives:  # the sample is Llama 2 and Gemma lineages: few open 7B models
        assert alt.verdict in ("cleared", "conditional") and 3.5 <= size_of(alt.id) <= 14


def _record(model_id, license_id, tag="text-generation", base=None, downloads=10):
    card = {"license": license_id, **({"base_model": base} if base else {})}
    return json.dumps({"type": "model", "id": model_id, "downloads": downloads, "pipeline_tag": tag,
                       "tags": [f"license:{license_id}"], "cardData": card})


def test_advise_on_a_blocked_base_finds_open_bases_of_the_same_task_and_size(tmp_path):
    snap = tmp_path / "snap.jsonl"
    snap.write_text("\n".join([
        _record("lab/research-7b", "cc-by-nc-4.0"),
        _record("lab/open-7b", "apache-2.0", downloads=900),
        _record("lab/open-6.7b", "mit", downloads=50),
        _record("lab/open-70b", "apache-2.0", downloads=5000),          # too big
        _record("lab/open-7b-vision", "mit", tag="image-to-text"),      # another task
        _record("lab/llama-ft-7b", "apache-2.0", base="meta-llama/Llama-2-7b-hf"),  # not open once followed
        _record("meta-llama/Llama-2-7b-hf", "llama2"),
    ]) + "\n")
    a = advise("me/new", ["lab/research-7b"], snapshots=[snap], offline=True)
    assert a.blocked
    assert [x.id for x in a.alternatives] == ["lab/open-7b", "lab/open-6.7b"]
    assert a.alternatives[0].licenses == ("apache-2.0",) and a.alternatives[0].size == "7B"


def test_advise_without_any_base_is_an_input_error(tmp_path):
    res = runner.invoke(app, ["advise", str(tmp_path), "--snapshot", SNAP, "--offline"])
    assert res.exit_code == 2 and "no base model" in res.output


@pytest.mark.parametrize("model_id,size", [("meta-llama/Llama-2-7b-hf", 7.0), ("x/phi-pl-2_7B-v_0_1", 2.7),
                                           ("org/tiny-350M", 0.35), ("org/no-size", None), ("TheBloke/Mixtral-8x7B", 56.0)])
def test_size_from_the_name(model_id, size):
    assert size_of(model_id) == size
