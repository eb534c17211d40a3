"""`clearance check` and `clearance graph` end to end, offline, on the bundled real snapshot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clearance.cli import app

ROOT = Path(__file__).resolve().parents[2]
SNAP = str(ROOT / "data" / "hub-2025-sample.jsonl")
runner = CliRunner()


@pytest.fixture(autouse=True)
def _offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))  # an empty cache: only the snapshot answers
    monkeypatch.chdir(tmp_path)  # no policy file found from here


def check(*args: str):
    return runner.invoke(app, ["check", *args, "--snapshot", SNAP, "--offline"])


LLAMA2_FINETUNE = "Vivian12300/llama-2-7b-chat-hf-mathqa-rationale-2"  # declares llama2, base Llama-2-7b-chat-hf


def test_llama2_finetune_is_conditional_with_llama2_obligations():
    res = check(LLAMA2_FINETUNE, "--format", "json")
    assert res.exit_code == 0, res.output
    r = json.loads(res.stdout)["results"][0]
    assert r["subject"] == LLAMA2_FINETUNE and r["use"] == "commercial"
    assert r["declared_licenses"] == ["llama2"] and r["inherited_licenses"] == ["llama2"]
    assert r["verdict"] == "conditional"
    assert any("700,000,000" in o["text"] for o in r["obligations"])


def test_quantization_declaring_bare_other_carries_llama2():
    # TheBloke/Llama-2-7B-Chat-GGML says `license: other` and names no license. A quantization
    # never changes the license of the weights: Llama 2's terms are its terms (conditional), and
    # the unresolved raw value stays visible as a warning.
    r = json.loads(check("TheBloke/Llama-2-7B-Chat-GGML", "--format", "json").stdout)["results"][0]
    assert r["verdict"] == "conditional" and r["inherited_licenses"] == ["llama2"]
    assert any(f["name"] == "unresolved-license" and f["severity"] == "warning" for f in r["findings"])


def test_real_apache_relabel_of_llama2_is_a_conflict():
    # inceptionai/jais-adapted-7b declares apache-2.0; its base meta-llama/Llama-2-7b is under llama2.
    res = check("inceptionai/jais-adapted-7b", "--format", "json")
    r = json.loads(res.stdout)["results"][0]
    conflicts = [f for f in r["findings"] if f["name"] == "license-conflict"]
    assert conflicts and conflicts[0]["path"][0] == "inceptionai/jais-adapted-7b"
    assert conflicts[0]["path"][-1].lower().startswith("meta-llama/llama-2")
    assert res.exit_code == 1  # an error-severity finding fails the default policy


def test_unknown_model_offline_is_not_found_on_any_source():
    res = check("nobody/does-not-exist-anywhere", "--format", "json")
    assert res.exit_code == 2 and res.stdout == ""
    assert res.stderr.startswith("error: nobody/does-not-exist-anywhere: not found on any source")


def test_policy_mau_blocks_and_exception_waives(tmp_path):
    policy = tmp_path / "clearance.toml"
    policy.write_text('[organization]\nmonthly_active_users = 900_000_000\n', encoding="utf-8")
    res = check(LLAMA2_FINETUNE, "--policy", str(policy), "--format", "json")
    r = json.loads(res.stdout)["results"][0]
    assert r["verdict"] == "blocked" and res.exit_code == 1
    assert any(f["name"] == "mau-threshold" and f["severity"] == "error" for f in r["findings"])
    policy.write_text('[organization]\nmonthly_active_users = 900_000_000\n\n[[exceptions]]\n'
                      f'model = "{LLAMA2_FINETUNE.lower()}"\nreason = "separate license from Meta"\n', encoding="utf-8")
    res = check(LLAMA2_FINETUNE, "--policy", str(policy), "--format", "json")
    assert res.exit_code == 0 and json.loads(res.stdout)["results"][0]["policy"]["waived_by"] == "separate license from Meta"


@pytest.mark.parametrize("fmt", ["text", "markdown", "sarif"])
def test_other_formats_render(fmt):
    res = check(LLAMA2_FINETUNE, "--format", fmt)
    assert res.exit_code == 0 and LLAMA2_FINETUNE in res.stdout


def test_bad_policy_is_an_input_error(tmp_path):
    bad = tmp_path / "clearance.toml"
    bad.write_text("uses = [", encoding="utf-8")
    res = check("TheBloke/Llama-2-7B-Chat-GGML", "--policy", str(bad))
    assert res.exit_code == 2 and "invalid TOML" in res.stderr


def test_missing_snapshot_is_an_input_error():
    res = runner.invoke(app, ["check", "a/b", "--snapshot", "no/such/file.jsonl", "--offline"])
    assert res.exit_code == 2 and "no such snapshot file" in res.stderr


def test_graph_json_and_descendants():
    res = runner.invoke(app, ["graph", "TheBloke/Llama-2-7B-Chat-GGML", "--snapshot", SNAP, "--offline", "--format", "json"])
    assert res.exit_code == 0
    g = json.loads(res.stdout)
    assert g["schema_version"] == 1 and g["root"] == "TheBloke/Llama-2-7B-Chat-GGML"
    assert {"parent": "meta-llama/Llama-2-7b-chat-hf", "child": "TheBloke/Llama-2-7B-Chat-GGML"}.items() <= g["edges"][0].items()
    res = runner.invoke(app, ["graph", "meta-llama/Llama-2-7b-chat-hf", "--snapshot", SNAP, "--descendants", "--depth", "1"])
    assert res.exit_code == 0 and "[quantized] TheBloke/Llama-2-7B-Chat-GGML" in res.stdout


def test_the_console_script_exits_with_the_commands_code_and_flushes_its_output(tmp_path):
    # Through Typer (no fast path), ending as any Python program ends: exit codes and output survive.
    import subprocess
    import sys

    def run(*args):
        return subprocess.run([sys.executable, "-m", "clearance.cli", *args], capture_output=True, text=True,
                              env={**__import__("os").environ, "HF_HUB_OFFLINE": "1"}, cwd=tmp_path)

    ok = run("check", "google/gemma-7b", "--snapshot", SNAP, "--offline", "--format", "json")
    assert ok.returncode == 0 and json.loads(ok.stdout)["results"][0]["verdict"] == "conditional"
    failed = run("check", "mlabonne/gemma-7b-dare", "--snapshot", SNAP, "--offline")
    assert failed.returncode == 1 and "BLOCKED" in failed.stdout
    usage = run("no-such-command")
    assert usage.returncode == 2 and "No such command" in usage.stderr
