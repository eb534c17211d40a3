"""`clearance.hubpull.pull` against the fake listing Hub (tests/hubpull/fakehub.py) on loopback:
throughput (models/s) and the pulling process's peak memory at 20,000 and 200,000 models.

The fake Hub runs in this process, its answers made and serialised before the clock starts (so
the figure is the pull's, not the generator's); each pull runs in a fresh subprocess, which
reports its own peak RSS (the kernel's VmHWM). A baseline subprocess imports what the pull
imports and does nothing else: the fixed part of the memory. The models are SYNTHETIC.

    flock /tmp/clearance-bench.lock .venv/bin/python bench/bench_pull.py [--sizes 20000,200000] [--page 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.hubpull.fakehub import FakeHub  # noqa: E402

PULL = """
import json, sys, time
from pathlib import Path
from clearance.hubpull import pull
t = time.perf_counter()
r = pull(Path(sys.argv[1]), endpoint=sys.argv[2], page_size=int(sys.argv[3]))
seconds = time.perf_counter() - t
hwm = [int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmHWM:")][0]
print(json.dumps({"seconds": seconds, "rows": r.rows, "pages": r.pages, "retries": r.retries, "hwm": hwm}))
"""
BASELINE = """
import json
import clearance.hubpull, pyarrow.parquet, httpx, sqlite3, huggingface_hub.utils
print(json.dumps({"hwm": [int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmHWM:")][0]}))
"""


def run(code: str, *args: str) -> tuple[dict, float, int]:
    """(its JSON line, wall seconds, peak RSS in bytes) of a fresh Python process. The peak is
    the process's own VmHWM, read by it at the end: wait4's ru_maxrss would also count the
    pages of this (big) process that the child shared between fork and exec."""
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, env=env, cwd=ROOT)
    out = proc.stdout.read()
    _, status, _ = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"pull failed (exit {proc.returncode})")
    line = out.decode().strip().splitlines()
    report = json.loads(line[-1])
    return report, wall, report["hwm"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="20000,200000")
    ap.add_argument("--page", type=int, default=1000, help="models per page (the Hub's listing pages hold 1,000)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    _, _, base_rss = run(BASELINE)
    print(f"baseline (imports only): peak RSS {base_rss / 2**20:.1f} MiB")
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-pull-") as tmp:
        for n in sizes:
            with FakeHub(n, page_size=args.page, max_page=args.page) as hub:
                lst = hub.listings["models"]
                for i in range(n):  # every answer made before the clock starts
                    lst.full_json(i)
                out = Path(tmp) / f"pull-{n}.parquet"
                report, wall, rss = run(PULL, str(out), hub.url, str(args.page))
                size = out.stat().st_size
                out.unlink()
            rate = report["rows"] / report["seconds"]
            results.append((n, report, wall, rss))
            print(f"{n:>9,} models (SYNTHETIC): {report['pages']:,} pages, pull {report['seconds']:.2f} s "
                  f"({wall:.2f} s with start-up), {rate:,.0f} models/s, peak RSS {rss / 2**20:.1f} MiB, "
                  f"file {size / 2**20:.1f} MiB", flush=True)
    if len(results) > 1:
        (n0, _, _, r0), (n1, _, _, r1) = results[0], results[-1]
        print(f"peak RSS at {n1:,} / at {n0:,} models: x{r1 / r0:.2f} "
              f"(above the baseline: {(r1 - base_rss) / 2**20:.1f} / {(r0 - base_rss) / 2**20:.1f} MiB, "
              f"x{(r1 - base_rss) / max(r0 - base_rss, 1):.2f}) for x{n1 / n0:.0f} the models")


if __name__ == "__main__":
    main()
