"""`clearance check`: cold-process latency against `python -c pass`, and checks per second.

1. Cold start. Alternating runs, in the same loop, of
   - the baseline: a fresh `python -c pass` (same interpreter, same virtualenv), and
   - a fresh `clearance check <folder> --offline` on a local model folder: a real card from
     ../shared/data/model-cards-2025 (a LoRA of Llama 2) copied to a temporary folder,
     its base resolved through the bundled snapshot (`--snapshot data/hub-2025-sample.jsonl`)
     in a second variant.
   Medians of `--runs` runs after two warm-up runs (which also build the compiled KB cache,
   as the first run on any machine does); ratio = check / baseline.
2. Throughput. In one process, `check()` on every model of hub-2025-sample.jsonl (commercial
   use, offline, the snapshot as the only source besides the local folder): checks per second
   and the verdict counts.

    .venv/bin/python bench/bench_check.py [--runs 15]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
SAMPLE = ROOT / "data" / "hub-2025-sample.jsonl"
CARD = SHARED / "model-cards-2025" / "kiyeon1221" / "lora-llama-2-7b-food-order-understanding" / "README.md"
CLI = Path(sys.executable).with_name("clearance")


def _run(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def cold_start(runs: int) -> dict[str, float]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    folder = Path(tempfile.mkdtemp(prefix="clearance-bench-"))
    try:
        model = folder / "lora-llama-2-7b-food-order-understanding"
        model.mkdir()
        shutil.copy(CARD, model / "README.md")
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "clearance check FOLDER --offline": [str(CLI), "check", str(model), "--offline"],
            "clearance check FOLDER --offline --snapshot SAMPLE": [
                str(CLI), "check", str(model), "--offline", "--snapshot", str(SAMPLE)],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for i in range(runs + 2):
            for name, cmd in commands.items():
                t = _run(cmd, env)
                if i >= 2:
                    times[name].append(t)
        return {name: statistics.median(ts) for name, ts in times.items()}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def throughput() -> tuple[int, float, collections.Counter]:
    from clearance.check import check

    ids = [json.loads(line)["id"] for line in SAMPLE.open(encoding="utf-8") if line.strip()]
    ids = [i for i in dict.fromkeys(ids)]
    check(ids[:1], ["commercial"], snapshots=[SAMPLE], offline=True)  # warm: KB, normalizer, catalogue
    start = time.perf_counter()
    run = check(ids, ["commercial"], snapshots=[SAMPLE], offline=True)
    elapsed = time.perf_counter() - start
    return len(ids), elapsed, collections.Counter(o.result.verdict for o in run.outcomes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    medians = cold_start(args.runs)
    base = medians["python -c pass"]
    print(f"cold start, median of {args.runs} runs each (alternating):")
    for name, t in medians.items():
        print(f"  {name:<52} {t * 1000:7.1f} ms   x{t / base:5.1f}")
    n, elapsed, verdicts = throughput()
    print(f"throughput: {n} models of {SAMPLE.name}, commercial use: {elapsed:.2f} s, {n / elapsed:,.0f} checks/s")
    print("  verdicts: " + ", ".join(f"{k} {v}" for k, v in sorted(verdicts.items())))


if __name__ == "__main__":
    main()
