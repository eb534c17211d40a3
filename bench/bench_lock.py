"""The cost of `clearance scan PATH --locked` against a plain `clearance scan PATH`, in the same
run: alternating cold processes on a copy of examples/support-bot locked against the bundled
sample, medians of `--runs`.

    .venv/bin/python bench/bench_lock.py [--runs 11]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLEARANCE = str(Path(sys.executable).parent / "clearance")
SNAP = str(ROOT / "data" / "hub-2025-sample.jsonl")


def timed(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([CLEARANCE, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=11)
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-lock-"))
    app = tmp / "support-bot"
    shutil.copytree(ROOT / "examples" / "support-bot", app)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "CLEARANCE_CACHE_DIR": str(tmp / "cache")}
    subprocess.run([CLEARANCE, "lock", str(app), "--snapshot", SNAP, "--offline"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    plain = ["scan", str(app), "--snapshot", SNAP, "--offline"]
    locked = plain + ["--locked"]
    for args in (plain, locked):  # warm-up: compiled KB cache, parsed cards
        timed(args, env)
    p, q = [], []
    for _ in range(a.runs):
        p.append(timed(plain, env))
        q.append(timed(locked, env))
    mp, mq = statistics.median(p), statistics.median(q)
    size = (app / "clearance.lock").stat().st_size
    print(f"scan {mp * 1000:.0f} ms, scan --locked {mq * 1000:.0f} ms: x{mq / mp:.2f} (medians of {a.runs}); "
          f"lock {size:,} bytes, {sum(1 for line in (app / 'clearance.lock').read_text().splitlines() if line == '[[artifact]]')} artifacts")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
