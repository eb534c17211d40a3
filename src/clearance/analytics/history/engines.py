"""The engines `hub history` runs on: those of every Hub analytic (`clearance.analytics.engines`)."""

from clearance.analytics.engines import DEFAULT_MASTER, DuckDBEngine, Engine, EngineError, SparkEngine, to_spark

__all__ = ["DEFAULT_MASTER", "DuckDBEngine", "Engine", "EngineError", "SparkEngine", "to_spark"]
