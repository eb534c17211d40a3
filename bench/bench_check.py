"""`clearance check`: cold-process latency against `python -c pass`, and checks per second.

1. Cold start. Alternating runs, in the same loop, of
   - the baseline: a fresh `python -c pass` (same interpreter, same virtualenv), and
   - a fresh `clearance check <folder> --offline` on a local model folder: a real card from
     ../shared/data/model-cards-2025 (a LoRA of Llama 2) copied to a temporary folder,
     its base resolved through the bundled snapshot (`--snapshot data/hub-2025-sample.jsonl`)
     in a second variant.
   - the same check with the card edited before each run, so its front matter is parsed
     again (YAML imported) instead of read from the parsed-card cache;
   - the same check through the Typer command (`python -m clearance.cli check ...`), for
     comparison: the console script runs a plain `check` without Typer (cli/fast.py).
   Medians of `--runs` runs after two warm-up runs (which also build the compiled KB cache,
   as the first run on any machine does); ratio = check / baseline. Wall time is the figure;
   the processes' CPU time (user + system, from wait4) is printed beside it, steadier when
   other work shares the machine. The checkout's bytecode is compiled first, as pip does when
   it installs a wheel (with PYTHONDONTWRITEBYTECODE set, an editable checkout would
   otherwise recompile every module in every process).
2. Throughput. In one process, `check()` on every model of hub-2025-sample.jsonl (commercial
   use, offline, the snapshot as the only source besides the local folder), best of three
   runs: checks per second and the verdict counts.

    .venv/bin/python bench/bench_check.py [--runs 15]
"""

from __future__ import annotations

import argparse
import collections
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import best_of  # bench/timing.py: the benches' one timer

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
SAMPLE = ROOT / "data" / "hub-2025-sample.jsonl"
CARD = SHARED / "model-cards-2025" / "kiyeon1221" / "lora-llama-2-7b-food-order-understanding" / "README.md"
CLI = Path(sys.executable).with_name("clearance")


def _run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def cold_start(runs: int) -> dict[str, tuple[float, float]]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    folder = Path(tempfile.mkdtemp(prefix="clearance-bench-"))
    try:
        model = folder / "lora-llama-2-7b-food-order-understanding"
        model.mkdir()
        shutil.copy(CARD, model / "README.md")
        edited = folder / "edited" / model.name
        edited.mkdir(parents=True)
        card = CARD.read_text(encoding="utf-8")
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "clearance check FOLDER --offline": [str(CLI), "check", str(model), "--offline"],
            "the same, card edited before each run (front matter parsed again)": [
                str(CLI), "check", str(edited), "--offline"],
            "clearance check FOLDER --offline --snapshot SAMPLE": [
                str(CLI), "check", str(model), "--offline", "--snapshot", str(SAMPLE)],
            "the same through Typer: python -m clearance.cli check FOLDER --offline": [
                sys.executable, "-m", "clearance.cli", "check", str(model), "--offline"],
        }
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for i in range(runs + 2):
            # a new comment in the front matter: the parsed-card cache cannot answer
            (edited / "README.md").write_text(card.replace("---\n", f"---\n# run {i}\n", 1), encoding="utf-8")
            for name, cmd in commands.items():
                t = _run(cmd, env)
                if i >= 2:
                    times[name].append(t)
        return {name: (statistics.median(w for w, _ in ts), statistics.median(c for _, c in ts)) for name, ts in times.items()}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def throughput(repeat: int = 3) -> tuple[int, float, collections.Counter]:
    """The best of `repeat` runs: one check() of every model of the sample."""
    from clearance.usecases.check import check

    ids = [json.loads(line)["id"] for line in SAMPLE.open(encoding="utf-8") if line.strip()]
    ids = [i for i in dict.fromkeys(ids)]
    check(ids[:1], ["commercial"], snapshots=[SAMPLE], offline=True)  # warm: KB, normalizer, catalogue
    best, run = best_of(lambda: check(ids, ["commercial"], snapshots=[SAMPLE], offline=True), repeat, collect=False)
    return len(ids), best, collections.Counter(o.result.verdict for o in run.outcomes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    compileall.compile_dir(str(ROOT / "src" / "clearance"), quiet=1)
    medians = cold_start(args.runs)
    base_wall, base_cpu = medians["python -c pass"]
    print(f"cold start, median of {args.runs} runs each (alternating): wall time, ratio; CPU time, ratio")
    for name, (wall, cpu) in medians.items():
        print(f"  {name:<72} {wall * 1000:7.1f} ms  x{wall / base_wall:5.2f}   cpu {cpu * 1000:6.1f} ms  x{cpu / base_cpu:5.2f}")
    n, elapsed, verdicts = throughput()
    print(f"throughput: {n} models of {SAMPLE.name}, commercial use, best of 3: {elapsed:.2f} s, {n / elapsed:,.0f} checks/s")
    print("  verdicts: " + ", ".join(f"{k} {v}" for k, v in sorted(verdicts.items())))


if __name__ == "__main__":
    main()
