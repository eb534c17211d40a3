"""Render analytics rows as a terminal table, JSON or CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from rich.console import Group
from rich.table import Table

from clearance.engine.values import USES
from clearance.util.envelope import dumps


def rows_json(rows: Sequence[dict[str, Any]], schema_version: int = 1) -> str:
    return dumps(schema_version, {"rows": list(rows)}, default=str)


def rows_csv(rows: Sequence[dict[str, Any]]) -> str:
    if not rows:
        return ""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (";".join(map(str, v)) if isinstance(v, list) else v) for k, v in row.items()})
    return buf.getvalue()


def rows_table(rows: Sequence[dict[str, Any]], title: str = "") -> Table:
    table = Table(title=title or None)
    for col in rows[0] if rows else ["(no rows)"]:
        table.add_column(str(col), overflow="fold")
    for row in rows:
        table.add_row(*(", ".join(map(str, v)) if isinstance(v, list) else str(v) for v in row.values()))
    return table


def flatten_stats(stats: dict[str, Any]) -> list[dict[str, Any]]:
    """`hub stats` as (section, key, value) rows, for CSV."""
    rows: list[dict[str, Any]] = []
    for key in ("models", "declared", "undeclared"):
        rows.append({"section": "totals", "key": key, "value": stats[key]})
    for cat, n in stats["by_category"].items():
        rows.append({"section": "by_category", "key": cat, "value": n})
    for section in ("top_licenses", "by_resolved_license"):
        rows += [{"section": section, "key": r["license"], "value": r["count"]} for r in stats[section]]
    rows.append({"section": "conflicts", "key": "total", "value": stats["conflicts"]["total"]})
    rows += [{"section": "conflict_pairs", "key": f"{p['declared']} <- {p['inherited']}", "value": p["count"]}
             for p in stats["conflicts"]["pairs"]]
    use = next(k for k in USES if k in stats)
    rows += [{"section": use, "key": v, "value": n} for v, n in stats[use].items()]
    return rows


def stats_tables(stats: dict[str, Any]) -> Group:
    parts = []
    by_section: dict[str, list[dict[str, Any]]] = {}
    for row in flatten_stats(stats):
        by_section.setdefault(row["section"], []).append({"": row["key"], "models": row["value"]})
    for section, rows in by_section.items():
        parts.append(rows_table(rows, section.replace("_", " ")))
    return Group(*parts)
