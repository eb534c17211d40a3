"""The lineage graph: artifacts (models, datasets) and typed edges between them.

Built by `clearance.usecases.lineage.graph_for()`; the values live in
`clearance.graph.model`.
"""

from clearance.artifacts.model import RELATIONS, Artifact, Edge
from clearance.graph.model import Graph, Problem

__all__ = ["RELATIONS", "Artifact", "Edge", "Graph", "Problem"]
