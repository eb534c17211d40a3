"""Render a lineage graph: a plain-text tree for people, JSON (schema_version 1), Graphviz DOT
and Mermaid. Every renderer is iterative, so a million-level chain renders (the tree stops
indenting past MAX_INDENT levels and prints the depth instead)."""

from __future__ import annotations

import json
from collections import Counter

from clearance.artifacts.model import Artifact, Edge
from clearance.formats import names
from clearance.graph.model import Graph

FORMATS = names.GRAPH
MAX_INDENT = 32
MAX_PROBLEMS_SHOWN = 20


def render(graph: Graph, fmt: str = "tree") -> str:
    try:
        return _RENDERERS[fmt](graph)
    except KeyError:
        raise ValueError(f"unknown graph format {fmt!r}: use one of {', '.join(FORMATS)}") from None


def to_json(graph: Graph) -> str:
    return json.dumps(graph.to_json(), indent=2, ensure_ascii=False)


def _licenses(art: Artifact | None) -> str:
    if art is None or not art.resolved:
        return "not found"
    values = list(dict.fromkeys(s.value for s in art.licenses if s.kind != "license_file"))
    files = sum(1 for s in art.licenses if s.kind == "license_file")
    parts = values[:3] + (["…"] if len(values) > 3 else [])
    if files:
        parts.append(f"{files} license file{'s' if files > 1 else ''}")
    return "license: " + ", ".join(_short(p, 60) for p in parts) if parts else "no license"


def _short(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _meta(art: Artifact | None) -> str:
    bits = ["dataset"] if art is not None and art.kind == "dataset" else []
    bits.append(_licenses(art))
    return "  (" + "; ".join(bits) + ")"


def to_tree(graph: Graph) -> str:
    if graph.root is None:
        return _problems_footer(graph, [f"{len(graph.nodes)} artifacts, {len(graph.edges)} edges (no root to draw a tree from)"])
    up = graph.direction != "descendants"

    def next_edges(node: str) -> tuple[Edge, ...]:
        return graph.parents(node) if up else graph.children(node)

    root = graph.root
    lines = [f"{root}{_meta(graph.artifact(root))}"]
    expanded = {root}
    on_path = {root}
    # frames: [node, its edges, next index, prefix, depth]
    stack: list[list] = [[root, next_edges(root), 0, "", 1]]
    while stack:
        frame = stack[-1]
        node, edges, i, prefix, depth = frame
        if i >= len(edges):
            stack.pop()
            on_path.discard(node)
            continue
        frame[2] = i + 1
        edge = edges[i]
        last = i + 1 == len(edges)
        other = edge.parent if up else edge.child
        marker = f"[depth {depth}] " if depth > MAX_INDENT else ""
        note = ""
        further = next_edges(other)
        if other == node:
            note = "  ↺ itself"
        elif other in on_path:
            note = "  ↺ cycle"
        elif other in expanded and further:
            note = "  (shown above)"
        lines.append(f"{prefix}{'└── ' if last else '├── '}{marker}[{edge.relation}] {other}{_meta(graph.artifact(other))}{note}")
        if not note and further:
            expanded.add(other)
            on_path.add(other)
            child_prefix = prefix + ("    " if last else "│   ") if depth < MAX_INDENT else prefix
            stack.append([other, further, 0, child_prefix, depth + 1])
        else:
            expanded.add(other)
    return _problems_footer(graph, lines)


def _problems_footer(graph: Graph, lines: list[str]) -> str:
    if graph.problems:
        counts = Counter(p.code for p in graph.problems)
        lines.append("")
        lines.append("problems: " + ", ".join(f"{n} {code.replace('_', ' ')}" for code, n in sorted(counts.items())))
        shown = [p for p in graph.problems if p.code != "warning"][:MAX_PROBLEMS_SHOWN]
        shown += [p for p in graph.problems if p.code == "warning"][: max(0, MAX_PROBLEMS_SHOWN - len(shown))]
        for p in shown:
            lines.append(f"  {p.code}: {_short(p.message, 300)}")
        if len(graph.problems) > len(shown):
            lines.append(f"  … {len(graph.problems) - len(shown)} more (see --format json)")
    return "\n".join(lines) + "\n"


def _dot_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(graph: Graph) -> str:
    out = ["digraph lineage {", "  rankdir=TB;", '  node [shape=box, fontname="Helvetica"];']
    for node_id, art in graph.nodes.items():
        attrs = [f"label={_dot_str(node_id + chr(10) + _licenses(art))}"]
        if art.kind == "dataset":
            attrs.append("shape=cylinder")
        if not art.resolved:
            attrs.append("style=dashed")
        if node_id == graph.root:
            attrs.append("penwidth=2")
        out.append(f"  {_dot_str(node_id)} [{', '.join(attrs)}];")
    for e in graph.edges:
        out.append(f"  {_dot_str(e.parent)} -> {_dot_str(e.child)} [label={_dot_str(e.relation)}];")
    out.append("}")
    return "\n".join(out) + "\n"


def _mermaid_str(text: str) -> str:
    for a, b in (("&", "#amp;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("\n", " ")):
        text = text.replace(a, b)
    return text


def to_mermaid(graph: Graph) -> str:
    ids = {node_id: f"n{i}" for i, node_id in enumerate(graph.nodes)}
    out = ["flowchart TD"]
    missing = []
    for node_id, art in graph.nodes.items():
        label = _mermaid_str(node_id) + "<br/>" + _mermaid_str(_licenses(art))
        shape = ('[("', '")]') if art.kind == "dataset" else ('["', '"]')
        out.append(f"  {ids[node_id]}{shape[0]}{label}{shape[1]}")
        if not art.resolved:
            missing.append(ids[node_id])
    for e in graph.edges:
        out.append(f"  {ids[e.parent]} -->|{e.relation}| {ids[e.child]}")
    if missing:
        out.append("  classDef missing stroke-dasharray: 5 5")
        out.append(f"  class {','.join(missing)} missing")
    return "\n".join(out) + "\n"


_RENDERERS = {"tree": to_tree, "json": to_json, "dot": to_dot, "mermaid": to_mermaid}
