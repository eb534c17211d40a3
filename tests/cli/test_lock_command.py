"""`clearance lock`, `--locked` and `lock --update` through the real commands, on the bundled
drift snapshots (data/drift: the support-bot lineage, then the same records with one license
edited)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BEFORE, AFTER = ROOT / "data" / "drift" / "before.jsonl", ROOT / "data" / "drift" / "after.jsonl"
CLEARANCE = str(Path(sys.executable).parent / "clearance")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "NO_COLOR": "1"}
    return subprocess.run([CLEARANCE, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def project(tmp_path):
    dest = tmp_path / "support-bot"
    shutil.copytree(ROOT / "examples" / "support-bot", dest)
    return dest


def test_lock_then_scan_locked_catches_the_relabelling(project, tmp_path):
    made = run("lock", str(project), "--snapshot", str(BEFORE), "--offline", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert (project / "clearance.lock").is_file() and "11 artifacts" in made.stdout
    same = run("scan", str(project), "--snapshot", str(BEFORE), "--offline", "--locked", "--format", "json", cwd=tmp_path)
    assert "CLR105" not in same.stdout and "unlocked-reference" not in same.stdout
    moved = run("scan", str(project), "--snapshot", str(AFTER), "--offline", "--locked", "--format", "json", cwd=tmp_path)
    assert moved.returncode == 1
    doc = json.loads(moved.stdout)
    falcon = next(r for r in doc["results"] if r["subject"] == "Falconsai/nsfw_image_detection")
    changed = [f for f in falcon["findings"] if f["name"] == "license-changed"]
    assert any("declared license was apache-2.0 at" in f["message"] and "now cc-by-nc-4.0 at" in f["message"]
               and f["severity"] == "error" for f in changed)
    assert falcon["policy"]["passed"] is False
    assert any(f.startswith("CLR105 license-changed") for f in falcon["policy"]["failures"])


def test_a_lock_is_not_overwritten_without_update_and_update_says_what_changed(project, tmp_path):
    assert run("lock", str(project), "--snapshot", str(BEFORE), "--offline", cwd=tmp_path).returncode == 0
    again = run("lock", str(project), "--snapshot", str(AFTER), "--offline", cwd=tmp_path)
    assert again.returncode == 2 and "--update" in again.stderr and "Traceback" not in again.stderr
    before = (project / "clearance.lock").read_text()
    upd = run("lock", str(project), "--snapshot", str(AFTER), "--offline", "--update", "--format", "json", cwd=tmp_path)
    assert upd.returncode == 0, upd.stderr
    changes = json.loads(upd.stdout)["changes"]
    assert {c["id"] for c in changes} == {"Falconsai/nsfw_image_detection"}
    assert {c["field"] for c in changes} == {"declared", "verdicts"}
    assert (project / "clearance.lock").read_text() != before
    # rewriting from the same sources changes nothing, byte for byte
    text = (project / "clearance.lock").read_text()
    assert run("lock", str(project), "--snapshot", str(AFTER), "--offline", "--update", cwd=tmp_path).returncode == 0
    assert (project / "clearance.lock").read_text() == text


def test_check_locked_on_the_fast_path_and_a_missing_lock(project, tmp_path):
    lock = tmp_path / "models.lock"
    made = run("lock", "Falconsai/nsfw_image_detection", "--snapshot", str(BEFORE), "--offline", "--out", str(lock), cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    ok = run("check", "Falconsai/nsfw_image_detection", "--snapshot", str(BEFORE), "--offline", "--locked", "--lock", str(lock), cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    moved = run("check", "Falconsai/nsfw_image_detection", "--snapshot", str(AFTER), "--offline", "--lock", str(lock), cwd=tmp_path)
    assert moved.returncode == 1 and "license-changed" in moved.stdout and "was apache-2.0" in moved.stdout
    missing = run("check", "Falconsai/nsfw_image_detection", "--snapshot", str(BEFORE), "--offline", "--locked", cwd=tmp_path)
    assert missing.returncode == 2 and "no clearance.lock" in missing.stderr
    nowhere = run("lock", "Falconsai/nsfw_image_detection", "--snapshot", str(BEFORE), "--offline", cwd=tmp_path)
    assert nowhere.returncode == 2 and "--out" in nowhere.stderr
