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
from clearance.analytics.propagate import UNRESOLVED_IDS
from clearance.analytics.tables import SnapshotError
from clearance.engine.values import VERDICTS

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


# Why a model's commercial verdict is unknown, in the order they are told apart: the first that
# applies is the model's reason.
UNKNOWN_REASONS = ("no license declared", "declared license unresolved (other, or not a known license)",
                   "ancestor not in any snapshot", "an ancestor declares no license", "an ancestor's license unresolved",
                   "license terms unknown")


def leaderboard(csv_path: Path, snapshots: Sequence[Path] = ()) -> dict[str, Any]:
    """Commercial verdicts of the leaderboard's models, with shares, the reasons models are
    unknown, and every model (`models_list`) with its verdict and reason."""
    with tempfile.TemporaryDirectory() as tmp:
        converted = Path(tmp) / "leaderboard.jsonl"
        n = csv_to_snapshot(csv_path, converted)
        analysis = HubAnalysis([converted, *snapshots])
        analysis.con.execute(f"""
            create temp table board as
            select lower(id) as key from read_json('{str(converted).replace("'", "''")}', format='newline_delimited')""")
        # Models whose declared license alone would allow commercial use.
        analysis.con.execute("""
            create temp table declared_ok as
            select d.key from (select a.key, unnest(a.declared_licenses) as l from audit a join board b on b.key = a.key) d
            left join license_info i on i.kb_id = d.l
            group by d.key having bool_and(coalesce(i.commercial_verdict, 'unknown') in ('cleared', 'conditional'))""")
        rows = analysis.rows(f"""
            select a.id, a.verdict,
                   case when a.verdict <> 'unknown' then null
                        when a.n not in (select n from declared) then ?
                        when a.n in (select n from resolved where kb_id is null or kb_id in {UNRESOLVED_IDS}) then ?
                        when list_contains(a.findings, 'unresolved-ancestor') then ?
                        when list_contains(a.findings, 'missing-license') then ?
                        when list_contains(a.findings, 'unresolved-license') then ?
                        else ? end as unknown_reason,
                   a.declared_licenses, a.inherited_licenses, a.key in (select key from declared_ok) as declared_allows_commercial,
                   a.downloads
            from audit a join board b on b.key = a.key order by a.downloads desc, a.id""", UNKNOWN_REASONS)
    counts = {v: sum(r["verdict"] == v for r in rows) for v in VERDICTS}
    total = len(rows)
    reasons = {k: sum(r["unknown_reason"] == k for r in rows) for k in UNKNOWN_REASONS}
    flipped = [r for r in rows if r["declared_allows_commercial"] and r["verdict"] in ("blocked", "unknown")]
    return {
        "models": n,
        "commercial": counts,
        "commercial_share": {v: round(c / total, 4) if total else 0.0 for v, c in counts.items()},
        "unknown_reasons": {k: v for k, v in reasons.items() if v},
        "declared_license_allows_commercial": sum(r["declared_allows_commercial"] for r in rows),
        "declared_ok_but_lineage_blocked_or_unknown": len(flipped),
        "examples": [{k: r[k] for k in ("id", "declared_licenses", "inherited_licenses", "verdict")} for r in flipped],
        "models_list": rows,
    }
