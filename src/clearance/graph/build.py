"""Walk lineage without recursion: ancestors through a Resolver, descendants (or everything)
within loaded records. Cycles, self-references, missing ancestors and depth limits are kept in
the graph and reported as Problems; a million-level chain is just a long loop.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from clearance.artifacts.ids import Ref, edge_parent_key, looks_like_path
from clearance.artifacts.model import Artifact, Edge
from clearance.graph.model import Graph, Problem
from clearance.graph.resolve import Resolver, target_ref
from clearance.sources.interface import Record
from clearance.util import TYPE_CHECKING
from clearance.util.perf import gc_paused

if TYPE_CHECKING:
    from clearance.graph.model import Direction

MAX_CYCLES_REPORTED = 100


class _Builder:
    """Nodes and edges by key while walking; ids are chosen once, at `freeze`."""

    def __init__(self) -> None:
        self.nodes: dict[str, Artifact] = {}
        self.edges: list[tuple[str, str, Edge]] = []
        self._edge_seen: set[tuple[str, str, str]] = set()
        self.problems: list[tuple[str, str, str]] = []
        self.may_loop = False  # set when an edge reaches a node already met: only then can there be a cycle

    def node(self, key: str, artifact: Artifact) -> None:
        self.nodes.setdefault(key, artifact)

    def edge(self, parent_key: str, child_key: str, edge: Edge) -> None:
        mark = (parent_key, child_key, edge.relation)
        if mark not in self._edge_seen:
            self._edge_seen.add(mark)
            self.edges.append((parent_key, child_key, edge))

    def problem(self, code: str, key: str, message: str) -> None:
        self.problems.append((code, key, message))

    def freeze(self, root_key: str | None, direction: Direction) -> Graph:
        nodes = self.nodes
        for pk, ck, e in self.edges:  # an edge's end no walk reached: a bare node
            if pk not in nodes:
                nodes[pk] = Artifact(e.parent, e.parent_kind, resolved=False)
            if ck not in nodes:
                nodes[ck] = Artifact(e.child, "model", resolved=False)
        ids = _display_ids(nodes)
        if self.may_loop:
            self._report_cycles(root_key, direction)
        nodes = {ids[k]: art for k, art in self.nodes.items()}
        edges = tuple(e if ids[pk] == e.parent and ids[ck] == e.child
                      else Edge(ids[pk], ids[ck], e.relation, e.evidence, e.parent_revision)
                      for pk, ck, e in self.edges)
        problems = tuple(Problem(code, ids.get(k, k), msg) for code, k, msg in self.problems)  # type: ignore[arg-type]
        return Graph(ids[root_key] if root_key else None, nodes, edges, problems, direction)

    def _report_cycles(self, root_key: str | None, direction: Direction) -> None:
        adj: dict[str, list[str]] = {}
        for pk, ck, _ in self.edges:
            if pk == ck:
                continue  # self-references are reported where they are met
            if direction == "descendants":
                adj.setdefault(pk, []).append(ck)
            else:
                adj.setdefault(ck, []).append(pk)
        starts = [root_key] if root_key else list(self.nodes)
        for cycle in find_cycles(adj, starts, MAX_CYCLES_REPORTED):
            names = [self.nodes[k].id if k in self.nodes else k for k in cycle]
            if len(names) > 12:
                names = [*names[:5], f"… {len(names) - 10} more …", *names[-5:]]
            self.problem("cycle", cycle[0], "lineage loops back on itself: " + " → ".join(names))


def _display_ids(nodes: dict[str, Artifact]) -> dict[str, str]:
    """Each key's id in the graph: the artifact's own spelling; a dataset sharing its id with a
    model in the same graph is written `datasets/<id>`, as in its Hub URL."""
    out = {k: art.id for k, art in nodes.items()}
    for k, art in nodes.items():
        if art.kind == "dataset" and k.startswith("dataset:") and "model:" + k[len("dataset:"):] in nodes:
            out[k] = f"datasets/{art.id}"
    return out


def find_cycles(adj: dict[str, list[str]], starts: Iterable[str], limit: int) -> list[list[str]]:
    """Cycles met by an iterative depth-first search (white/grey/black), each as the keys along
    it, first key repeated at the end; at most `limit`."""
    color: dict[str, int] = {}  # 1 on the current path, 2 done
    cycles: list[list[str]] = []
    for start in starts:
        if start in color:
            continue
        color[start] = 1
        path, pos = [start], {start: 0}
        stack = [iter(adj.get(start, ()))]
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                stack.pop()
                done = path.pop()
                del pos[done]
                color[done] = 2
                continue
            state = color.get(nxt)
            if state is None:
                color[nxt] = 1
                pos[nxt] = len(path)
                path.append(nxt)
                stack.append(iter(adj.get(nxt, ())))
            elif state == 1 and len(cycles) < limit:
                cycles.append(path[pos[nxt]:] + [nxt])
    return cycles


def _parent_ref(edge: Edge) -> Ref:
    is_path = looks_like_path(edge.parent)
    return Ref(edge.parent, edge.parent_kind, edge.parent_revision, is_path)


def build_lineage(target: str | Ref, resolver: Resolver, depth: int | None = None, *, progress: bool = False) -> Graph:
    """The target and every ancestor (bases and training datasets) the resolver can find,
    breadth first, up to `depth` levels (None: all)."""
    root = target_ref(target)
    b = _Builder()
    seen = {root.key}
    queue: deque[tuple[Ref, int]] = deque([(root, 0)])
    bar = _progress(progress)
    with gc_paused():
        try:
            _walk_up(b, queue, seen, resolver, depth, bar)
        finally:
            bar.close()
        return b.freeze(root.key, "ancestors")


def _walk_up(b: _Builder, queue: deque[tuple[Ref, int]], seen: set[str], resolver: Resolver,
             depth: int | None, bar) -> None:
    while queue:
        ref, level = queue.popleft()
        answer = resolver.resolve(ref)
        bar.update(1)
        for note in answer.notes:
            b.problem("lookup_failed", ref.key, note)
        record = answer.record
        if record is None:
            b.node(ref.key, Artifact(ref.id, ref.kind, resolved=False))
            b.problem("missing", ref.key, f"{ref.id}: no source knows this {ref.kind} (tried {resolver.tried(ref)})")
            continue
        _add(b, ref.key, record)
        if depth is not None and level >= depth:
            if record.edges:
                b.problem("depth_limit", ref.key, f"{ref.id}: {len(record.edges)} parent(s) beyond depth {depth} not followed")
            continue
        for edge in record.edges:
            pref = _parent_ref(edge)
            b.edge(pref.key, ref.key, edge)
            if pref.key == ref.key:
                b.problem("self_reference", ref.key, f"{ref.id} names itself as its own {edge.relation} parent ({edge.evidence})")
            elif pref.key not in seen:
                seen.add(pref.key)
                queue.append((pref, level + 1))
            else:
                b.may_loop = True


def _add(b: _Builder, key: str, record: Record) -> None:
    b.node(key, record.artifact)
    for warning in record.artifact.warnings:
        b.problem("warning", key, warning)


class _NoProgress:
    """Stands in for the bar when it is off, so a quiet run never imports tqdm (slow to import)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int = 1) -> None:
        return None

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None:
        return None

    def close(self) -> None:
        return None


def _progress(enabled: bool):
    if not enabled:
        return _NoProgress()
    from huggingface_hub.utils import tqdm

    return tqdm(desc="lineage", unit=" artifacts", leave=False)


class RecordIndex:
    """Records loaded from snapshots (the first one given wins for an id), with each parent's
    children: what descendants and whole-snapshot graphs are walked on."""

    def __init__(self, records: Iterable[Record]) -> None:
        self.records: dict[str, Record] = {}
        self.children: dict[str, list[tuple[str, Edge]]] = {}
        with gc_paused():
            self._add_all(records)

    def _add_all(self, records: Iterable[Record]) -> None:
        for record in records:
            art = record.artifact
            key = f"{art.kind}:{art.id.lower()}"
            if key in self.records:
                continue
            self.records[key] = record
            for edge in record.edges:
                self.children.setdefault(edge_parent_key(edge.parent, edge.parent_kind), []).append((key, edge))


def build_descendants(target: str | Ref, index: RecordIndex, depth: int | None = None) -> Graph:
    """The target and every artifact in `index` that descends from it, up to `depth` levels."""
    with gc_paused():
        return _descendants(target_ref(target), index, depth)


def _descendants(root: Ref, index: RecordIndex, depth: int | None) -> Graph:
    b = _Builder()
    record = index.records.get(root.key)
    b.node(root.key, record.artifact if record else Artifact(root.id, root.kind, resolved=False))
    if record is None and root.key not in index.children:
        b.problem("missing", root.key, f"{root.id}: not in the loaded snapshots, and nothing there descends from it")
    seen = {root.key}
    queue: deque[tuple[str, int]] = deque([(root.key, 0)])
    while queue:
        key, level = queue.popleft()
        kids = index.children.get(key, ())
        if depth is not None and level >= depth:
            if kids:
                b.problem("depth_limit", key, f"{len(kids)} child(ren) beyond depth {depth} not followed")
            continue
        for child_key, edge in kids:
            b.edge(key, child_key, edge)
            if child_key == key:
                b.problem("self_reference", key, f"{edge.child} names itself as its own {edge.relation} parent")
            elif child_key not in seen:
                seen.add(child_key)
                _add(b, child_key, index.records[child_key])
                queue.append((child_key, level + 1))
            else:
                b.may_loop = True
    return b.freeze(root.key, "descendants")


def build_all(index: RecordIndex) -> Graph:
    """Every loaded record and every parent they name (unresolved when not loaded)."""
    with gc_paused():
        return _all(index)


def _all(index: RecordIndex) -> Graph:
    b = _Builder()
    b.may_loop = True
    for key, record in index.records.items():
        b.node(key, record.artifact)
    for key, record in index.records.items():
        for edge in record.edges:
            pk = edge_parent_key(edge.parent, edge.parent_kind)
            b.edge(pk, key, edge)
            if pk == key:
                b.problem("self_reference", key, f"{edge.child} names itself as its own {edge.relation} parent")
            elif pk not in index.records and pk not in b.nodes:
                b.node(pk, Artifact(edge.parent, edge.parent_kind, resolved=False))
    return b.freeze(None, "all")
