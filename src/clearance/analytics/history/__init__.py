"""`hub history`: the license analytics of a series of dated snapshots, on DuckDB (the embedded
default) or Apache Spark.

    from clearance.analytics.history import history
    result = history([Path("hub-2024-01.parquet"), Path("hub-2024-02.parquet")])      # DuckDB
    result = history(paths, engine="spark", master="local[2]")                         # Spark
    result.to_json()            # the whole result, JSON-ready (schema_version 1)
    result.rows()               # one row per snapshot, with the changes since the one before
    result.rows("categories")   # or: snapshots, changes, changed_models, conflict_changes

Per snapshot: models, declared / undeclared, each license category's share by count and by
downloads, models with a conflict. Between consecutive snapshots: models new and deleted,
license changes classified as `hub diff` classifies them (tighter, looser, lateral, added,
removed), relabelled derivatives (a model that now declares a license it did not, which
conflicts with its lineage), conflicts new and resolved.

How: each snapshot is read by the loader `clearance hub` uses (`facts.py`, DuckDB), then the
analytics (`queries.py`, SQL written once in DuckDB's dialect) run on the chosen engine; Spark
gets the same SQL transpiled by SQLGlot, and the input tables as Parquet. Conflicts are judged
in Python by the engine's one rule (`compat.conflicts`, through `judge.ConflictRule`, as the
audit judges them), once per distinct (declared, inherited, quantization) combination, and joined
back to the models.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clearance.analytics import propagate
from clearance.analytics.engines import DuckDBEngine, Engine, EngineError, SparkEngine
from clearance.analytics.history import facts, queries
from clearance.analytics.judge import ConflictRule
from clearance.engine.values import Organization
from clearance.kb.loader import KnowledgeBase, default_kb
from clearance.kb.normalizer import Normalizer, default_normalizer
from clearance.util.envelope import envelope

__all__ = ["ENGINES", "EngineError", "HistoryResult", "history", "run"]

ENGINES = ("duckdb", "spark")
SCHEMA_VERSION = 1
TABLES = ("summary", "snapshots", "categories", "changes", "changed_models", "conflict_changes")


@dataclass(frozen=True)
class HistoryResult:
    engine: str
    snapshots: list[dict[str, Any]]         # per snapshot, oldest first
    categories: list[dict[str, Any]]        # per snapshot and license category
    changes: list[dict[str, Any]]           # per snapshot after the first: what changed since the one before
    changed_models: list[dict[str, Any]]    # every model whose declared licenses changed
    conflict_changes: list[dict[str, Any]]  # every model whose conflicts changed
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The whole result as a JSON-ready dict (dates as YYYY-MM-DD), schema_version 1."""
        return envelope(SCHEMA_VERSION, engine=self.engine, **{t: self.rows(t) for t in TABLES[1:]},
                        warnings=list(self.warnings))

    def rows(self, table: str = "summary") -> list[dict[str, Any]]:
        """Flat rows for a table or CSV. `summary`: one row per snapshot, its figures and the
        changes since the snapshot before (empty on the first)."""
        if table not in TABLES:
            raise ValueError(f"{table!r}: not one of {', '.join(TABLES)}")
        if table != "summary":
            return [{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in r.items()}
                    for r in getattr(self, table)]
        # changes[i] is what changed from snapshot i to snapshot i + 1
        since = [{}, *self.changes]
        keys = [k for k in (self.changes[0] if self.changes else {}) if k not in ("date", "previous")]
        out = []
        for s, c in zip(self.snapshots, since):
            out.append({k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in s.items()}
                       | {k: c.get(k, "") for k in keys})
        return out


def history(snapshots: Sequence[Path], engine: str = "duckdb", master: str | None = None,
            dates: Sequence[dt.date | str | None] | None = None, *, kb: KnowledgeBase | None = None,
            normalizer: Normalizer | None = None, org: Organization | None = None) -> HistoryResult:
    """The history of `snapshots` (any order: they are sorted by date). A snapshot's date is
    `dates[i]` when given, else the newest `lastModified` / `createdAt` of its records.
    `engine`: "duckdb" or "spark" (`master`: a Spark master URL, default local[2], or the
    session already running). Raises `tables.SnapshotError` for a bad snapshot, `EngineError`
    when Spark cannot start."""
    if engine not in ENGINES:
        raise ValueError(f"engine {engine!r}: not one of {', '.join(ENGINES)}")
    spark = SparkEngine(master) if engine == "spark" else None  # fails now, before any snapshot is read
    con, spill = facts.connect()
    try:
        kb = kb or default_kb()
        dated, warnings = facts.build(con, snapshots, dates, kb, normalizer or default_normalizer(), org or Organization())
        if spark is None:
            return _result(run(DuckDBEngine(con), kb), dated, "duckdb", warnings)
        with tempfile.TemporaryDirectory(prefix="clearance-history-") as tmp:
            spark.take_from_duckdb(con, {name: name for name in facts.FACTS}, tmp)
            return _result(run(spark, kb), dated, "spark", warnings)
    finally:
        if spark is not None:
            spark.close()
        con.close()
        if spill is not None:
            spill.cleanup()


def run(engine: Engine, kb: KnowledgeBase) -> dict[str, list[dict[str, Any]]]:
    """The analytics over the `h_*` tables the engine already holds: the closure, each model's
    lineage combination and its conflicts (`judge_conflicts`), the steps of `queries.STEPS`, then
    every result of `queries.RESULTS`, rows keyed by `snap`."""
    propagate.build_closure(engine, table="h_closure", edges="h_edge", by=queries.CLOSURE_BY)
    derive(engine, kb)
    return {name: engine.rows(sql) for name, sql in queries.RESULTS.items()}


def derive(engine: Engine, kb: KnowledgeBase) -> None:
    """Every table the results read, from the `h_*` facts and the closure."""
    for name, sql in queries.COMBINATIONS:
        engine.create(name, sql)
    judge_conflicts(engine, ConflictRule(kb))
    engine.create("h_conflict", queries.CONFLICT)
    for name, sql in queries.STEPS:
        engine.create(name, sql)


def judge_conflicts(engine: Engine, rule: ConflictRule) -> None:
    """`h_combo_conflict`: the conflict pairs of each distinct (declared ids, inherited ids,
    quantization) combination of `h_model_combo`, judged once by `compat.conflicts` (the rule
    `clearance check` and the audit apply), one row per pair; no rule is restated in SQL."""
    rows = engine.rows(queries.DISTINCT_COMBINATIONS)
    cols: dict[str, list] = {"declared_ids": [], "inherited_ids": [], "quantization": [], "declared": [], "inherited": []}
    for r in rows:
        for declared, inherited in rule.pairs(tuple(r["declared_ids"].split(" ")), tuple(r["inherited_ids"].split(" ")),
                                              bool(r["quantization"])):
            for k, v in (("declared_ids", r["declared_ids"]), ("inherited_ids", r["inherited_ids"]),
                         ("quantization", bool(r["quantization"])), ("declared", declared), ("inherited", inherited)):
                cols[k].append(v)
    types = {"quantization": "boolean"}
    engine.table("h_combo_conflict", {k: (types.get(k, "varchar"), v) for k, v in cols.items()})


def _result(raw: dict[str, list[dict[str, Any]]], snapshots: list[facts.Snapshot], engine: str,
            warnings: list[str]) -> HistoryResult:
    day = [s.date for s in snapshots]

    def dated(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for r in rows:
            r = dict(r)
            head = {"date": day[r.pop("snap")]}
            if "prev" in r:
                head["previous"] = day[r.pop("prev")]
            out.append(head | {k: (int(v) if isinstance(v, int) and not isinstance(v, bool) else v) for k, v in r.items()})
        return out

    per_snapshot = []
    for s, r in zip(snapshots, dated(raw["snapshots"])):
        models = r["models"]
        per_snapshot.append({"date": r["date"], "snapshot": str(s.path), "dated_by": s.dated_by, "models": models,
                             "declared": r["declared"], "undeclared": r["undeclared"],
                             "undeclared_share": r["undeclared"] / models if models else 0.0,
                             "downloads": r["downloads"], "conflicts": r["conflicts"]})
    changed = []
    for r in dated(raw["changed_models"]):
        changed.append({"date": r["date"], "id": r["id"], "before": r["before_licenses"].split(),
                        "after": r["after_licenses"].split(), "direction": r["direction"], "relabelled": r["relabelled"]})
    return HistoryResult(engine=engine, snapshots=per_snapshot, categories=dated(raw["categories"]),
                         changes=dated(raw["changes"]), changed_models=changed,
                         conflict_changes=[r | {"pairs": r["pairs"].split(", ")} for r in dated(raw["conflict_changes"])],
                         warnings=warnings)
