"""`clearance graph`: a model's lineage as a tree, JSON, DOT or Mermaid."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from clearance.cli import run
from clearance.cli.common import GraphFormat, fail, offline_option, snapshots_option


def graph_cmd(
    target: str = typer.Argument(..., help="A Hub id or URL (org/name[@revision]), datasets/<id>, or a local model folder or GGUF file."),
    snapshots: list[Path] = snapshots_option(),
    offline: bool = offline_option(),
    depth: int = typer.Option(None, "--depth", help="Follow the lineage at most this many levels."),
    descendants: bool = typer.Option(False, "--descendants", help="Show what descends from TARGET within the snapshots instead."),
    fmt: GraphFormat = typer.Option(GraphFormat.tree, "--format", "-f"),
) -> None:
    """The lineage of a model: its ancestors (or descendants) with relations and licenses."""
    from clearance.formats.graph_render import render
    from clearance.usecases.lineage import graph_for

    graph = graph_for(target, snapshots=snapshots, offline=offline or None, depth=depth, descendants=descendants)
    run.warn_snapshots(snapshots)
    root = graph.artifact(graph.root) if graph.root else None
    if root is None or not root.resolved:
        fail(run.not_found(graph.root or target, graph))
    sys.stdout.write(render(graph, fmt.value).rstrip("\n") + "\n")
