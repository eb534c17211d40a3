"""Commercial usability of Open LLM Leaderboard models after lineage.

The leaderboard CSV names each model's Hub license and base model; it becomes a small
snapshot in the Hub API's shape (so the same pipeline reads it), placed before any other
snapshots given, which then take precedence for the models they also describe.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from clearance.analytics.hub import HubAnalysis
from clearance.analytics.tables import SnapshotError

REQUIRED_COLUMNS = ("fullname", "Hub License", "Base Model")


def csv_to_snapshot(csv_path: Path, out_path: Path) -> int:
    con = duckdb.connect()
    src = str(csv_path).replace("'", "''")
    try:
        cols = [r[0] for r in con.execute(f"describe select * from read_csv('{src}', header=true)").fetchall()]
    except duckdb.Error as exc:
        raise SnapshotError(f"{csv_path}: cannot read as CSV: {str(exc).splitlines()[0]}") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in cols]
    if missing:
        raise SnapshotError(f"{csv_path}: not an Open LLM Leaderboard export: missing column(s) {', '.join(missing)}")
    merged = '"Merged"' if "Merged" in cols else "false"
    dst = str(out_path).replace("'", "''")
    con.execute(f"""
        copy (
            select fullname as id, 'model' as type,
                   list_filter([
                       case when "Hub License" is not null then 'license:' || "Hub License" end,
                       case when "Base Model" is not null and "Base Model" <> fullname then 'base_model:' || "Base Model" end
                   ], lambda x: x is not null) as tags,
                   json_object('license', "Hub License",
                               'base_model', case when "Base Model" <> fullname then "Base Model" end,
                               'base_model_relation', case when {merged} and "Base Model" <> fullname then 'merge' end) as cardData
            from read_csv('{src}', header=true)
            where fullname is not null
            qualify row_number() over (partition by lower(fullname)) = 1
        ) to '{dst}' (format json)
    """)
    return con.execute(f"select count(*) from read_json('{dst}', format='newline_delimited')").fetchall()[0][0]


def leaderboard(csv_path: Path, snapshots: Sequence[Path] = ()) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        converted = Path(tmp) / "leaderboard.jsonl"
        n = csv_to_snapshot(csv_path, converted)
        analysis = HubAnalysis([converted, *snapshots])
        analysis.con.execute(f"""
            create temp table board as
            select lower(id) as key from read_json('{str(converted).replace("'", "''")}', format='newline_delimited')""")
        verdicts = {r["verdict"]: r["n"] for r in analysis.rows(
            "select verdict, count(*) as n from audit where key in (select key from board) group by 1")}
        # Models whose declared license alone would allow commercial use.
        analysis.con.execute("""
            create temp table declared_ok as
            select d.key from (select a.key, unnest(a.declared_licenses) as l from audit a join board b on b.key = a.key) d
            left join license_info i on i.kb_id = d.l
            group by d.key having bool_and(coalesce(i.commercial_verdict, 'unknown') in ('cleared', 'conditional'))""")
        declared_ok = analysis.scalar("select count(*) from declared_ok")
        flipped = analysis.rows("""
            select a.id, a.declared_licenses, a.inherited_licenses, a.verdict
            from audit a join declared_ok o on o.key = a.key
            where a.verdict in ('blocked', 'unknown') order by a.downloads desc, a.id limit 20""")
        flipped_total = analysis.scalar("""
            select count(*) from audit a join declared_ok o on o.key = a.key where a.verdict in ('blocked', 'unknown')""")
    return {
        "models": n,
        "commercial": {v: verdicts.get(v, 0) for v in ("cleared", "conditional", "blocked", "unknown")},
        "declared_license_allows_commercial": declared_ok,
        "declared_ok_but_lineage_blocked_or_unknown": flipped_total,
        "examples": flipped,
    }
