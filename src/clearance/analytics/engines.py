"""The two engines the Hub analytics run on (`hub audit`, `hub history`), behind one small interface.

An engine creates a table from a query, answers a query with rows, takes small tables from
Python and reads Parquet files. Both run the same SQL text, written in DuckDB's dialect: DuckDB
as written, Spark after SQLGlot transpiles it. DuckDB is the embedded default; Spark (`pip
install clearance[spark]`, which needs Java 17 or later) is for data that outgrows one machine.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import duckdb

from clearance.util.errors import ClearanceError

ENGINES = ("duckdb", "spark")
# Spark in local mode on this machine's cores unless told otherwise (`--master`, or a session
# the caller already started, which is then reused).
DEFAULT_MASTER = "local[2]"
# SQL types of the columns handed over from Python (`Engine.table`), as DuckDB writes them.
_SPARK_TYPES = {"varchar": "string", "bigint": "bigint", "integer": "int", "boolean": "boolean", "double": "double"}


class EngineError(ClearanceError, RuntimeError):
    """An engine cannot start (Spark not installed, no Java): the message says what to install."""


class Engine(Protocol):
    name: str

    def create(self, name: str, sql: str) -> None:
        """Materialize `sql` as the table `name` (replacing it)."""

    def rows(self, sql: str) -> list[dict[str, Any]]:
        """The rows of `sql`, as dicts, in the query's order."""

    def append(self, name: str, sql: str) -> None:
        """Add the rows of `sql` to the table `name`."""

    def count(self, name: str) -> int:
        """The number of rows of the table `name`."""

    def table(self, name: str, columns: dict[str, tuple[str, list]]) -> None:
        """The table `name` from equally long Python lists, one per column: {column: (sql type, values)}."""

    def drop(self, name: str) -> None: ...

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

    def append(self, name: str, sql: str) -> None:
        self.con.execute(f"insert into {name} {sql}")

    def count(self, name: str) -> int:
        return self.con.execute(f"select count(*) from {name}").fetchall()[0][0]

    def table(self, name: str, columns: dict[str, tuple[str, list]]) -> None:
        # Each column passed whole as a list parameter and unnested side by side: no per-row
        # insert, and no Arrow import. A column of lists goes as its distinct lists and a row's
        # index into them: DuckDB converts a Python list of lists at ~10 µs a row, and the
        # audit's combinations share a few hundred lists among tens of thousands of rows.
        inner, outer, lists, params = [], [], [], []
        for col, (sql_type, values) in columns.items():
            if sql_type.endswith("[]"):
                distinct: dict[tuple, int] = {}
                params.append([distinct.setdefault(v if v is None else tuple(v), len(distinct)) + 1 for v in values])
                lists.append([v if v is None else list(v) for v in distinct])
                inner.append(f"unnest(?::integer[]) as {col}")
                outer.append(f"(?::{sql_type}[])[{col}] as {col}")
            else:
                params.append(values)
                inner.append(f"unnest(?::{sql_type}[]) as {col}")
                outer.append(col)
        self.con.execute(f"create or replace temp table {name} as select {', '.join(outer)} from (select {', '.join(inner)})",
                         lists + params)  # the parameters in the order the text names them

    def drop(self, name: str) -> None:
        self.con.execute(f"drop table if exists {name}")

    def close(self) -> None:
        pass  # the connection belongs to the caller


@lru_cache(maxsize=None)
def to_spark(sql: str) -> str:
    """DuckDB SQL as Spark SQL: the one translation between the engines, by SQLGlot."""
    import sqlglot

    (out,) = sqlglot.transpile(sql, read="duckdb", write="spark", unsupported_level=sqlglot.ErrorLevel.RAISE)
    return out


@lru_cache(maxsize=None)
def inline_ctes(spark_sql: str) -> str:
    """Spark SQL with each `with` query written in place, as a subquery under the name it was
    read by: what Spark's optimizer does with a deterministic CTE anyway (InlineCTE), done in the
    text so that the table Spark caches holds no CTE. Spark finds a cached table in a later query
    by comparing plans after renumbering their CTEs (NormalizeCTEIds) from the outermost: a later
    query with a `with` of its own shifts the numbers of the CTEs inside a table it reads, the
    cached plan no longer matches, and Spark computes that table again from its inputs, and every
    cached table built on it. A recursive `with` is left as written."""
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(spark_sql, read="spark")
    withs = list(tree.find_all(exp.With))
    if not withs or any(w.args.get("recursive") for w in withs):
        return spark_sql
    for with_ in reversed(withs):  # the innermost first: a name an inner `with` shadows is gone before
        query, ctes = with_.parent, list(with_.expressions)
        with_.pop()
        for i, cte in enumerate(ctes):
            name, columns = cte.alias_or_name.lower(), cte.args["alias"].columns
            for scope in [*(c.this for c in ctes[i + 1:]), query]:  # a CTE is read by the later ones and the query
                for table in list(scope.find_all(exp.Table)):
                    if table.name.lower() != name or table.args.get("db") or table.args.get("catalog"):
                        continue
                    alias = table.args.get("alias")
                    alias = alias.copy() if alias else exp.TableAlias(this=exp.to_identifier(cte.alias_or_name))
                    if columns and not alias.columns:
                        alias.set("columns", [c.copy() for c in columns])
                    table.replace(exp.Subquery(this=cte.this.copy(), alias=alias))
    return tree.sql(dialect="spark")


class SparkEngine:
    name = "spark"

    def __init__(self, master: str | None = None, app: str = "clearance-hub") -> None:
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
            builder = (SparkSession.builder.appName(app).master(master or DEFAULT_MASTER)
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
        self._retired: list[Any] = []
        self._counts: dict[str, int] = {}
        self._storage = StorageLevel.MEMORY_AND_DISK

    def load(self, name: str, paths: Sequence[Path]) -> None:
        frame = self.spark.read.parquet(*[str(p) for p in paths])
        self._counts.pop(name, None)
        frame.createOrReplaceTempView(name)
        self._frames[name] = frame

    def take_from_duckdb(self, con: duckdb.DuckDBPyConnection, tables: Mapping[str, str], tmpdir: str | Path) -> None:
        """Each of `tables`, {name: a table of `con` or a query in DuckDB's SQL}, as the table `name`
        here: written by DuckDB to `tmpdir`/`name`.parquet and loaded. Spark reads the files when a
        statement needs them: `tmpdir` must last until the engine is closed."""
        for name, source in tables.items():
            target = Path(tmpdir) / f"{name}.parquet"
            relation = source if source.isidentifier() else f"({source})"
            path = str(target).replace("'", "''")
            con.execute(f"copy {relation} to '{path}' (format parquet)")
            self.load(name, [target])

    def create(self, name: str, sql: str) -> None:
        # without CTEs (`inline_ctes`): a later query with a `with` then still reads the cache
        frame = self.spark.sql(inline_ctes(to_spark(sql)))
        old = self._frames.pop(name, None)
        if old is None:
            # Cached, as DuckDB's `create table` keeps its rows, and computed now (its row count is
            # kept for `count`). Left to the first query that reads it, a table's computation would
            # wait until tables it reads were dropped, and re-plan their whole past (at 100k models
            # the lineage walk's final table then failed for memory).
            frame = frame.persist(self._storage)
            self._counts[name] = frame.count()
        else:
            # A table replaced by a query over itself (the closure's levels): computed now and cut
            # from the plan that made it. A cached frame would keep that plan, and dropping the old
            # level's cache would make Spark recompute every level from the first, again and again.
            frame = frame.localCheckpoint(eager=True)
            old.unpersist()
            self._counts[name] = frame.count()
        frame.createOrReplaceTempView(name)
        self._frames[name] = frame

    def rows(self, sql: str) -> list[dict[str, Any]]:
        return [row.asDict() for row in self.spark.sql(to_spark(sql)).collect()]

    def append(self, name: str, sql: str) -> None:
        self.create(name, f"select * from {name} union all {sql}")

    def count(self, name: str) -> int:
        if name not in self._counts:
            self._counts[name] = self._frames[name].count()
        return self._counts[name]

    def table(self, name: str, columns: dict[str, tuple[str, list]]) -> None:
        schema = ", ".join(f"{col} {_SPARK_TYPES[t]}" for col, (t, _) in columns.items())
        frame = self.spark.createDataFrame(list(zip(*(values for _, values in columns.values()))), schema)
        if name in self._frames:
            self.drop(name)
        self._counts.pop(name, None)
        frame.createOrReplaceTempView(name)
        self._frames[name] = frame

    def write(self, sql: str, path: Path) -> None:
        """The rows of `sql` as Parquet files in the directory `path`."""
        self.spark.sql(to_spark(sql)).write.mode("overwrite").parquet(str(path))

    def drop(self, name: str) -> None:
        frame = self._frames.pop(name, None)
        if frame is not None:
            self.spark.catalog.dropTempView(name)
            self._counts.pop(name, None)
            # Still cached until close(): a table made from it may not be computed yet (caching is
            # lazy), and dropping the cache now would make Spark recompute its whole past then.
            self._retired.append(frame)

    def close(self) -> None:
        for frame in [*self._frames.values(), *self._retired]:
            frame.unpersist()
        self._retired.clear()
        for name in self._frames:
            self.spark.catalog.dropTempView(name)
        self._frames.clear()
        if self._owned:
            self.spark.stop()
