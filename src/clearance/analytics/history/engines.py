"""The two engines `hub history` runs on, behind one small interface.

An engine creates a table from a query, answers a query with rows, and reads Parquet files.
Both run the same SQL text (`queries.py`, DuckDB's dialect): DuckDB as written, Spark after
SQLGlot transpiles it. DuckDB is the embedded default; Spark (`pip install clearance[spark]`,
which needs Java 17 or later) is for histories that outgrow one machine.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import duckdb

from clearance.util.errors import ClearanceError

# Spark in local mode on this machine's cores unless told otherwise (`--master`, or a session
# the caller already started, which is then reused).
DEFAULT_MASTER = "local[2]"


class EngineError(ClearanceError, RuntimeError):
    """An engine cannot start (Spark not installed, no Java): the message says what to install."""


class Engine(Protocol):
    name: str

    def create(self, name: str, sql: str) -> None:
        """Materialize `sql` as the table `name` (replacing it)."""

    def rows(self, sql: str) -> list[dict[str, Any]]:
        """The rows of `sql`, as dicts, in the query's order."""

    def close(self) -> None: ...


class DuckDBEngine:
    name = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def create(self, name: str, sql: str) -> None:
        self.con.execute(f"create or replace temp table {name} as {sql}")

    def rows(self, sql: str) -> list[dict[str, Any]]:
        cur = self.con.execute(sql)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row)) for row in cur.fetchall()]

    def close(self) -> None:
        pass  # the connection belongs to the caller


@lru_cache(maxsize=None)
def to_spark(sql: str) -> str:
    """DuckDB SQL as Spark SQL: the one translation between the engines, by SQLGlot."""
    import sqlglot

    (out,) = sqlglot.transpile(sql, read="duckdb", write="spark", unsupported_level=sqlglot.ErrorLevel.RAISE)
    return out


class SparkEngine:
    name = "spark"

    def __init__(self, master: str | None = None) -> None:
        try:
            import sqlglot  # noqa: F401  (needed by every statement: fail now, not mid-run)
            from pyspark import StorageLevel
            from pyspark.sql import SparkSession
        except ImportError as exc:
            raise EngineError(f"the Spark engine needs pyspark and sqlglot ({exc.name} is missing): "
                              "pip install 'clearance[spark]' (and Java 17 or later)") from None
        active = SparkSession.getActiveSession()
        self._owned = active is None
        if active is not None and master is None:
            self.spark = active
        else:
            builder = (SparkSession.builder.appName("clearance-hub-history").master(master or DEFAULT_MASTER)
                       .config("spark.ui.enabled", "false")
                       # small shuffles: a history is millions of rows, not billions; the default 200
                       # partitions cost more in task overhead than they save
                       .config("spark.ui.showConsoleProgress", "false")
                       .config("spark.sql.shuffle.partitions", os.environ.get("CLEARANCE_SPARK_PARTITIONS", "4"))
                       .config("spark.driver.memory", os.environ.get("CLEARANCE_SPARK_DRIVER_MEMORY", "4g")))
            try:
                self.spark = builder.getOrCreate()
            except Exception as exc:  # the JVM did not start: Java missing or too old
                raise EngineError(f"Spark did not start ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__}): "
                                  "it needs Java 17 or later on PATH or in JAVA_HOME") from None
            self.spark.sparkContext.setLogLevel("ERROR")
        self._frames: dict[str, Any] = {}
        self._storage = StorageLevel.MEMORY_AND_DISK

    def load(self, name: str, paths: Sequence[Path]) -> None:
        frame = self.spark.read.parquet(*[str(p) for p in paths])
        frame.createOrReplaceTempView(name)
        self._frames[name] = frame

    def create(self, name: str, sql: str) -> None:
        frame = self.spark.sql(to_spark(sql))
        old = self._frames.pop(name, None)
        if old is None:
            # Cached, as DuckDB's `create table` keeps its rows: computed once, by the first query
            # that reads it (no job of its own), then read from memory (or disk) by every later one.
            frame = frame.persist(self._storage)
        else:
            # A table replaced by a query over itself (the closure's levels): computed now and cut
            # from the plan that made it. A cached frame would keep that plan, and dropping the old
            # level's cache would make Spark recompute every level from the first, again and again.
            frame = frame.localCheckpoint(eager=True)
            old.unpersist()
        frame.createOrReplaceTempView(name)
        self._frames[name] = frame

    def rows(self, sql: str) -> list[dict[str, Any]]:
        return [row.asDict() for row in self.spark.sql(to_spark(sql)).collect()]

    def close(self) -> None:
        for frame in self._frames.values():
            frame.unpersist()
        for name in self._frames:
            self.spark.catalog.dropTempView(name)
        self._frames.clear()
        if self._owned:
            self.spark.stop()
