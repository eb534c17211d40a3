"""Lineage statistics of one snapshot: models with a parent inside the file, the relations of
their edges, and the descendants tree of one model.

    .venv/bin/python bench/lineage_stats.py [SNAPSHOT] [--root ID] [--no-tree]

Defaults: ../shared/data/hub-2025-sample.jsonl and meta-llama/Llama-2-7b-chat-hf.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from clearance.formats.graph_render import render
from clearance.graph.build import RecordIndex, build_all, build_descendants
from clearance.sources.snapshot import SnapshotSource

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "hub-2025-sample.jsonl"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("snapshot", nargs="?", default=str(DEFAULT))
    ap.add_argument("--root", default="meta-llama/Llama-2-7b-chat-hf")
    ap.add_argument("--no-tree", action="store_true")
    args = ap.parse_args(argv)

    source = SnapshotSource(args.snapshot)
    index = RecordIndex(source.records())
    graph = build_all(index)
    models = [a for a in graph.nodes.values() if a.kind == "model" and a.resolved]
    inside = {e.child for e in graph.edges
              if e.relation != "trained_on" and (p := graph.artifact(e.parent)) is not None and p.resolved}
    with_base = {e.child for e in graph.edges if e.relation != "trained_on"}
    relations = Counter(e.relation for e in graph.edges)
    inside_rel = Counter(e.relation for e in graph.edges
                         if e.relation != "trained_on" and (p := graph.artifact(e.parent)) is not None and p.resolved)
    how = Counter(_how(e.evidence) for e in graph.edges if e.relation != "trained_on")

    print(f"snapshot: {args.snapshot}")
    print(f"records: {len(index.records)} ({len(models)} models); bad lines skipped: {source.bad_lines}")
    print(f"models naming at least one base model: {len(with_base)} ({len(with_base) / max(1, len(models)):.1%})")
    print(f"models with at least one base model inside the file: {len(inside)} ({len(inside) / max(1, len(models)):.1%})")
    print(f"edges: {len(graph.edges)} ({sum(1 for e in graph.edges if e.relation != 'trained_on')} to base models, "
          f"{relations['trained_on']} to datasets)")
    print("relations, all edges:        " + ", ".join(f"{r} {n}" for r, n in relations.most_common()))
    print("relations, bases in the file: " + ", ".join(f"{r} {n}" for r, n in inside_rel.most_common()))
    print("how base relations were learnt: " + ", ".join(f"{h} {n}" for h, n in how.most_common()))
    cycles = graph.problems_of("cycle")
    print(f"cycles: {len(cycles)}; self-references: {len(graph.problems_of('self_reference'))}")
    if not args.no_tree:
        tree = build_descendants(args.root, index)
        print(f"\ndescendants of {args.root} in the file: {len(tree.nodes) - 1}, "
              f"{len(tree.edges)} edges, depth {_depth(tree)}")
        sys.stdout.write(render(tree, "tree"))
    return 0


def _how(evidence: str) -> str:
    """'finetune (hub tag)', 'quantized (inferred)'...: the head of an edge's evidence, grouped."""
    head = evidence.split(";")[0]
    relation = head.split(" ", 1)[0]
    if "inferred from" in head:
        return f"{relation} (inferred from {'quantization markers' if relation == 'quantized' else 'several bases'})"
    if "by default" in head:
        return f"{relation} (default: no relation stated)"
    if "base_model_relation" in head:
        return f"{relation} (card base_model_relation)"
    if " tag " in head:
        return f"{relation} (Hub tag)"
    return f"{relation} ({head.split(' ', 2)[-1][:40]})"


def _depth(graph) -> int:
    depth = {graph.root: 0}
    for e in graph.edges:  # breadth-first order: a child's parent is placed before it
        if e.parent in depth and e.child not in depth:
            depth[e.child] = depth[e.parent] + 1
    return max(depth.values())


if __name__ == "__main__":
    sys.exit(main())
