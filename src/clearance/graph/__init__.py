"""The lineage graph: artifacts (models, datasets) and typed edges between them.

Entry points: `clearance.graph.api.graph_for()` and `render()`; the values live in
`clearance.graph.model`.
"""

from clearance.graph.model import RELATIONS, Artifact, Edge, Graph, Problem

__all__ = ["RELATIONS", "Artifact", "Edge", "Graph", "Problem"]
