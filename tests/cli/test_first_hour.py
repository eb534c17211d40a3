"""Issue 16, "a newcomer's first hour", through the real commands (Typer's CliRunner, and the
fast `check` path where `check` is concerned): answers that say why, degraded runs that say
so, errors that are errors, and output that reads in a pipe. Real data only: the bundled
2025 Hub sample, examples/support-bot and ../shared/data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clearance.cli import app
from clearance.cli import fast as launcher

ROOT = Path(__file__).resolve().parents[2]
SNAP = str(ROOT / "data" / "hub-2025-sample.jsonl")
EXAMPLE = ROOT / "examples" / "support-bot"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    monkeypatch.setenv("CLEARANCE_CACHE_DIR", str(tmp_path / "clearance-cache"))
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.chdir(tmp_path)


def both_paths(capsys, *args: str):
    """`clearance check ARGS` on the fast path and through Typer: they must agree; returns
    (exit code, stdout, stderr)."""
    code = launcher.fast_check(list(args))
    assert code is not None
    fast = capsys.readouterr()
    res = runner.invoke(app, ["check", *args])
    assert (code, fast.out, fast.err) == (res.exit_code, res.stdout, res.stderr)
    return code, fast.out, fast.err


# -- the first answers say why ------------------------------------------------------------------

def test_a_failing_verdict_says_why_on_its_own_line(capsys):
    code, out, _ = both_paths(capsys, "inceptionai/jais-adapted-7b", "mlabonne/gemma-7b-dare", "--snapshot", SNAP, "--offline")
    assert code == 1
    heads = [line for line in out.splitlines() if "fails policy" in line]
    assert heads == [
        "CONDITIONAL inceptionai/jais-adapted-7b  for commercial use  ✗ fails policy: CLR103 license-conflict",
        "BLOCKED     mlabonne/gemma-7b-dare  for commercial use  ✗ fails policy: cc-by-nc-4.0 (mlabonne/gemma-7b-dare) "
        "does not allow commercial use; CLR301 non-commercial-upstream (+1 more)",
    ]


# -- errors that are errors -----------------------------------------------------------------------

def test_an_id_no_source_has_is_one_line_not_a_verdict(capsys):
    code, out, err = both_paths(capsys, "nobody/does-not-exist-anywhere", "--snapshot", SNAP, "--offline", "--format", "json")
    assert code == 2 and out == ""
    assert err == ("error: nobody/does-not-exist-anywhere: not found on any source "
                   "(tried snapshot, hf-cache, hub (offline: cached answers only))\n")


def test_the_others_are_still_answered_when_one_id_is_not_found(capsys):
    code, out, err = both_paths(capsys, "google/gemma-7b", "nobody/typo", "--snapshot", SNAP, "--offline", "--format", "json")
    assert code == 2
    assert [r["subject"] for r in json.loads(out)["results"]] == ["google/gemma-7b"]
    assert err.startswith("error: nobody/typo: not found on any source") and err.count("\n") == 1


def test_an_empty_folder_is_no_model_not_a_missing_license(capsys, tmp_path):
    (tmp_path / "emptydir").mkdir()
    code, out, err = both_paths(capsys, "./emptydir", "--snapshot", SNAP, "--offline")
    assert code == 2 and out == "" and "declares no license" not in err
    assert err == (f"error: {tmp_path / 'emptydir'}: no model here (no model card, config, weights or license file); "
                   "name a model folder, a model file or a Hub id\n")


def test_a_folder_with_weights_only_is_a_model_that_declares_no_license(capsys, tmp_path):
    (tmp_path / "weights").mkdir()
    (tmp_path / "weights" / "pytorch_model.bin").write_bytes(b"\0" * 16)
    code, out, err = both_paths(capsys, "./weights", "--offline")
    assert code == 1 and "declares no license" in out and err == ""


def test_a_path_that_does_not_exist_is_no_such_file(capsys):
    code, out, err = both_paths(capsys, "./nosuchdir", "--snapshot", SNAP, "--offline")
    assert (code, out, err) == (2, "", "error: ./nosuchdir: no such file or folder\n")


def test_an_empty_snapshot_is_said_on_stderr(capsys, tmp_path):
    (tmp_path / "empty.jsonl").write_text("")
    code, out, err = both_paths(capsys, "google/gemma-7b", "--snapshot", "empty.jsonl", "--offline")
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "warning: empty.jsonl: empty snapshot file: it describes no model or dataset",
        "error: google/gemma-7b: not found on any source (tried snapshot, hf-cache, hub (offline: cached answers only))",
    ]


def test_warnings_go_to_stderr_not_after_the_results(capsys, tmp_path):
    (tmp_path / "clearance.toml").write_text('[[exceptions]]\nmodel = "someone/else"\nreason = "old"\n')
    code, out, err = both_paths(capsys, "google/gemma-7b", "--snapshot", SNAP, "--offline")
    assert code == 0 and "warning" not in out
    assert err == "warning: exception for someone/else matches no model checked\n"
    code, out, err = both_paths(capsys, "google/gemma-7b", "--snapshot", SNAP, "--offline", "--format", "json")
    assert json.loads(out)["warnings"] == ["exception for someone/else matches no model checked"]  # the contract keeps them


def test_license_identify_of_a_missing_file_says_no_such_file():
    res = runner.invoke(app, ["license", "identify", "mit", "./licenses/LICENSE"])
    assert (res.exit_code, res.stdout, res.stderr) == (2, "", "error: ./licenses/LICENSE: no such file\n")
    res = runner.invoke(app, ["license", "identify", "LICENSE.txt"])
    assert res.exit_code == 2 and res.stderr == "error: LICENSE.txt: no such file\n"
    # a bare word could be a license value: answered as unknown, and said on stderr that no file has that name
    res = runner.invoke(app, ["license", "identify", "MISSINGFILE", "--format", "json"])
    assert res.exit_code == 0 and json.loads(res.stdout)[0]["id"] is None
    assert res.stderr == "warning: MISSINGFILE: no such file, and no license answers to this value\n"


# -- degraded runs say so -------------------------------------------------------------------------

def test_graph_of_an_unknown_id_exits_2():
    res = runner.invoke(app, ["graph", "nobody/does-not-exist", "--snapshot", SNAP, "--offline"])
    assert res.exit_code == 2 and res.stdout == ""
    assert res.stderr.startswith("error: nobody/does-not-exist: not found on any source (tried snapshot")


def test_advise_with_a_base_or_dataset_no_source_has_exits_2():
    res = runner.invoke(app, ["advise", "me/tuned", "--base", "nobody/base", "--snapshot", SNAP, "--offline"])
    assert (res.exit_code, res.stdout) == (2, "")
    assert res.stderr.startswith("error: nobody/base: not found on any source")
    res = runner.invoke(app, ["advise", "me/tuned", "--base", "google/gemma-7b", "--dataset", "nobody/data",
                              "--snapshot", SNAP, "--offline"])
    assert (res.exit_code, res.stdout) == (2, "")
    assert res.stderr.startswith("error: nobody/data: not found on any source")
    ok = runner.invoke(app, ["advise", "me/tuned", "--base", "google/gemma-7b", "--snapshot", SNAP, "--offline"])
    assert ok.exit_code == 0 and ok.stderr == ""


def test_init_when_nothing_resolves_writes_nothing_and_exits_2(tmp_path):
    project = tmp_path / "p"
    project.mkdir()
    (project / "app.py").write_text('from transformers import AutoModel\nAutoModel.from_pretrained("nobody/x")\n')
    res = runner.invoke(app, ["init", str(project), "--offline"])
    assert res.exit_code == 2 and not (project / "clearance.toml").exists()
    assert res.stderr.startswith("error: none of the 1 model(s)/dataset(s)") and "give --snapshot" in res.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    res = runner.invoke(app, ["init", str(empty), "--offline"])
    assert res.exit_code == 0 and (empty / "clearance.toml").exists()
    assert res.stderr.startswith("warning: no model or dataset references found under")


def test_init_then_scan_on_the_example_fails_exactly_on_what_the_policy_lists(tmp_path):
    import re
    import shutil
    import tomllib

    project = tmp_path / "support-bot"
    shutil.copytree(EXAMPLE, project)
    res = runner.invoke(app, ["init", str(project), "--snapshot", SNAP, "--offline"])
    assert res.exit_code == 0, res.output
    # the one reference no source has is said on stderr, and listed as failing
    assert res.stderr.startswith("warning: Open-Orca/OpenOrca: not found on any source")
    text = (project / "clearance.toml").read_text()
    listed = re.findall(r'^# model = "(.+)"$', text, re.M)
    scan = runner.invoke(app, ["scan", str(project), "--snapshot", SNAP, "--offline", "--format", "json"])
    assert scan.exit_code == 1
    failing = [r["subject"] for r in json.loads(scan.stdout)["results"] if not r["policy"]["passed"]]
    assert sorted(listed) == sorted(failing) == ["Open-Orca/OpenOrca", "inceptionai/jais-adapted-7b", "mlabonne/gemma-7b-dare"]
    # uncommenting the suggested exceptions (with a reason) makes the same scan pass
    text = re.sub(r"^# (\[\[exceptions\]\]|model = |reason = |expires = )", r"\1", text, flags=re.M)
    tomllib.loads(text)
    (project / "clearance.toml").write_text(text)
    scan = runner.invoke(app, ["scan", str(project), "--snapshot", SNAP, "--offline", "--format", "json"])
    assert scan.exit_code == 0, scan.output


# -- SARIF says why --------------------------------------------------------------------------------

def test_sarif_of_a_scan_has_the_policy_failure_at_error_level_and_waivers_as_suppressions(tmp_path):
    project = tmp_path / "p"
    project.mkdir()
    (project / "app.py").write_text('from transformers import AutoModel\nm = AutoModel.from_pretrained("google/gemma-7b")\n'
                                    'n = AutoModel.from_pretrained("microsoft/phi-2")\n')
    (project / "clearance.toml").write_text('allow = ["permissive"]\n')
    res = runner.invoke(app, ["scan", str(project), "--snapshot", SNAP, "--offline", "--format", "sarif"])
    assert res.exit_code == 1
    results = json.loads(res.stdout)["runs"][0]["results"]
    gemma = [r for r in results if r["message"]["text"].startswith("google/gemma-7b ")]
    assert {r["level"] for r in gemma if r["ruleId"] != "policy"} == {"note"}  # nothing blocking among the findings
    (policy,) = [r for r in gemma if r["ruleId"] == "policy"]
    assert policy["level"] == "error"
    assert "license gemma-tou-2024-02-21 is not in the policy's allow list" in policy["message"]["text"]
    assert policy["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app.py"
    assert not any(r["message"]["text"].startswith("microsoft/phi-2 ") and r["ruleId"] == "policy" for r in results)
    (project / "clearance.toml").write_text('allow = ["permissive"]\n\n[[exceptions]]\nmodel = "google/gemma-7b"\n'
                                            'reason = "Gemma terms reviewed by counsel"\n')
    res = runner.invoke(app, ["scan", str(project), "--snapshot", SNAP, "--offline", "--format", "sarif"])
    assert res.exit_code == 0
    gemma = [r for r in json.loads(res.stdout)["runs"][0]["results"] if r["message"]["text"].startswith("google/gemma-7b ")]
    assert gemma and all(r["suppressions"][0]["justification"] == "Gemma terms reviewed by counsel" for r in gemma)


# -- output in a pipe --------------------------------------------------------------------------------

def test_tables_in_a_pipe_use_the_full_width():
    res = runner.invoke(app, ["license", "identify", "https://ai.google.dev/gemma/terms", "Apache 2.0"])
    assert res.exit_code == 0
    row = next(line for line in res.stdout.splitlines() if "https://ai.google.dev/gemma/terms" in line)
    assert "license_link contains 'ai.google.dev/gemma/terms'" in row  # one row, one line: nothing folded at 80
    listing = runner.invoke(app, ["explain"]).stdout
    from clearance.engine.catalogue import rules

    for r in rules().values():
        assert any(r.code in line and r.summary in line for line in listing.splitlines()), r.code


def test_explain_in_a_pipe_prints_the_page_unwrapped():
    from clearance.engine.catalogue import rule

    res = runner.invoke(app, ["explain", "license-conflict"])
    assert res.exit_code == 0 and res.stdout == rule("license-conflict").page().rstrip("\n") + "\n"


# -- hub commands ------------------------------------------------------------------------------------

def test_hub_stats_skips_a_corrupt_line_with_a_warning_as_check_does(tmp_path):
    lines = Path(SNAP).read_text(encoding="utf-8").splitlines(keepends=True)[:40]
    corrupt = tmp_path / "corrupt.jsonl"
    corrupt.write_text("".join(lines[:9]) + '{"id": "broken/line", "tags": [oops\n' + "".join(lines[9:]), encoding="utf-8")
    res = runner.invoke(app, ["hub", "stats", str(corrupt), "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["models"] == 40
    expected = f"warning: {corrupt}: 1 bad line(s) skipped; first: {corrupt}:10: not valid JSON\n"
    assert res.stderr == expected
    # `check` on the same file says the same, line and all
    check = runner.invoke(app, ["check", json.loads(lines[0])["id"], "--snapshot", str(corrupt), "--offline"])
    assert f"{corrupt}:10: not valid JSON" in check.stderr


def test_hub_stats_of_an_empty_snapshot_is_an_error(tmp_path):
    (tmp_path / "empty.jsonl").write_text("")
    res = runner.invoke(app, ["hub", "stats", "empty.jsonl"])
    assert res.exit_code == 2 and res.stdout == ""
    assert res.stderr.splitlines() == ["warning: empty.jsonl: empty snapshot file: it describes no model or dataset",
                                       "error: empty.jsonl: no model or dataset in the snapshot"]


LEADERBOARD = ROOT.parent / "shared" / "data" / "open-llm-leaderboard-2025-02.csv"


def test_hub_diff_text_names_the_models_that_changed(tmp_path):
    lines = Path(SNAP).read_text(encoding="utf-8").splitlines()
    ft = "Vivian12300/llama-2-7b-chat-hf-mathqa-rationale-2"
    new = tmp_path / "new.jsonl"
    new.write_text("\n".join(ln.replace('"license": "llama2"', '"license": "mit"').replace("license:llama2", "license:mit")
                             if f'"id": "{ft}"' in ln else ln for ln in lines) + "\n")
    res = runner.invoke(app, ["hub", "diff", SNAP, str(new)])
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("1,532 models in both snapshots; 1 changed their declared license (1 looser)")
    row = next(line for line in res.stdout.splitlines() if ft in line)
    assert "llama2" in row and "mit" in row and "looser" in row
    doc = json.loads(runner.invoke(app, ["hub", "diff", SNAP, str(new), "--format", "json"]).stdout)
    assert doc["schema_version"] == 2
    assert doc["changed_models"] == [{"id": ft, "before": ["llama2"], "after": ["mit"], "direction": "looser"}]


@pytest.mark.skipif(not LEADERBOARD.exists(), reason="needs ../shared/data")
def test_hub_leaderboard_gives_shares_reasons_and_every_model():
    import csv
    import io

    args = ["hub", "leaderboard", str(LEADERBOARD), "--snapshot", SNAP]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    first, reasons, declared = res.stdout.splitlines()[:3]
    assert first == ("3,752 leaderboard models, commercial use after lineage: 1,390 cleared (37.0%), 543 conditional (14.5%), "
                     "116 blocked (3.1%), 1,703 unknown (45.4%)")
    assert reasons.startswith("unknown, because: no license declared: 1,341; declared license unresolved")
    assert "ancestor not in any snapshot: 75" in reasons
    assert declared.startswith("2,016 (53.7%) declare a license that allows commercial use; 83 of them (4.1%)")
    doc = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)
    assert doc["schema_version"] == 2 and len(doc["models_list"]) == 3752 and len(doc["examples"]) == 83
    assert sum(doc["unknown_reasons"].values()) == doc["commercial"]["unknown"] == 1703
    llama = next(r for r in doc["models_list"] if r["id"] == "meta-llama/Llama-2-7b-chat-hf")
    assert llama["verdict"] == "conditional" and llama["unknown_reason"] is None
    rows = list(csv.DictReader(io.StringIO(runner.invoke(app, [*args, "--format", "csv"]).stdout)))
    assert len(rows) == 3752 and {r["verdict"] for r in rows} == {"cleared", "conditional", "blocked", "unknown"}
    assert all(r["unknown_reason"] for r in rows if r["verdict"] == "unknown")
