"""Hub-wide questions over snapshots: one `HubAnalysis` loads the snapshots once, then
answers `stats`, `trends`, `families`, `audit`. Set-based SQL on DuckDB; the audit's lineage
walk runs on DuckDB or, with `engine="spark"`, on Spark (the same SQL, `propagate.py`)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from clearance.analytics import judge, licenses, propagate, tables
from clearance.analytics.engines import ENGINES, DuckDBEngine, SparkEngine
from clearance.analytics.periods import DEFAULT_PERIOD, PERIODS
from clearance.engine.values import Organization
from clearance.kb.loader import KnowledgeBase, default_kb
from clearance.kb.normalizer import Normalizer, default_normalizer
from clearance.util.errors import ClearanceError

# How a period (analytics.periods; each name is also DuckDB's date_trunc unit) is written:
# ISO 8601's year-month, the usual 2024Q1, the year.
PERIOD_LABEL = {"month": "strftime(period, '%Y-%m')", "quarter": "strftime(period, '%Y') || 'Q' || quarter(period)",
                "year": "strftime(period, '%Y')"}
# DuckDB's own default is 80% of RAM; at today's Hub size (3M models) that lets the process
# grow past 6 GB. A bounded buffer spills to disk instead: CLEARANCE_DUCKDB_MEMORY overrides.
DEFAULT_MEMORY_LIMIT = "3GB"


class AuditWriteError(ClearanceError, OSError):
    """The audit file cannot be written: the message names it and says why."""


@dataclass
class HubAnalysis:
    snapshots: Sequence[Path]
    kb: KnowledgeBase = field(default_factory=default_kb)
    normalizer: Normalizer = field(default_factory=default_normalizer)
    org: Organization = field(default_factory=Organization)
    use: str = "commercial"
    engine: str = "duckdb"  # where the lineage is walked: "duckdb" or "spark" (engines.ENGINES)
    master: str | None = None  # Spark's master URL (default local[2], or the session already running)
    memory_limit: str | None = field(default_factory=lambda: os.environ.get("CLEARANCE_DUCKDB_MEMORY", DEFAULT_MEMORY_LIMIT))
    con: duckdb.DuckDBPyConnection = field(init=False)
    warnings: list[str] = field(init=False, default_factory=list)  # bad snapshot lines skipped, empty snapshots

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ValueError(f"engine {self.engine!r}: not one of {', '.join(ENGINES)}")
        spark = SparkEngine(self.master) if self.engine == "spark" else None  # fails now, before any snapshot is read
        self.con = duckdb.connect()
        # The tables here live only as long as the process: the automatic checkpoints an
        # in-memory database still runs (compressing every table written so far, again and
        # again as the tables grow) cost more than the whole lineage walk.
        self.con.execute("set checkpoint_threshold = '1TB'")
        # DuckDB draws a progress bar on stdout for a long statement: it would corrupt `--format json`.
        self.con.execute("set enable_progress_bar = false")
        # No result here depends on the order rows were read in (every listing sorts): DuckDB
        # may then write tables and the audit file without keeping it, in parallel.
        self.con.execute("set preserve_insertion_order = false")
        if self.memory_limit:
            self.con.execute("set memory_limit = ?", [self.memory_limit])
            self._spill = tempfile.TemporaryDirectory(prefix="clearance-duckdb-")
            self.con.execute("set temp_directory = ?", [self._spill.name])
        self.warnings = tables.load(self.con, [Path(p) for p in self.snapshots])
        if not self.scalar("select count(*) from models"):
            raise tables.SnapshotError(f"{', '.join(map(str, self.snapshots))}: no model or dataset in the snapshot"
                                       + ("s" if len(self.snapshots) > 1 else ""))
        licenses.register(self.con, self.kb, self.normalizer, self.org)
        try:
            self._build_audit(spark)
        finally:
            if spark is not None:
                spark.close()
        self._closure = False

    def _build_audit(self, spark: SparkEngine | None) -> None:
        """`audit`: one row per model. The lineage is walked on the chosen engine (the same SQL,
        `propagate.build_keyed`); each distinct combination is then judged once in Python by the
        engine's rules (`judge`), and joined back here."""
        duck = DuckDBEngine(self.con)
        info = self.rows(f"select kb_id, {self.use}_verdict as verdict, findings from license_info")
        bits = propagate.license_bits([r["kb_id"] for r in info])
        n_words = propagate.words(bits)
        bit_table = {"kb_id": ("varchar", list(bits)), "word": ("integer", [w for w, _ in bits.values()]),
                     "mask": ("bigint", [m for _, m in bits.values()])}
        carried = ("id", "created_at", "downloads")  # the key is lower(id): not carried (3M strings)
        if spark is None:
            duck.table("license_bit", bit_table)
            propagate.build_keyed(duck, n_words, carry=carried)
        else:
            with tempfile.TemporaryDirectory(prefix="clearance-spark-") as tmp:
                # Spark gets what the walk reads as Parquet, and hands the per-model masks back the same way.
                spark.take_from_duckdb(self.con, {"model_ids": "select n, kind from model_ids",
                                                  "resolved": "select n, kb_id from resolved",
                                                  "edges_n": "select child_n, parent_n, relation from edges_n"}, tmp)
                spark.table("license_bit", bit_table)
                propagate.build_keyed(spark, n_words)
                spark.write("select * from audit_keyed", Path(tmp) / "audit_keyed")
                duck.create("audit_keyed", f"""
                    select k.*, {", ".join(f"m.{c}" for c in carried)}
                    from read_parquet('{Path(tmp) / "audit_keyed" / "*.parquet"}') k join model_ids m on m.n = k.n""")
        judge.build_combos(duck, judge.Judge(self.kb, bits, [(r["kb_id"], r["verdict"], r["findings"]) for r in info]), n_words)
        # The per-model table stays narrow; its lists are the combination's, joined when read.
        self.con.execute(f"""
            create or replace temp view audit as
            select k.id, lower(k.id) as key, k.n, k.created_at, k.downloads,
                   c.declared_licenses, c.inherited_licenses, c.conflict_pairs, c.verdict, c.findings
            from audit_keyed k join combo c using ({", ".join(propagate.key_columns(n_words))})
        """)

    def _ensure_closure(self) -> None:
        """The model × ancestor closure, which only `families` needs: built on first use."""
        if not self._closure:
            propagate.build_weight_edges(self.con)
            propagate.build_closure(DuckDBEngine(self.con))
            self._closure = True

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cur = self.con.execute(sql, list(params))
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row)) for row in cur.fetchall()]

    def scalar(self, sql: str) -> Any:
        return self.con.execute(sql).fetchall()[0][0]

    def stats(self, top: int = 20) -> dict[str, Any]:
        models = self.scalar("select count(*) from audit")
        declared = self.scalar("select count(distinct d.n) from declared d join audit a on a.n = d.n")
        by_category = {r["category"]: r["n"] for r in self.rows("""
            select coalesce(i.category, 'unresolved') as category, count(distinct a.n) as n
            from audit a join resolved r on r.n = a.n left join license_info i on i.kb_id = r.kb_id
            group by 1 order by 2 desc""")}
        by_category["none"] = models - declared
        top_licenses = self.rows(f"""
            select value as license, count(distinct n) as count from declared
            where n in (select n from audit) group by 1 order by 2 desc, 1 limit {int(top)}""")
        by_resolved = self.rows(f"""
            select coalesce(r.kb_id, 'unresolved: ' || r.value) as license, count(distinct r.n) as count
            from resolved r join audit a on a.n = r.n group by 1 order by 2 desc, 1 limit {int(top)}""")
        pairs = self.rows(f"""
            select split_part(p, ' <- ', 1) as declared, split_part(p, ' <- ', 2) as inherited, count(*) as count
            from (select unnest(conflict_pairs) as p from audit) group by 1, 2 order by 3 desc, 1, 2 limit {int(top)}""")
        verdicts = {r["verdict"]: r["n"] for r in self.rows("select verdict, count(*) as n from audit group by 1")}
        return {
            "models": models, "declared": declared, "undeclared": models - declared,
            "by_category": by_category, "top_licenses": top_licenses, "by_resolved_license": by_resolved,
            "conflicts": {"total": self.scalar("select count(*) from audit where len(conflict_pairs) > 0"), "pairs": pairs},
            self.use: {v: verdicts.get(v, 0) for v in ("cleared", "conditional", "blocked", "unknown")},
        }

    def write_audit(self, path: Path) -> int:
        target = str(path).replace("'", "''")
        # Unsorted: a sort of 3M rows costs a third of the write. COPY answers the rows written.
        try:
            return self.con.execute(f"""
                copy (select id, verdict, declared_licenses, inherited_licenses, findings, conflict_pairs
                      from audit) to '{target}' (format parquet)""").fetchall()[0][0]
        except duckdb.IOException as exc:  # a directory gone, no permission, a full disk
            raise AuditWriteError(f"{path}: cannot write the audit: {str(exc).splitlines()[0]}") from None

    def trends(self, by: str = DEFAULT_PERIOD) -> list[dict[str, Any]]:
        """Per period of creation: the share of each license category among models created
        then, by count and weighted by downloads. Models with no creation date are left out.
        `period` is the label (2024-03, 2024Q1, 2024), `period_start` its first day."""
        if by not in PERIODS:
            raise ValueError(f"by {by!r} is not one of: {', '.join(PERIODS)}")
        return self.rows(f"""
            with per_model as (
                select a.n, a.downloads, date_trunc('{by}', a.created_at) as period,
                       coalesce(any_value(i.category order by i.category), 'none') as category
                from audit a left join resolved r on r.n = a.n left join license_info i on i.kb_id = r.kb_id
                where a.created_at is not null group by a.n, a.downloads, a.created_at
            )
            select {PERIOD_LABEL[by]} as period, period::date as period_start, category, count(*) as models,
                   sum(count(*)) over (partition by period)::bigint as period_models,
                   round(count(*) / sum(count(*)) over (partition by period), 4) as share,
                   sum(downloads) as downloads,
                   round(coalesce(sum(downloads) / nullif(sum(sum(downloads)) over (partition by period), 0), 0), 4) as download_share
            from per_model group by period, category order by period, category""")

    def families(self, top: int = 50) -> list[dict[str, Any]]:
        """Per lineage root: derivatives by relation, their downloads, and the root's license
        category — the ecosystem multiplier."""
        self._ensure_closure()
        return self.rows(f"""
            with roots as (
                select c.ancestor as root, c.key from closure c
                where c.ancestor not in (select child from weight_edges)
            ), rel as (
                select r.root, r.key, any_value(e.relation) as relation
                from roots r left join edges e on e.child = r.key
                group by r.root, r.key
            )
            select m.id as root, coalesce(any_value(i.category), 'none') as root_category,
                   coalesce(any_value(ri.kb_id), 'none') as root_license,
                   count(distinct rel.key) as derivatives,
                   count(distinct rel.key) filter (where rel.relation = 'finetune') as finetunes,
                   count(distinct rel.key) filter (where rel.relation = 'quantized') as quantized,
                   count(distinct rel.key) filter (where rel.relation = 'merge') as merges,
                   count(distinct rel.key) filter (where rel.relation = 'adapter') as adapters,
                   any_value(m.downloads) as root_downloads,
                   sum(d.downloads) as derivative_downloads
            from rel join model_ids m on m.key = rel.root
            join model_ids d on d.key = rel.key
            -- one license per root (the first of several), so that no derivative counts twice
            left join (select n, min(kb_id) as kb_id from resolved group by n) ri on ri.n = m.n
            left join license_info i on i.kb_id = ri.kb_id
            group by m.id order by derivatives desc, m.id limit {int(top)}""")
