"""A scan's text report ends with one summary line, and a run where nothing resolves says so once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLEARANCE = str(Path(sys.executable).parent / "clearance")


def run(*args: str, cache: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "NO_COLOR": "1", "CLEARANCE_CACHE_DIR": str(cache),
           "HF_HUB_CACHE": str(cache / "hf")}
    return subprocess.run([CLEARANCE, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_the_report_ends_with_a_summary_line(tmp_path):
    res = run("scan", "examples/support-bot", "--snapshot", "data/hub-2025-sample.jsonl", "--offline", cache=tmp_path)
    assert res.returncode == 1
    last = res.stdout.strip().splitlines()[-1]
    assert last == "9 reference(s), 9 checked: 3 cleared, 4 conditional, 1 blocked, 1 unknown; policy: FAIL (3 of 9 fail)"


def test_nothing_resolved_offline_is_one_hint_not_nine_unknown_blocks(tmp_path):
    res = run("scan", "examples/support-bot", "--offline", cache=tmp_path)
    assert res.returncode == 1
    assert "UNKNOWN" not in res.stdout and res.stderr.count("could be resolved") == 1
    assert "pass --snapshot FILE" in res.stderr and "Traceback" not in res.stderr
    assert res.stdout.strip().splitlines()[-1].endswith("9 unknown; policy: FAIL (9 of 9 fail)")
