"""`clearance bom PATH` says where each model is used, and takes revisions from the project's lock."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SNAP = str(ROOT / "data" / "hub-2025-sample.jsonl")
CLEARANCE = str(Path(sys.executable).parent / "clearance")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "NO_COLOR": "1"}
    return subprocess.run([CLEARANCE, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_bom_of_a_project_has_occurrences_and_locked_revisions(tmp_path):
    app = tmp_path / "support-bot"
    shutil.copytree(ROOT / "examples" / "support-bot", app)
    assert run("lock", str(app), "--snapshot", SNAP, "--offline", cwd=tmp_path).returncode == 0
    res = run("bom", str(app), "--snapshot", SNAP, "--offline", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    comps = {c["name"]: c for c in json.loads(res.stdout)["components"]}
    phi = comps["phi-2"]
    assert {"location": "app.py", "line": 5} == {k: phi["evidence"]["occurrences"][0][k] for k in ("location", "line")}
    props = {p["name"]: p["value"] for p in phi.get("properties", [])}
    assert props.get("clearance:revision-from") == "lock" and phi["version"].endswith("@ hub-2025-sample.jsonl")
    bad = run("bom", str(app), "--snapshot", SNAP, "--offline", "--lock", str(tmp_path / "missing.lock"), cwd=tmp_path)
    assert bad.returncode == 2 and "cannot read the lock" in bad.stderr and "Traceback" not in bad.stderr
