"""The public library API (`clearance.check`, `scan`, `graph`, `load_policy`; docs/library.md):
the shape of what it returns, the same answers as the commands, and a ValueError that names
the bad argument for every bad input — never a KeyError, never a string taken as a list of
one-character targets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import clearance
from clearance.usecases.check import check as check_wiring

ROOT = Path(__file__).resolve().parents[1]
SNAP = str(ROOT / "data" / "hub-2025-sample.jsonl")
SUPPORT_BOT = ROOT / "examples" / "support-bot"
GGML = "TheBloke/Llama-2-7B-Chat-GGML"


@pytest.fixture(autouse=True)
def _offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))  # never the machine's own cache
    monkeypatch.chdir(tmp_path)  # no policy or model folder of the working folder is picked up


def _check(targets, **kw):
    return clearance.check(targets, snapshots=SNAP, offline=True, **kw)


# --- the run's shape ---


def test_a_run_has_results_with_subject_use_verdict_obligations_and_findings():
    run = _check([GGML, "mlabonne/gemma-7b-dare"])
    assert isinstance(run, clearance.Run) and run.passed is False
    assert isinstance(run.results, tuple) and all(isinstance(r, clearance.Result) for r in run.results)
    ggml, dare = run.results
    assert (ggml.subject, ggml.use, ggml.verdict, ggml.passed) == (GGML, "commercial", "conditional", True)
    assert ggml.declared_licenses == ("other",) and ggml.inherited_licenses == ("llama2",)
    assert ggml.obligations and all(isinstance(o, clearance.Obligation) and o.license == "llama2" and o.text and o.section
                                    for o in ggml.obligations)
    assert [f.code for f in ggml.findings] == ["CLR102", "CLR305", "CLR302", "CLR307"]
    for f in ggml.findings:
        assert isinstance(f, clearance.Finding)
        assert f.name and f.severity in ("error", "warning", "info") and f.message
    assert (dare.verdict, dare.passed) == ("blocked", False)
    assert dare.reasons and dare.failures[0].startswith("verdict for commercial use is blocked")
    assert set(run.graphs) == {GGML, "mlabonne/gemma-7b-dare"}
    assert [e.relation for e in run.graphs[GGML].edges] == ["quantized"]


def test_the_run_agrees_with_the_wiring_the_commands_call():
    targets = [GGML, "google/gemma-7b", "inceptionai/jais-adapted-7b"]
    run = _check(targets, uses=["commercial", "research"])
    wired = check_wiring(targets, ["commercial", "research"], None, [SNAP], True)
    assert [(r.subject, r.use, r.verdict, r.passed, r.findings, r.obligations) for r in run.results] == \
           [(o.result.subject, o.result.use, o.result.verdict, o.passed, o.result.findings, o.result.obligations)
            for o in wired.outcomes]
    assert run.passed == wired.passed is False


def test_to_json_is_what_the_check_command_prints():
    from typer.testing import CliRunner

    from clearance.cli import app

    targets = [GGML, "mlabonne/gemma-7b-dare"]
    run = _check(targets)
    doc = json.loads(run.to_json())
    assert doc["schema_version"] == 2
    assert [(r["subject"], r["verdict"]) for r in doc["results"]] == [(GGML, "conditional"), ("mlabonne/gemma-7b-dare", "blocked")]
    cli = CliRunner().invoke(app, ["check", *targets, "--snapshot", SNAP, "--offline", "--format", "json"])
    assert cli.exit_code == 1 and json.loads(cli.stdout) == doc
    assert [o.result.subject for o in run.outcomes] == targets


def test_results_are_frozen_values():
    result = _check(GGML).results[0]
    with pytest.raises(AttributeError):
        result.verdict = "cleared"  # type: ignore[misc]


# --- targets ---


def test_a_single_string_is_one_target_not_its_characters():
    one = _check(GGML)
    assert [r.subject for r in one.results] == [GGML]
    assert one.results == _check([GGML]).results == _check((GGML,)).results


def test_a_path_object_and_a_local_model_folder_are_targets(tmp_path):
    model = tmp_path / "my-model"
    model.mkdir()
    (model / "README.md").write_text("---\nlicense: mit\n---\n# a model\n")
    (model / "config.json").write_text("{}")
    for target in (model, str(model)):
        [result] = clearance.check(target, offline=True).results
        assert (result.verdict, result.declared_licenses, result.passed) == ("cleared", ("mit",), True)


@pytest.mark.parametrize(("targets", "says"), [
    ("not a model id!", "'not a model id!' is neither an existing path nor a Hub id"),
    (["google/gemma-7b", "org/na me"], "'org/na me'"),
    ("./no-such-folder", "target './no-such-folder': no such file or folder"),
    (Path("no-such-folder"), "no-such-folder': no such file or folder"),
    ("https://huggingface.co/spaces/org/app", "a Space is not a model or a dataset"),
    ("", "no target given"),
    ("   ", "no target given"),
    ([], "no target given"),
    ([GGML, 42], "target 42 is not a Hub id, URL or path"),
    ([None], "target None"),
    (42, "targets must be a string or a list of strings, not int"),
    (None, "targets must be a string or a list of strings, not NoneType"),
    (b"google/gemma-7b", "not bytes"),
    ({"google/gemma-7b": 1}, "not dict"),
    ("org/name\x00", "NUL byte"),
])
def test_an_invalid_target_is_a_value_error_that_names_it(targets, says):
    with pytest.raises(ValueError) as err:
        _check(targets)
    assert says in str(err.value)
    assert isinstance(err.value, clearance.ArgumentError) and isinstance(err.value, clearance.ClearanceError)


def test_an_unknown_but_well_formed_id_is_an_unknown_verdict_not_an_error():
    [result] = _check("nobody/no-such-model").results
    assert (result.verdict, result.passed) == ("unknown", False)
    assert result.reasons == ("nobody/no-such-model could not be found",)


# --- uses ---


@pytest.mark.parametrize(("uses", "says"), [
    ("selling", "'selling' is not a use: choose from commercial, redistribution, research"),
    (["commercial", "Research"], "'Research' is not a use"),
    (["commercial", None], "None is not a use"),
    ([], "no use given"),
    ((), "no use given"),
    (7, "uses must be a string or a list of strings, not int"),
    ({"commercial": True}, "not dict"),
])
def test_an_invalid_use_is_a_value_error_that_names_it(uses, says):
    with pytest.raises(ValueError) as err:
        _check(GGML, uses=uses)
    assert says in str(err.value)
    assert isinstance(err.value, clearance.ArgumentError)


def test_a_single_use_string_is_one_use():
    run = _check(GGML, uses="research")
    assert [r.use for r in run.results] == ["research"]
    assert [r.use for r in _check(GGML, uses=["research", "commercial", "research"]).results] == ["research", "commercial"]


@pytest.mark.parametrize(("kw", "says"), [
    ({"snapshots": "no-such.jsonl"}, "no-such.jsonl: no such snapshot file"),
    ({"data_terms": "loose"}, "data_terms 'loose' is not one of: strict, lenient"),
    ({"depth": -1}, "depth must be a whole number, 0 or more"),
    ({"depth": "2"}, "depth must be a whole number"),
    ({"policy": 3}, "policy must be a clearance.Policy or the path of a policy file, not int"),
])
def test_other_bad_arguments_are_value_errors(kw, says):
    with pytest.raises(ValueError) as err:
        clearance.check(GGML, offline=True, **{"snapshots": SNAP, **kw})
    assert says in str(err.value)


# --- policies ---

POLICY = """\
uses = ["commercial", "research"]
deny = ["non-commercial"]

[[exceptions]]
model = "arcee-ai/gemma-7b-slerp"
reason = "we ship it under the Gemma Terms of Use"
"""


def test_a_policy_path_is_loaded_and_applied(tmp_path):
    path = tmp_path / "clearance.toml"
    path.write_text(POLICY)
    targets = ["arcee-ai/gemma-7b-slerp", "mlabonne/gemma-7b-dare"]
    for policy in (path, str(path), clearance.load_policy(path)):
        run = _check(targets, policy=policy)
        assert [(r.subject, r.use, r.passed) for r in run.results] == [
            ("arcee-ai/gemma-7b-slerp", "commercial", True), ("arcee-ai/gemma-7b-slerp", "research", True),
            ("mlabonne/gemma-7b-dare", "commercial", False), ("mlabonne/gemma-7b-dare", "research", False)]
        slerp = run.results[0]
        assert slerp.waived_by == "we ship it under the Gemma Terms of Use"
        assert slerp.failures[0].startswith("CLR103 license-conflict")
        assert "license cc-by-nc-4.0 is denied by the policy" in run.results[3].failures
    # an explicit use wins over the policy's uses
    assert [r.use for r in _check(targets, policy=path, uses="redistribution").results] == ["redistribution"] * 2
    # without a policy, no exception waives the conflict
    assert _check("arcee-ai/gemma-7b-slerp").results[0].passed is False


def test_load_policy_reads_pyproject_and_finds_from_a_folder(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.clearance]\nallow = ["permissive", "llama2"]\n')
    sub = tmp_path / "src" / "pkg"
    sub.mkdir(parents=True)
    assert clearance.load_policy(tmp_path / "pyproject.toml").allow == ("permissive", "llama2")
    assert clearance.load_policy(sub).allow == ("permissive", "llama2")
    assert isinstance(clearance.load_policy(sub), clearance.Policy)


@pytest.mark.parametrize(("text", "says"), [
    (None, "no such policy file"),
    ('uses = ["selling"]\n', "uses.0"),
    ("allow = [\n", "invalid TOML"),
    ('deny = ["no-such-license-xyz"]\n', "'no-such-license-xyz' is neither a license category"),
])
def test_a_bad_policy_file_is_a_value_error_that_names_file_and_key(tmp_path, text, says):
    path = tmp_path / "clearance.toml"
    if text is not None:
        path.write_text(text)
    for call in (lambda: clearance.load_policy(path), lambda: _check(GGML, policy=path)):
        with pytest.raises(ValueError) as err:
            call()
        assert isinstance(err.value, clearance.PolicyError)
        assert str(path) in str(err.value) and says in str(err.value)


def test_check_reads_no_policy_it_was_not_given(tmp_path):
    (tmp_path / "clearance.toml").write_text('deny = ["llama2"]\n')  # in the working folder
    assert _check(GGML).passed is True


# --- scan ---


def test_scan_finds_the_references_the_command_finds_and_checks_them():
    from clearance.scan import scan_path

    run = clearance.scan(SUPPORT_BOT, snapshots=SNAP, offline=True)
    assert isinstance(run, clearance.ScanRun) and isinstance(run, clearance.Run)
    assert list(run.references) == scan_path(SUPPORT_BOT).references
    assert run.files_scanned == 7 and len(run.references) == 9
    assert all(isinstance(r, clearance.Reference) for r in run.references)
    verdicts = {r.subject: (r.verdict, r.passed) for r in run.results}
    assert verdicts["microsoft/phi-2"] == ("cleared", True)
    assert verdicts["mlabonne/gemma-7b-dare"] == ("blocked", False)
    assert verdicts["inceptionai/jais-adapted-7b"] == ("conditional", False)
    assert verdicts["Open-Orca/OpenOrca"][0] == "unknown"
    assert run.passed is False
    assert run.locations["microsoft/phi-2"] == ("app.py", 5)
    assert run.locations["datasets/Open-Orca/OpenOrca"] == ("train.py", 3)  # the target checked for the dataset
    doc = json.loads(run.to_json())
    assert doc["references"][0] == {"id": "sentence-transformers/distiluse-base-multilingual-cased-v1", "kind": "model",
                                    "file": ".env", "line": 1, "via": "environment variable EMBEDDING_MODEL", "role": "used"}


def test_scan_to_json_is_what_the_scan_command_prints():
    from typer.testing import CliRunner

    from clearance.cli import app

    run = clearance.scan(SUPPORT_BOT, snapshots=SNAP, offline=True)
    cli = CliRunner().invoke(app, ["scan", str(SUPPORT_BOT), "--snapshot", SNAP, "--offline", "--format", "json"])
    assert cli.exit_code == 1 and json.loads(cli.stdout) == json.loads(run.to_json())


def test_scan_uses_the_projects_own_policy_unless_given_one(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text('from transformers import AutoModel\nAutoModel.from_pretrained("google/gemma-7b")\n')
    (project / "clearance.toml").write_text('uses = ["commercial", "research"]\ndeny = ["gemma"]\n')
    found = clearance.scan(project, snapshots=SNAP, offline=True)
    assert [(r.subject, r.use, r.passed) for r in found.results] == [
        ("google/gemma-7b", "commercial", False), ("google/gemma-7b", "research", False)]
    assert any("denied by the policy" in f for f in found.results[0].failures)
    none = clearance.scan(project, snapshots=SNAP, offline=True, policy=clearance.Policy())
    assert [(r.use, r.passed) for r in none.results] == [("commercial", True)]
    assert [r.use for r in clearance.scan(str(project / "app.py"), snapshots=SNAP, offline=True, uses="research").results] \
        == ["research"]


def test_scan_of_a_project_without_references_passes(tmp_path):
    (tmp_path / "main.py").write_text("print('hello')\n")
    run = clearance.scan(tmp_path, offline=True)
    assert (run.references, run.results, run.passed, run.files_scanned) == ((), (), True, 1)


@pytest.mark.parametrize(("kw", "says"), [
    ({"path": "no-such-project"}, "no-such-project: no such file or folder"),
    ({"path": 3}, "path 3 is not a path"),
    ({"path": ".", "diff": "origin/main"}, "not inside a git working tree"),
    ({"path": ".", "uses": "selling"}, "'selling' is not a use"),
])
def test_scan_bad_arguments_are_value_errors(tmp_path, kw, says):
    (tmp_path / "app.py").write_text('MODEL = "google/gemma-7b"\n')
    with pytest.raises(ValueError) as err:
        clearance.scan(kw.pop("path"), offline=True, **kw)
    assert says in str(err.value) and isinstance(err.value, clearance.ClearanceError)


# --- graph ---


def test_graph_is_the_lineage_the_command_builds():
    from clearance.usecases.lineage import graph_for

    g = clearance.graph(GGML, snapshots=SNAP, offline=True)
    assert isinstance(g, clearance.Graph)
    assert g.to_json() == graph_for(GGML, snapshots=[SNAP], offline=True).to_json()
    assert (g.root, [(e.parent, e.relation) for e in g.edges]) == (GGML, [("meta-llama/Llama-2-7b-chat-hf", "quantized")])
    kids = clearance.graph("google/gemma-7b", snapshots=SNAP, offline=True, descendants=True, depth=1)
    assert kids.direction == "descendants" and "arcee-ai/gemma-7b-slerp" in {e.child for e in kids.edges}


@pytest.mark.parametrize(("target", "kw", "says"), [
    ([GGML], {}, "graph takes one target"),
    ("not an id!", {}, "'not an id!' is neither an existing path nor a Hub id"),
    (GGML, {"depth": -2}, "depth must be a whole number"),
    (GGML, {"descendants": True, "snapshots": ()}, "descendants are found within snapshots"),
])
def test_graph_bad_arguments_are_value_errors(target, kw, says):
    with pytest.raises(ValueError) as err:
        clearance.graph(target, offline=True, **{"snapshots": SNAP, **kw})
    assert says in str(err.value)


# --- the package ---


def test_all_lists_the_public_names_and_each_resolves():
    for name in ("check", "scan", "graph", "load_policy", "Run", "ScanRun", "Result", "Finding", "Obligation",
                 "Policy", "Graph", "Reference", "ArgumentError", "PolicyError", "ClearanceError"):
        assert name in clearance.__all__
    assert set(clearance.__all__) == {"__version__", *clearance._PUBLIC}
    for name in clearance.__all__:
        assert getattr(clearance, name) is not None
        assert name in dir(clearance)
    for error in (clearance.ArgumentError, clearance.PolicyError):
        assert issubclass(error, ValueError) and issubclass(error, clearance.ClearanceError)
    with pytest.raises(AttributeError):
        clearance.no_such_name  # noqa: B018


def test_importing_a_submodule_does_not_replace_the_public_function():
    import importlib

    import clearance.graph.model
    import clearance.scan.core
    from clearance.usecases.check import CheckRun  # noqa: F401

    assert callable(clearance.check) and clearance.check.__module__ == "clearance.api"
    assert clearance.scan.__module__ == "clearance.api" and clearance.graph.__module__ == "clearance.api"
    # the modules stay reachable by their full names
    assert importlib.import_module("clearance.usecases.check").check is check_wiring
    assert sys.modules["clearance.scan"].scan_path is not None


def test_import_clearance_stays_cheap():
    """`import clearance` loads no module of the package but the two-line version module (the
    cold `check` imports what it did before: tests/cli/test_launcher.py), and no heavy dependency."""
    code = ("import sys; before = set(sys.modules); import clearance; "
            "print(sorted(m for m in set(sys.modules) - before))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}).stdout
    assert out.strip() == "['clearance', 'clearance.util', 'clearance.util.version']"
