"""`clearance license list|show|identify`: output contracts, exit codes, and bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clearance.cli import app
from clearance.cli.license import MAX_STDIN_BYTES

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "licenses"
runner = CliRunner()


def run(*args: str, input: str | bytes | None = None):
    return runner.invoke(app, list(args), input=input)


def test_list_json_is_versioned_and_complete(kb):
    res = run("license", "list", "--format", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["schema_version"] == 3
    assert {lic["id"] for lic in data["licenses"]} == {lic.id for lic in kb}


def test_list_filters_by_category(kb):
    res = run("license", "list", "--category", "permissive", "--format", "json")
    ids = {lic["id"] for lic in json.loads(res.stdout)["licenses"]}
    assert "apache-2.0" in ids and "llama2" not in ids
    assert ids == {lic.id for lic in kb if lic.category == "permissive"}


def test_list_rejects_unknown_category():
    res = run("license", "list", "--category", "libre")
    assert res.exit_code == 2
    assert "not one of" in res.stderr


@pytest.mark.parametrize("alias", ["llama2", "Llama 2 Community License", "LicenseRef-scancode-llama-2-license-2023"])
def test_show_answers_to_any_alias(alias):
    res = run("license", "show", alias, "--format", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["id"] == "llama2" and data["schema_version"] == 3
    assert data["mau_limit"] == 700_000_000
    assert data["commercial_use"] == "conditional"
    terms = {s["term"]: s for s in data["sources"]}
    assert terms["mau_limit"]["section"].startswith("2.")
    assert terms["mau_limit"]["url"].startswith("https://")


def test_show_text_puts_terms_next_to_their_sections():
    res = run("license", "show", "apache-2.0")
    assert res.exit_code == 0
    assert "Apache License 2.0" in res.stdout
    assert "3. Grant of Patent License" in " ".join(res.stdout.split())


def test_show_long_tail_license_says_terms_are_not_curated():
    res = run("license", "show", "MPL-1.1", "--format", "json")
    data = json.loads(res.stdout)
    assert data["curated"] is False and data["category"] == "weak-copyleft" and data["commercial_use"] == "unknown"


def test_show_unknown_alias_exits_2_with_a_hint():
    res = run("license", "show", "no-such-license-anywhere")
    assert res.exit_code == 2
    assert "no license in the knowledge base answers to 'no-such-license-anywhere'" in " ".join(res.stderr.split())


def test_identify_values_json():
    res = run("license", "identify", "Apache 2.0", "my-own-terms", "--format", "json")
    assert res.exit_code == 0
    rows = json.loads(res.stdout)
    assert [r["input"] for r in rows] == ["Apache 2.0", "my-own-terms"]
    assert rows[0]["id"] == "apache-2.0" and rows[0]["confidence"] == 1.0 and rows[0]["evidence"]
    assert rows[1]["id"] is None and rows[1]["confidence"] == 0.0


def test_identify_reads_stdin_one_value_per_line():
    res = run("license", "identify", "-", "--format", "json", input="apache-2.0\n\nllama2\n")
    assert [r["id"] for r in json.loads(res.stdout)] == ["apache-2.0", "llama2"]


def test_identify_license_files():
    res = run("license", "identify", str(FIXTURES / "MIT.txt"), str(FIXTURES / "MODIFIED-MIT.txt"), "--format", "json")
    assert res.exit_code == 0, res.output
    plain, modified = json.loads(res.stdout)
    assert plain["id"] == "mit" and plain["confidence"] == 1.0 and "modified" not in plain
    assert modified["id"] == "mit" and modified["modified"] is True and modified["confidence"] < 0.8


@pytest.mark.parametrize(
    "content,message",
    [
        (b"\x00\x01\x02binary" * 100, "binary data"),
        (b"   \n\n", "empty"),
    ],
)
def test_identify_bad_files_exit_2(tmp_path, content, message):
    path = tmp_path / "LICENSE"
    path.write_bytes(content)
    res = run("license", "identify", str(path))
    assert res.exit_code == 2
    assert message in res.stderr
    assert "LICENSE" in res.stderr  # names the file


def test_identify_huge_file_exit_2(tmp_path):
    path = tmp_path / "LICENSE"
    path.write_bytes(b"MIT License. " * 200_000)
    res = run("license", "identify", str(path))
    assert res.exit_code == 2 and "larger than" in res.stderr


@pytest.mark.parametrize(
    "stdin,message",
    [(b"", "empty"), (b"\n  \n", "empty"), (b"mit\x00\x00", "binary"), (b"x" * (MAX_STDIN_BYTES + 10), "larger than")],
)
def test_identify_bad_stdin_exit_2(stdin, message):
    res = run("license", "identify", "-", input=stdin)
    assert res.exit_code == 2
    assert message in res.stderr


def test_identify_huge_value_is_an_answer_not_a_crash():
    res = run("license", "identify", "z" * 100_000, "--format", "json")
    assert res.exit_code == 0
    row = json.loads(res.stdout)[0]
    assert row["id"] is None and "too long" in row["evidence"]


def test_installed_console_script_runs_without_traceback(tmp_path):
    # The real entry point, in a real process: a user error is one line on stderr, exit 2.
    exe = Path(sys.executable).with_name("clearance")
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    ok = subprocess.run([str(exe), "license", "show", "apache-2.0", "--format", "json"], capture_output=True, text=True, env=env)
    assert ok.returncode == 0 and json.loads(ok.stdout)["id"] == "apache-2.0"
    bad = subprocess.run([str(exe), "license", "show", "nope-nope"], capture_output=True, text=True, env=env)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "error:" in bad.stderr
