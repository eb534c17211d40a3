"""Hub-scale analytics over snapshots, in SQL on DuckDB."""
