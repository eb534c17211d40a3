"""Render knowledge-base answers (`license list/show/identify`) for people and machines."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from rich.console import Group
from rich.table import Table
from rich.text import Text

from clearance.kb.normalizer import Resolution
from clearance.kb.terms import SCHEMA_VERSION, LicenseTerms
from clearance.util.envelope import dumps

_PERMISSION_STYLE = {"yes": "green", "conditional": "yellow", "no": "red", "unknown": "dim"}


def _perm(value: str) -> Text:
    return Text(value, style=_PERMISSION_STYLE.get(value, ""))


def list_table(licenses: Iterable[LicenseTerms]) -> Table:
    table = Table(title="Clearance knowledge base", show_lines=False)
    for col in ("id", "name", "category", "commercial", "redistribute", "derivatives"):
        table.add_column(col, overflow="fold")
    for lic in licenses:
        table.add_row(lic.id, lic.name, lic.category, _perm(lic.commercial_use),
                      _perm(lic.redistribution), _perm(lic.derivatives))
    return table


def list_json(licenses: Iterable[LicenseTerms]) -> str:
    return dumps(SCHEMA_VERSION, {"licenses": [lic.to_json() for lic in licenses]})


def show_json(lic: LicenseTerms) -> str:
    return json.dumps(lic.to_json(), indent=2)


def show_text(lic: LicenseTerms) -> Group:
    head = Text.assemble((lic.name, "bold"), f"  ({lic.id}", f", version {lic.version}" if lic.version else "",
                         f", {lic.date}" if lic.date else "", ")")
    parts: list = [head, Text(f"category: {lic.category}" + ("" if lic.curated else "   (terms not curated: identity and category from ScanCode's index)"))]
    if lic.summary:
        parts.append(Text(lic.summary, style="italic"))
    table = Table(show_header=True, box=None, pad_edge=False)
    table.add_column("term", style="bold")
    table.add_column("value", overflow="fold")
    table.add_column("where the license says so", overflow="fold", style="dim")
    for term, ev in lic.evidence.items():
        value = getattr(lic, term, None) if term != "category" else lic.category
        if not ev.stated and value in (False, None, (), []) and term not in ("commercial_use",):
            continue  # silence is the default; keep the table to what the license says
        shown: Text | str
        if isinstance(value, str) and term in ("commercial_use", "research_use", "redistribution", "derivatives"):
            shown = _perm(value)
        elif isinstance(value, tuple):
            shown = "; ".join(v.territory + ("" if v.applies_to == "all" else f" ({v.applies_to})") if hasattr(v, "territory") else str(v) for v in value)
        else:
            shown = str(value)
        where = ev.section + (f" — {ev.note}" if ev.note else "")
        table.add_row(term, shown, where)
    parts.append(table)
    if lic.text_url:
        parts.append(Text(f"text: {lic.text_url}", style="dim"))
    if lic.supersedes or lic.superseded_by:
        parts.append(Text(f"supersedes: {lic.supersedes or '-'}   superseded by: {lic.superseded_by or '-'}", style="dim"))
    if lic.aliases:
        parts.append(Text("aliases: " + ", ".join(lic.aliases), style="dim"))
    return Group(*parts)


def identify_json(results: Sequence[Resolution]) -> str:
    return json.dumps([r.to_json() for r in results], indent=2)


def identify_table(results: Sequence[Resolution]) -> Table:
    table = Table(show_header=True)
    for col in ("input", "id", "confidence", "evidence"):
        table.add_column(col, overflow="fold")
    for r in results:
        shown_id = ", ".join(r.ids) if r.ids else Text("unknown", style="red")
        if r.modified:
            shown_id = f"{shown_id} (modified)"
        table.add_row(r.input if len(r.input) < 120 else r.input[:117] + "…", shown_id, f"{r.confidence:.2f}", r.evidence)
    return table
