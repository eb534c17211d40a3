"""The console script's fast paths (`clearance.cli.fast`) for `check` and `hub audit`: the same
options, output and exit codes as the Typer commands, without importing Typer or Rich (nor, for
`check`, pydantic); anything they do not fully understand goes to Typer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from clearance.cli import app, common
from clearance.cli import fast as launcher

ROOT = Path(__file__).resolve().parents[2]
SNAP = str(ROOT / "data" / "hub-2025-sample.jsonl")
CARD = ROOT.parent / "shared" / "data" / "model-cards-2025" / "kiyeon1221" / "lora-llama-2-7b-food-order-understanding" / "README.md"
runner = CliRunner()
POLICY = """\
uses = ["commercial", "research"]
deny = ["non-commercial"]

[organization]
territories = ["FR"]

[severity]
attribution-required = "off"
"""


@pytest.fixture(autouse=True)
def _offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    monkeypatch.setenv("CLEARANCE_CACHE_DIR", str(tmp_path / "clearance-cache"))
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.chdir(tmp_path)


def test_the_fast_parser_takes_exactly_the_typer_commands_options():
    typer_check = get_command(app).commands["check"]
    typer_opts = {o for p in typer_check.params for o in p.opts if o.startswith("-")}
    assert set(launcher.OPTIONS) | set(launcher.SHORT) == typer_opts
    for p in typer_check.params:  # each short spelling means the same long option
        shorts = [o for o in p.opts if len(o) == 2 and o.startswith("-")]
        longs = [o for o in p.opts if o.startswith("--")]
        assert all(launcher.SHORT[s] == longs[0] for s in shorts), p.opts
    # flags (no value) agree with Typer's
    flags = {o for p in typer_check.params if getattr(p, "is_flag", False) for o in p.opts}
    assert flags == {n for n, takes_value in launcher.OPTIONS.items() if not takes_value} == {"--offline", "--locked"}
    # and the same choices as the Typer command's enums
    assert set(launcher.USES) == {c.value for c in common.UseChoice}
    assert set(launcher.DATA_TERMS) == {c.value for c in common.DataTermsChoice}
    assert set(launcher.FORMATS) == {c.value for c in common.CheckFormat}
    assert [p.name for p in typer_check.params if not any(o.startswith("-") for o in p.opts)] == ["targets"]


def _fast(capsys, *args: str) -> tuple[int, str]:
    code = launcher.fast_check(list(args))
    assert code is not None, "the fast path declined a command line it should run"
    return code, capsys.readouterr().out


CASES = [
    ("google/gemma-7b", "--snapshot", SNAP, "--offline"),
    ("mlabonne/gemma-7b-dare", "-s", SNAP, "--offline", "--format", "json"),
    ("inceptionai/jais-adapted-7b", "--offline", "--snapshot", SNAP, "-f", "sarif"),
    ("TheBloke/Llama-2-7B-Chat-GGML", "google/gemma-7b", "--snapshot", SNAP, "--offline", "--format", "markdown",
     "--use", "redistribution"),
    ("Vivian12300/llama-2-7b-chat-hf-mathqa-rationale-2", "--snapshot", SNAP, "--offline", "--data-terms", "strict",
     "--depth", "1", "-u", "research"),
    ("google/gemma-7b", f"--snapshot={SNAP}", "--offline", "--policy", "clearance.toml"),
    ("--offline", "-uresearch", "google/gemma-7b", f"-s{SNAP}", "mlabonne/gemma-7b-dare"),
]


@pytest.mark.parametrize("args", CASES, ids=range(len(CASES)))
def test_the_fast_path_prints_and_exits_as_the_typer_command(capsys, tmp_path, args):
    (tmp_path / "clearance.toml").write_text(POLICY)
    code, out = _fast(capsys, *args)
    typer_res = runner.invoke(app, ["check", *args])
    assert (code, out) == (typer_res.exit_code, typer_res.stdout)
    assert out.strip()


def test_input_errors_exit_2_with_one_line_as_typer_does(capsys, tmp_path):
    (tmp_path / "bad.toml").write_text("uses = ['selling']\n")
    for args in (("google/gemma-7b", "--snapshot", "missing.jsonl", "--offline"),
                 ("google/gemma-7b", "--offline", "--policy", "bad.toml")):
        code = launcher.fast_check(list(args))
        err = capsys.readouterr().err
        typer_res = runner.invoke(app, ["check", *args])
        assert code == 2 == typer_res.exit_code
        assert err.startswith("error: ") and err.count("\n") == 1
        assert err.removeprefix("error: ").strip() in typer_res.output.replace("\n", " ")


@pytest.mark.parametrize("args", [
    ["--help"], [], ["x/y", "--no-such-option"], ["x/y", "--use", "selling"], ["x/y", "--depth", "two"],
    ["x/y", "--", "-weird"], ["x/y", "--of"],  # no abbreviations: Click does not take them either
    ["x/y", "-u"], ["x/y", "--offline=yes"], ["x/y", "-x"], ["x/y", "--use"], ["--", "--offline"],
])
def test_what_the_fast_parser_does_not_understand_goes_to_typer(args):
    assert launcher.fast_check(args) is None


def _console(args: list[str], cwd: Path, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    code = ("import sys; from clearance.cli import fast as launcher; sys.argv = ['clearance', *sys.argv[1:]];"
            "import atexit; atexit.register(lambda: print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'typer', 'click', 'pydantic', 'rich', 'yaml', 'huggingface_hub', 'duckdb'}), file=sys.stderr));"
            "launcher.main()")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", **(extra_env or {})}
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=cwd, env=env)


def test_a_cold_check_imports_no_cli_framework_and_no_pydantic(tmp_path):
    model = tmp_path / "lora"
    model.mkdir()
    (model / "README.md").write_text(CARD.read_text(encoding="utf-8") if CARD.exists() else
                                     "---\nbase_model: meta-llama/Llama-2-7b-chat-hf\n---\n# a LoRA\n")
    (tmp_path / "clearance.toml").write_text(POLICY)
    env = {"CLEARANCE_CACHE_DIR": str(tmp_path / "cache")}
    first = _console(["check", str(model), "--offline", "--format", "json"], tmp_path, env)
    assert first.returncode == 1, first.stderr  # unknown: its base is not in any source offline
    assert json.loads(first.stdout)["results"][0]["subject"] == str(model)
    assert first.stderr.strip().splitlines()[-1] == "['pydantic', 'yaml']"  # validating the KB, policy, card
    # Later runs read the validated policy and the parsed card from the cache.
    again = _console(["check", str(model), "--offline", "--format", "json"], tmp_path, env)
    assert again.stdout == first.stdout and again.returncode == 1
    assert again.stderr.strip().splitlines()[-1] == "[]"
    # An edited card is parsed again.
    readme = model / "README.md"
    readme.write_text(readme.read_text().replace("---\n", "---\nlicense: apache-2.0\n", 1))
    edited = _console(["check", str(model), "--offline", "--format", "json"], tmp_path, env)
    assert json.loads(edited.stdout)["results"][0]["declared_licenses"] == ["apache-2.0"]
    assert edited.stderr.strip().splitlines()[-1] == "['yaml']"


def test_other_commands_and_help_still_go_to_typer(tmp_path):
    res = _console(["check", "--help"], tmp_path)
    assert res.returncode == 0 and "--data-terms" in res.stdout
    res = _console(["license", "show", "mit", "--format", "json"], tmp_path)
    assert res.returncode == 0 and json.loads(res.stdout)["id"] == "mit"
    res = _console(["check", "x/y", "--use", "selling"], tmp_path)
    assert res.returncode == 2 and "selling" in res.stderr and "Traceback" not in res.stderr


def test_colour_only_on_a_terminal_or_when_forced(tmp_path):
    plain = _console(["check", "google/gemma-7b", "--snapshot", SNAP, "--offline"], tmp_path)
    forced = _console(["check", "google/gemma-7b", "--snapshot", SNAP, "--offline"], tmp_path, {"FORCE_COLOR": "1"})
    assert "\x1b[" not in plain.stdout and "\x1b[1;33mCONDITIONAL" in forced.stdout


TOKENS = ["x/y", "a/b", "--offline", "--use", "commercial", "research", "-u", "-ucommercial", "--use=research",
          "--format", "json", "-f", "sarif", "--depth", "2", "-1", "--depth=3", "--snapshot", "s.jsonl", "-s",
          "--policy", "p.toml", "-p", "--data-terms", "strict", "--", "-", "--of", "--offline=1", "-x", "-sq.jsonl",
          "--locked", "--lock", "c.lock", "--lock=d.lock", "--locked=1"]


def _click_params(args: list[str]) -> dict | None:
    try:
        from typer._click import exceptions as cx  # Typer 0.29 carries its own Click
    except ImportError:
        from click import exceptions as cx

    command = get_command(app).commands["check"]
    try:
        ctx = command.make_context("check", list(args), resilient_parsing=False)
    except cx.ClickException:
        return None
    p = ctx.params
    value = lambda v: getattr(v, "value", v)  # noqa: E731 - Typer's enums
    return {"targets": list(p["targets"]), "snapshot": [str(s) for s in p["snapshots"]], "offline": p["offline"],
            "use": value(p["use"]), "policy": str(p["policy_file"]) if p["policy_file"] else None,
            "data_terms": value(p["data_terms"]), "depth": p["depth"], "format": value(p["fmt"]),
            "locked": p["locked"], "lock": str(p["lock_file"]) if p["lock_file"] else None}


def test_the_fast_parser_reads_every_command_line_it_accepts_as_click_does():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=400, deadline=None)
    @given(st.lists(st.sampled_from(TOKENS), max_size=8))
    def check(args):
        fast = launcher.parse_check(args)
        if fast is not None:
            assert _click_params(args) == fast, args

    check()


def test_only_the_fast_check_skips_the_interpreters_teardown(tmp_path):
    # os._exit (no teardown) is the fast paths' speed trick; every other command, through
    # Typer, ends as a Python program ends (servers, threads and finalizers get their turn).
    code = ("import os, sys; real = os._exit; "
            "os._exit = lambda c: (print('os._exit', file=sys.stderr), sys.stderr.flush(), real(c)); "
            "from clearance.cli import fast; sys.argv = ['clearance', *sys.argv[1:]]; fast.main()")

    def run(*args):
        env = {**os.environ, "HF_HUB_OFFLINE": "1"}
        return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=tmp_path, env=env)

    fast_check = run("check", "google/gemma-7b", "--snapshot", SNAP, "--offline")
    assert fast_check.returncode == 0 and fast_check.stderr.splitlines()[-1] == "os._exit"
    fast_audit = run("hub", "audit", SNAP, "--out", "a.parquet")
    assert fast_audit.returncode == 0 and fast_audit.stderr.splitlines()[-1] == "os._exit"
    assert (tmp_path / "a.parquet").stat().st_size > 10_000
    for args in (["license", "show", "mit"], ["check", "--help"], ["hub", "stats", SNAP, "--top", "1"],
                 ["check", "x/y", "--use", "selling"], ["license", "show", "no-such-license"]):
        res = run(*args)
        assert "os._exit" not in res.stderr and "Traceback" not in res.stderr, args
        assert res.returncode == (2 if args[-1] in ("selling", "no-such-license") else 0), (args, res.stderr)


def test_a_library_error_is_one_line_and_exit_2_for_every_command(tmp_path):
    # One handler (ClearanceGroup): a ClearanceError from any command, one line on stderr.
    (tmp_path / "bad.toml").write_text("uses = ['selling']\n")
    (tmp_path / "empty.jsonl").write_text("")
    for args in (["scan", str(tmp_path), "--policy", "bad.toml", "--offline"],
                 ["hub", "stats", "missing.jsonl"],
                 ["graph", "google/gemma-7b", "--snapshot", "missing.jsonl", "--offline"],
                 ["lock", "google/gemma-7b", "--snapshot", "missing.jsonl", "--offline"]):
        res = runner.invoke(app, args)
        assert res.exit_code == 2, (args, res.output)
        assert res.stderr.startswith("error: ") and res.stderr.count("error:") == 1, (args, res.stderr)
        assert res.exception is None or isinstance(res.exception, SystemExit), args


# -- hub audit --------------------------------------------------------------------------------------
def _audit_command():
    return get_command(app).commands["hub"].commands["audit"]


def test_the_fast_audit_parser_takes_exactly_the_typer_commands_options():
    command = _audit_command()
    assert set(launcher.AUDIT_OPTIONS) == {o for p in command.params for o in p.opts if o.startswith("-")}
    assert all(launcher.AUDIT_OPTIONS.values())  # every option takes a value
    from clearance.analytics.engines import ENGINES
    from clearance.cli.hub import AnalyticsEngine
    assert set(launcher.ENGINES) == {e.value for e in AnalyticsEngine} == set(ENGINES)
    assert [p.name for p in command.params if not any(o.startswith("-") for o in p.opts)] == ["snapshots"]


AUDIT_TOKENS = ["a.jsonl", "b.parquet", "--out", "x.parquet", "--out=y.parquet", "--engine", "duckdb", "spark",
                "--engine=spark", "--engine=pandas", "--master", "local[1]", "--master=spark://h:7077", "--", "-",
                "--ou", "-o", "--help", "--out="]


def _click_audit_params(args: list[str]) -> dict | None:
    try:
        from typer._click import exceptions as cx
    except ImportError:
        from click import exceptions as cx
    try:
        ctx = _audit_command().make_context("audit", list(args), resilient_parsing=False)
    except (cx.ClickException, cx.Exit):
        return None
    p = ctx.params
    return {"snapshots": list(p["snapshots"]), "out": p["out_file"], "engine": getattr(p["engine"], "value", p["engine"]),
            "master": p["master"]}


def test_the_fast_audit_parser_reads_every_command_line_it_accepts_as_click_does():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    def same(args):
        fast = launcher.parse_hub_audit(args)
        if fast is not None:
            # as paths, which is how both are used (Typer makes Path("") of `--out=`, as fast_hub_audit does)
            fast = fast | {"snapshots": [Path(s) for s in fast["snapshots"]], "out": Path(fast["out"])}
            assert _click_audit_params(args) == fast, args
        return fast is not None

    # command lines the fast path must take, then random ones
    for args in (["a.jsonl", "--out", "x.parquet"], ["--out=y.parquet", "a.jsonl", "b.parquet"],
                 ["a.jsonl", "--engine", "spark", "--master", "local[1]", "--out", "x.parquet"],
                 ["--engine=duckdb", "a.jsonl", "--out=", "--", "b.jsonl"], ["a.jsonl", "--out", "x", "--out", "y.parquet"]):
        assert same(args), args

    @settings(max_examples=400, deadline=None, derandomize=True)
    @given(st.lists(st.sampled_from(AUDIT_TOKENS), max_size=7))
    def check(args):
        same(args)

    check()


def test_the_fast_audit_writes_what_the_typer_command_writes(capsys, tmp_path):
    from clearance.analytics.hub import HubAnalysis

    assert launcher.fast_hub_audit([SNAP, "--out", "fast.parquet"]) == 0
    fast_err = capsys.readouterr().err
    typer_res = runner.invoke(app, ["hub", "audit", SNAP, "--out", "typer.parquet"])
    assert typer_res.exit_code == 0
    assert fast_err == typer_res.stderr.replace("typer.parquet", "fast.parquet") == "wrote 1,532 rows to fast.parquet\n"
    con = HubAnalysis([Path(SNAP)]).con
    rows = [con.execute(f"select * from '{tmp_path / f}' order by id").fetchall() for f in ("fast.parquet", "typer.parquet")]
    assert rows[0] == rows[1] and len(rows[0]) == 1532


def test_fast_audit_errors_are_one_line_and_exit_2_as_typer_says_them(capsys, tmp_path):
    (tmp_path / "empty.jsonl").write_text("")
    for args in ([SNAP, "--out", "no-such-dir/a.parquet"], ["missing.jsonl", "--out", "a.parquet"],
                 [SNAP, "--out", "a.parquet", "--master", "local[1]"], [str(tmp_path / "empty.jsonl"), "--out", "a.parquet"]):
        assert launcher.fast_hub_audit(list(args)) == 2, args
        err = capsys.readouterr().err
        typer_res = runner.invoke(app, ["hub", "audit", *args])
        assert typer_res.exit_code == 2, args
        assert err.splitlines()[-1].startswith("error: ") and err.count("error:") == 1, err
        assert err == typer_res.stderr, args
    assert not (tmp_path / "a.parquet").exists()


@pytest.mark.parametrize("args", [["--help"], [SNAP], [SNAP, "--out"], [SNAP, "--out", "a.parquet", "--engine", "pandas"],
                                  [SNAP, "-o", "a.parquet"], ["--out", "a.parquet"], [SNAP, "--out", "a.parquet", "--", "-x"]])
def test_what_the_fast_audit_parser_does_not_understand_goes_to_typer(args):
    assert launcher.fast_hub_audit(args) is None


def test_a_hub_audit_imports_no_cli_framework(tmp_path):
    env = {"CLEARANCE_CACHE_DIR": str(tmp_path / "cache")}
    _console(["hub", "audit", SNAP, "--out", "a.parquet"], tmp_path, env)  # the first builds the KB's cache (ScanCode)
    res = _console(["hub", "audit", SNAP, "--out", "a.parquet"], tmp_path, env)
    assert res.returncode == 0, res.stderr
    assert res.stderr.splitlines()[0] == "wrote 1,532 rows to a.parquet"
    assert res.stderr.strip().splitlines()[-1] == "['duckdb']"  # the KB and the normalizer from the cache
