"""Benchmark: build the lineage graph of both shared snapshots together, against a baseline
that only JSON-parses the same files, in the same run.

    .venv/bin/python bench/bench_graph.py [--repeat 3] [--synthetic N] [SNAPSHOT ...]

Prints models per second and peak Python memory (tracemalloc) for both, and their ratios.
Timings come from runs without tracemalloc (it slows Python down); peaks from one traced run
each. `--synthetic N` adds a generated snapshot of N models (relation mix 45% finetune,
39% quantized, 15% merge, 1% adapter, as the shared README gives for LLM edges); every figure
from such a run is labelled SYNTHETIC.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import sys
import tempfile
import tracemalloc
from pathlib import Path

from timing import best_of  # bench/timing.py: the benches' one timer

from clearance.graph.build import RecordIndex, build_all
from clearance.sources.snapshot import SnapshotSource

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DEFAULT = [SHARED / "hub-2025-sample.jsonl", SHARED / "hub-2022-02.jsonl"]


def baseline(paths: list[Path]) -> int:
    """What any in-memory reader must do at least: parse every line's JSON and keep it."""
    kept = []
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    kept.append(json.loads(line))
    return len(kept)


def graph(paths: list[Path]) -> int:
    sources = [SnapshotSource(p) for p in paths]
    g = build_all(RecordIndex(r for s in sources for r in s.records()))
    return sum(1 for a in g.nodes.values() if a.resolved)


def timed(fn, paths: list[Path], repeat: int) -> tuple[float, int]:
    return best_of(lambda: fn(paths), repeat)


def peak(fn, paths: list[Path]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        fn(paths)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def synthetic(n: int, path: Path, seed: int = 7) -> Path:
    """n models in families: 5% roots, every other model names one earlier model (two for a merge)."""
    rng = random.Random(seed)
    relations = ["finetune"] * 45 + ["quantized"] * 39 + ["merge"] * 15 + ["adapter"]
    licenses = ["apache-2.0", "mit", "llama2", "gemma", "cc-by-nc-4.0", "other", None, None, None]
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            tags, card = [], {}
            if i and rng.random() > 0.05:
                rel = rng.choice(relations)
                parents = {f"synth/m{rng.randrange(i)}" for _ in range(2 if rel == "merge" else 1)}
                card["base_model"] = sorted(parents)
                tags += [f"base_model:{rel}:{p}" for p in sorted(parents)]
            lic = rng.choice(licenses)
            if lic:
                tags.append(f"license:{lic}")
                card["license"] = lic
            fh.write(json.dumps({"type": "model", "id": f"synth/m{i}", "downloads": rng.randrange(10_000),
                                 "tags": tags, "cardData": card}) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("snapshots", nargs="*", type=Path, default=DEFAULT)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--synthetic", type=int, default=0, metavar="N")
    args = ap.parse_args(argv)
    paths = list(args.snapshots)
    label = ""
    with tempfile.TemporaryDirectory() as tmp:
        if args.synthetic:
            paths.append(synthetic(args.synthetic, Path(tmp) / "synthetic.jsonl"))
            label = f" [SYNTHETIC: includes {args.synthetic:,} generated models]"
        missing = [p for p in paths if not p.is_file()]
        if missing:
            print(f"error: no such snapshot: {', '.join(map(str, missing))}", file=sys.stderr)
            return 2
        t_base, n_base = timed(baseline, paths, args.repeat)
        t_graph, n_graph = timed(graph, paths, args.repeat)
        m_base, m_graph = peak(baseline, paths), peak(graph, paths)
    print(f"snapshots: {', '.join(p.name for p in paths)}{label}")
    print(f"records: {n_base:,} lines; {n_graph:,} artifacts in the graph (ids in several files count once)")
    print(f"baseline (json.loads, kept):     {t_base:.3f} s, {n_base / t_base:,.0f} models/s, peak {m_base / 2**20:.1f} MiB")
    print(f"graph (parse + index + build): {t_graph:.3f} s, {n_graph / t_graph:,.0f} models/s, peak {m_graph / 2**20:.1f} MiB")
    print(f"ratio graph/baseline: time x{t_graph / t_base:.2f}, peak memory x{m_graph / max(m_base, 1):.2f}")
    print(f"process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
