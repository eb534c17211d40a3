"""The one call the CLI (and the server) makes for a lineage graph.

    graph = graph_for("meta-llama/Llama-2-7b-chat-hf", snapshots=["hub.jsonl"], offline=True)
    print(clearance.formats.graph_render.render(graph, "tree"))

User-facing errors are `clearance.sources.interface.SourceError`s; print their message as is.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from clearance.graph.build import RecordIndex, build_descendants, build_lineage
from clearance.graph.model import Graph, Problem
from clearance.graph.resolve import Resolver
from clearance.sources.folder import LocalSource
from clearance.sources.hfcache import HFCacheSource
from clearance.sources.hub import HubSource, is_offline
from clearance.sources.interface import Source, SourceError

__all__ = ["default_sources", "graph_for"]


def default_sources(snapshots: Sequence[str | Path] = (), offline: bool | None = None, *,
                    hf_cache: bool = True, hub_cache_dir: str | Path | None = None) -> list[Source]:
    """The resolution order: a local path, each snapshot, the HF cache, the Hub API. Offline
    (HF_HUB_OFFLINE or `offline=True`) the Hub answers from Clearance's own disk cache only."""
    offline = is_offline() if offline is None else offline
    sources: list[Source] = [LocalSource()]
    if snapshots:
        from clearance.sources.snapshot import SnapshotSource  # a check without snapshots never reads one
    for path in snapshots:
        if not Path(path).is_file():
            raise SourceError(f"{path}: no such snapshot file")
        sources.append(SnapshotSource(path))
    if hf_cache:
        sources.append(HFCacheSource())
    sources.append(HubSource(offline=offline, cache_dir=hub_cache_dir))
    return sources


def graph_for(target: str, snapshots: Sequence[str | Path] = (), offline: bool | None = None,
              depth: int | None = None, *, descendants: bool = False, progress: bool | None = None,
              sources: Sequence[Source] | None = None) -> Graph:
    """The lineage graph of `target` (a Hub id or URL, `datasets/<id>`, or a local folder/file).

    Ancestors by default, through `sources` (default: `default_sources(snapshots, offline)`);
    with `descendants=True`, the artifacts in `snapshots` that descend from it. `depth` bounds
    the levels walked (None: all). Raises SourceError with a message for the user."""
    if depth is not None and depth < 0:
        raise SourceError(f"--depth must be 0 or more, not {depth}")
    if descendants:
        if not snapshots:
            raise SourceError("descendants are found within snapshots: give at least one --snapshot")
        from clearance.sources.snapshot import SnapshotSource

        snaps = [SnapshotSource(p) for p in snapshots]
        index = RecordIndex(r for s in snaps for r in s.records())
        return _with_snapshot_warnings(build_descendants(target, index, depth), snaps)
    if progress is None:
        progress = sys.stderr.isatty()
    chain = list(sources) if sources is not None else default_sources(snapshots, offline)
    graph = build_lineage(target, Resolver(chain), depth, progress=progress)
    return _with_snapshot_warnings(graph, chain)


def _with_snapshot_warnings(graph: Graph, sources: Sequence[Source]) -> Graph:
    """Bad snapshot lines skipped on the way become problems (file: count, first file:line)."""
    extra = [Problem("warning", str(s.path), f"{s.bad_lines} bad line(s) skipped; first: {s.warnings[0]}")
             for s in sources if getattr(s, "bad_lines", 0)]  # snapshots that skipped bad lines
    return replace(graph, problems=graph.problems + tuple(extra)) if extra else graph
