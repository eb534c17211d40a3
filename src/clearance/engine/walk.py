"""Walk a model's ancestors iteratively: no recursion, so a million-level chain is fine, and
a cycle is reported where it closes instead of being followed forever."""

from __future__ import annotations

from collections import deque
from dataclasses import field

from clearance.artifacts.model import Edge
from clearance.engine.values import WEIGHT_RELATIONS
from clearance.util import TYPE_CHECKING
from clearance.util.lean import record

if TYPE_CHECKING:
    from clearance.engine.values import Lineage


@record
class Walk:
    """The ancestors the engine reached from a subject, with the path to each."""

    subject: str
    # Each reached ancestor -> the link by which it was first reached (breadth first, so
    # following these back gives a shortest path to the subject).
    reached_by: dict[str, Edge] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # ancestors in breadth-first order
    cycles: list[Edge] = field(default_factory=list)  # links that close a loop
    via_data: set[str] = field(default_factory=set)  # reached through a trained_on link
    depth_limited: bool = False

    def path(self, artifact_id: str) -> tuple[str, ...]:
        """Ids from the subject to `artifact_id`."""
        out = [artifact_id]
        seen = {artifact_id}
        while out[-1] in self.reached_by:
            child = self.reached_by[out[-1]].child
            if child in seen:  # defensive: reached_by never loops, but a bug must not hang us
                break
            seen.add(child)
            out.append(child)
        return tuple(reversed(out))

    def is_descendant_or_self(self, candidate: str, of: str) -> bool:
        """True when `candidate` lies on the path from the subject to `of`."""
        return candidate in self.path(of)


def walk(lineage: Lineage, subject: str, max_depth: int | None = None) -> Walk:
    result = Walk(subject)
    depth = {subject: 0}
    queue = deque([subject])
    while queue:
        child = queue.popleft()
        if max_depth is not None and depth[child] >= max_depth:
            if lineage.parents(child):
                result.depth_limited = True
            continue
        for link in lineage.parents(child):
            parent = link.parent
            if parent == subject or parent in depth:
                if result.is_descendant_or_self(parent, child):
                    result.cycles.append(link)
                continue
            depth[parent] = depth[child] + 1
            result.reached_by[parent] = link
            result.order.append(parent)
            if link.relation not in WEIGHT_RELATIONS or child in result.via_data:
                result.via_data.add(parent)
            queue.append(parent)
    return result
