"""Whole-Hub snapshots that answer fast: `clearance check ID --snapshot BIG` after the first run,
against the same command with the 1,532-model sample, in the same run (issue 14, item 4).

A SYNTHETIC snapshot of `--models` models is generated (bench/synth_snapshot.py) in JSON Lines
and in Parquet, unless `--big` gives files. For each format:
  - the first run (it builds the index: sources/snapshotindex.py) and the same command with the
    index turned off (CLEARANCE_SNAPSHOT_INDEX=off: the whole file read, as before the index);
  - then alternating runs of the big-snapshot check and the sample check: medians of `--runs`.
The subject is a derivative with ancestors in the big file, so the lookup walks a lineage.

    .venv/bin/python bench/bench_snapshot_lookup.py [--models 1000000] [--runs 9] [--big A.jsonl B.parquet]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "hub-2025-sample.jsonl"
SAMPLE_SUBJECT = "Vivian12300/llama-2-7b-chat-hf-mathqa-rationale-2"
CLEARANCE = [str(Path(sys.executable).parent / "clearance")]


def run(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(CLEARANCE + args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def derivative_in(path: Path) -> str:
    """A model of the file that names a base model: the lookup then walks a lineage."""
    with path.open(encoding="utf-8") as f:
        for i, line in enumerate(f):
            obj = json.loads(line)
            if any(t.startswith("base_model:") for t in obj.get("tags") or ()) and i > 1000:
                return obj["id"]
    raise SystemExit(f"{path}: no derivative found")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--big", nargs=2, type=Path, metavar=("JSONL", "PARQUET"))
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-snap-"))
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "CLEARANCE_CACHE_DIR": str(tmp / "cache")}
    if a.big:
        jsonl, parquet = a.big
    else:
        jsonl, parquet = tmp / "big.jsonl", tmp / "big.parquet"
        for out in (jsonl, parquet):
            subprocess.run([sys.executable, str(ROOT / "bench" / "synth_snapshot.py"), "--models", str(a.models),
                            "--out", str(out)], check=True, stdout=subprocess.DEVNULL)
    subject = derivative_in(jsonl)
    print(f"SYNTHETIC snapshots of {a.models:,} models; subject {subject}; sample subject {SAMPLE_SUBJECT}")
    small = ["check", SAMPLE_SUBJECT, "--snapshot", str(SAMPLE), "--offline"]
    run(small, env)  # compiled KB cache, as the first run on any machine builds it
    for path in (jsonl, parquet):
        big = ["check", subject, "--snapshot", str(path), "--offline"]
        whole = run(big, {**env, "CLEARANCE_SNAPSHOT_INDEX": "off"})
        first = run(big, env)
        big_times, small_times = [], []
        for _ in range(a.runs):
            big_times.append(run(big, env))
            small_times.append(run(small, env))
        b, s = statistics.median(big_times), statistics.median(small_times)
        print(f"{path.suffix[1:]:8} size {path.stat().st_size / 2**20:7.1f} MiB | read whole {whole:6.2f} s | "
              f"first run (builds the index) {first:6.2f} s | then {b * 1000:6.0f} ms vs sample {s * 1000:5.0f} ms "
              f"= x{b / s:.2f} (medians of {a.runs})")


if __name__ == "__main__":
    main()
