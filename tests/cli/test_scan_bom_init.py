"""`clearance scan`, `bom`, `init` and `notice` on a project, offline, on the bundled snapshot."""

from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clearance.cli import app

ROOT = Path(__file__).resolve().parents[2]
SNAP = str(ROOT / "data" / "hub-2025-sample.jsonl")
runner = CliRunner()

APP = '''\
from transformers import AutoModelForCausalLM, AutoTokenizer

MODEL = "Vivian12300/llama-2-7b-chat-hf-mathqa-rationale-2"
model = AutoModelForCausalLM.from_pretrained(MODEL)
# AutoModelForCausalLM.from_pretrained("mlabonne/not-a-reference-in-a-comment")
tok = AutoTokenizer.from_pretrained("google/gemma-7b")
'''


@pytest.fixture(autouse=True)
def _offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture()
def project(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    (root / "app.py").write_text(APP)
    return root


def test_scan_finds_references_and_checks_them_as_json(project):
    res = runner.invoke(app, ["scan", str(project), "--snapshot", SNAP, "--offline", "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["schema_version"] == 3  # 2: references carry role; 3: findings' fields
    assert [(r["id"], r["file"], r["line"]) for r in doc["references"]] == [
        ("Vivian12300/llama-2-7b-chat-hf-mathqa-rationale-2", "app.py", 3), ("google/gemma-7b", "app.py", 6)]
    assert {r["subject"]: r["verdict"] for r in doc["results"]} == {
        "Vivian12300/llama-2-7b-chat-hf-mathqa-rationale-2": "conditional", "google/gemma-7b": "conditional"}


def test_scan_fails_on_a_blocked_model_and_sarif_points_at_the_line(project):
    (project / "train.py").write_text('from datasets import load_dataset\nimport transformers\n'
                                      'm = transformers.AutoModel.from_pretrained("mlabonne/gemma-7b-dare")\n')
    res = runner.invoke(app, ["scan", str(project), "--snapshot", SNAP, "--offline", "--format", "sarif"])
    assert res.exit_code == 1
    sarif = json.loads(res.stdout)
    located = [loc["physicalLocation"] for r in sarif["runs"][0]["results"] for loc in r.get("locations", [])
               if "physicalLocation" in loc]
    assert any(p["artifactLocation"]["uri"] == "train.py" and p["region"]["startLine"] == 3 for p in located)


def test_scan_diff_reports_only_references_added_since_a_revision(project):
    git = ["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    (project / "app.py").write_text(APP + 'extra = AutoModelForCausalLM.from_pretrained("mlabonne/gemma-7b-dare")\n')
    res = runner.invoke(app, ["scan", str(project), "--diff", "HEAD", "--snapshot", SNAP, "--offline", "--format", "json"])
    doc = json.loads(res.stdout)
    assert [r["id"] for r in doc["references"]] == ["mlabonne/gemma-7b-dare"]
    assert res.exit_code == 1  # the new reference is blocked for commercial use
    bad = runner.invoke(app, ["scan", str(project), "--diff", "no-such-rev", "--offline"])
    assert bad.exit_code == 2 and "no-such-rev" in bad.output


def test_bom_of_a_project_is_valid_cyclonedx_with_every_model(project, tmp_path):
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    target = tmp_path / "bom.json"
    res = runner.invoke(app, ["bom", str(project), "--snapshot", SNAP, "--offline", "--out", str(target)])
    assert res.exit_code == 0, res.output
    text = target.read_text()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    names = {c["name"] for c in json.loads(text)["components"]}
    assert {"llama-2-7b-chat-hf-mathqa-rationale-2", "gemma-7b"} <= names


def test_bom_spdx_of_a_target(tmp_path):
    res = runner.invoke(app, ["bom", "google/gemma-7b", "--format", "spdx", "--snapshot", SNAP, "--offline"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    types = {e.get("type") for e in doc["@graph"]}
    assert "ai_AIPackage" in types and "SpdxDocument" in types


def test_init_writes_a_policy_that_parses_and_names_what_fails(project):
    (project / "more.py").write_text('import transformers\ntransformers.AutoModel.from_pretrained("mlabonne/gemma-7b-dare")\n')
    res = runner.invoke(app, ["init", str(project), "--snapshot", SNAP, "--offline"])
    assert res.exit_code == 0, res.output
    text = (project / "clearance.toml").read_text()
    policy = tomllib.loads(text)
    assert policy["allow"][:2] == ["permissive", "public-domain"] and "llama2" in policy["allow"] and "gemma" in policy["allow"]
    assert policy["deny"] == ["non-commercial"] and "exceptions" not in policy  # only suggested, commented out
    assert '# model = "mlabonne/gemma-7b-dare"' in text
    again = runner.invoke(app, ["init", str(project), "--snapshot", SNAP, "--offline"])
    assert again.exit_code == 2 and "--force" in again.output
    # the written policy is the one scan then applies
    scan = runner.invoke(app, ["scan", str(project), "--snapshot", SNAP, "--offline", "--format", "json"])
    assert json.loads(scan.stdout)["results"] and scan.exit_code == 1


def test_notice_of_a_project(project):
    res = runner.invoke(app, ["notice", str(project), "--snapshot", SNAP, "--offline", "--format", "json"])
    assert res.exit_code == 0, res.output
    # google/gemma-7b was published in February 2024: the Gemma Terms of Use edition of 2024-02-21 binds it
    assert {e["license"] for e in json.loads(res.stdout)["licenses"]} == {"llama2", "gemma-tou-2024-02-21"}
