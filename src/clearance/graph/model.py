"""The lineage graph: the artifacts and edges walked (clearance.artifacts), the problems met, and the graph itself.

All frozen. An `Artifact` carries raw license signals only: turning them into license ids is
the normalizer's job (kb/), never the graph's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from clearance.artifacts.model import RELATIONS, Artifact, Edge  # noqa: F401 - the graph's parts, re-exported
from clearance.util import TYPE_CHECKING
from clearance.util.envelope import envelope
from clearance.util.lean import value

if TYPE_CHECKING:
    from typing import Any, Literal

    Direction = Literal["ancestors", "descendants", "all"]
    ProblemCode = Literal["missing", "cycle", "self_reference", "depth_limit", "invalid_reference", "lookup_failed",
                          "warning"]


SCHEMA_VERSION = 1


@value(slots=False)  # made a few times per run
class Problem:
    """Something the walk met and reports instead of crashing on: a missing ancestor, a cycle..."""

    code: ProblemCode
    artifact: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "artifact": self.artifact, "message": self.message}


@dataclass(frozen=True, eq=False)
class Graph:
    """Artifacts (nodes, by id, root first) and typed edges between them.

    `direction` says what was walked from `root`: its ancestors, its descendants, or (root None)
    everything a set of snapshots holds.
    """

    root: str | None
    nodes: Mapping[str, Artifact]
    edges: tuple[Edge, ...]
    problems: tuple[Problem, ...] = ()
    direction: Direction = "ancestors"
    _index: dict[str, Any] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        nodes = self.nodes if type(self.nodes) is dict else dict(self.nodes)  # the builder hands its own dict over
        object.__setattr__(self, "nodes", MappingProxyType(nodes))
        object.__setattr__(self, "_index", {})  # parents, children, lower-cased ids: built on first use

    def _built(self, name: str) -> dict[str, Any]:
        index = self._index.get(name)
        if index is None:
            index = {}
            if name == "lower":
                for node_id in self.nodes:
                    index.setdefault(node_id.lower(), node_id)
            else:
                up = name == "parents"
                for edge in self.edges:
                    index.setdefault(edge.child if up else edge.parent, []).append(edge)
            self._index[name] = index
        return index

    def artifact(self, artifact_id: str) -> Artifact | None:
        """The node with this id; ids match case-insensitively, as on the Hub."""
        found = self.nodes.get(artifact_id)
        if found is None:
            real = self._built("lower").get(artifact_id.lower())
            found = self.nodes.get(real) if real else None
        return found

    def parents(self, artifact_id: str) -> tuple[Edge, ...]:
        return tuple(self._built("parents").get(self._id(artifact_id), ()))

    def children(self, artifact_id: str) -> tuple[Edge, ...]:
        return tuple(self._built("children").get(self._id(artifact_id), ()))

    def _id(self, artifact_id: str) -> str:
        if artifact_id in self.nodes:
            return artifact_id
        return self._built("lower").get(artifact_id.lower(), artifact_id)

    def problems_of(self, code: str) -> list[Problem]:
        return [p for p in self.problems if p.code == code]

    def to_json(self) -> dict[str, Any]:
        """The graph's JSON, schema_version 1 (changes only with a version bump):

            {"schema_version": 1,
             "root": ID | null,                      # null for a whole-snapshot graph
             "direction": "ancestors" | "descendants" | "all",
             "nodes": [{"id", "kind": "model" | "dataset",
                        "licenses": [raw signal values, first seen first],
                        "resolved": bool,            # false: named, but no source knew it
                        "source": str | null}],      # e.g. "snapshot:hub.jsonl:12", "hf-cache", "hub:<endpoint>", "local"
             "edges": [{"parent", "child", "relation", "evidence"}],   # relation: finetune | adapter |
                                                                       # merge | quantized | distilled | trained_on
             "problems": [{"code", "artifact", "message"}]}  # missing | cycle | self_reference |
                                                             # depth_limit | lookup_failed | warning
        Nodes come root first, then in walk order. A dataset whose id is also a model's in the same
        graph is written `datasets/<id>`."""
        return envelope(
            SCHEMA_VERSION,
            root=self.root,
            direction=self.direction,
            nodes=[
                {
                    "id": node_id,
                    "kind": art.kind,
                    "licenses": _unique(s.value for s in art.licenses),
                    "resolved": art.resolved,
                    "source": art.source or None,
                }
                for node_id, art in self.nodes.items()
            ],
            edges=[e.to_json() for e in self.edges],
            problems=[p.to_json() for p in self.problems],
        )


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
