"""Hub-scale analytics over snapshots (`clearance hub`): SQL written once in DuckDB's dialect, run on
DuckDB (the embedded default) or on Apache Spark through SQLGlot (`engines`); the license rule
applied in Python once per distinct combination (`judge`)."""
