"""Artifacts: the values every layer shares — Hub ids and references (`ids`), artifacts and
typed lineage edges (`model`), how relations are inferred from names and tags (`relations`),
and raw license signals (`signals`). The lowest package but `util`: it imports nothing else of
Clearance, so sources, the graph, the knowledge base and the engine can all build on it."""
