"""License changes between two snapshots: for models in both, classify each change of the
declared licenses as tighter, looser or lateral (or added / removed when one side declares
nothing), list every model that changed, and the conflicts new in the later one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from clearance.analytics.hub import HubAnalysis

# How much a category restricts, least first; a move up this scale is "tighter".
RESTRICTIVENESS = {
    "public-domain": 0, "permissive": 1, "weak-copyleft": 2, "copyleft": 3, "responsible-ai": 3,
    "community": 4, "non-commercial": 5, "proprietary": 6,
}


def diff(old: Path, new: Path, top: int = 50) -> dict[str, Any]:
    before = HubAnalysis([old])
    after = HubAnalysis([new])
    old_table = before.con.sql("""
        select a.key, a.declared_licenses, a.conflict_pairs,
               list(i.category) filter (where i.category is not null) as categories
        from audit a left join (select key, unnest(declared_licenses) as l from audit) d on d.key = a.key
        left join license_info i on i.kb_id = d.l group by a.key, a.declared_licenses, a.conflict_pairs""").to_arrow_table()
    after.con.register("old_audit", old_table)
    ranks = " ".join(f"when '{c}' then {r}" for c, r in RESTRICTIVENESS.items())
    after.con.execute(f"""
        create temp table changes as
        with new as (
            select a.key, a.id, a.declared_licenses, a.conflict_pairs,
                   list(i.category) filter (where i.category is not null) as categories
            from audit a left join (select key, unnest(declared_licenses) as l from audit) d on d.key = a.key
            left join license_info i on i.kb_id = d.l group by a.key, a.id, a.declared_licenses, a.conflict_pairs
        ), ranked as (
            select n.id, o.declared_licenses as before, n.declared_licenses as after,
                   list_max(list_transform(coalesce(o.categories, []), lambda c: case c {ranks} else null end)) as r_old,
                   list_max(list_transform(coalesce(n.categories, []), lambda c: case c {ranks} else null end)) as r_new,
                   n.conflict_pairs as conflicts_after, o.conflict_pairs as conflicts_before
            from new n join old_audit o on o.key = n.key
        )
        select id, before, after,
               case when len(before) = 0 then 'added' when len(after) = 0 then 'removed'
                    when r_old is null or r_new is null then 'lateral'
                    when r_new > r_old then 'tighter' when r_new < r_old then 'looser' else 'lateral' end as direction,
               list_filter(conflicts_after, lambda p: not list_contains(conflicts_before, p)) as new_conflicts
        from ranked
    """)
    changed = "list_sort(before) <> list_sort(after)"
    return {
        "models_in_both": after.scalar("select count(*) from changes"),
        "changed": after.scalar(f"select count(*) from changes where {changed}"),
        "by_direction": {r["direction"]: r["n"] for r in after.rows(
            f"select direction, count(*) as n from changes where {changed} group by 1 order by 1")},
        "transitions": after.rows(f"""
            select array_to_string(before, ' ') as before, array_to_string(after, ' ') as after, direction, count(*) as count
            from changes where {changed} group by 1, 2, 3 order by 4 desc, 1, 2 limit {int(top)}"""),
        "new_conflicts": after.scalar("select count(*) from changes where len(new_conflicts) > 0"),
        "new_conflict_examples": after.rows(f"""
            select id, new_conflicts from changes where len(new_conflicts) > 0 order by id limit {int(top)}"""),
        # every model that changed, not a sample: which ones is what a reader asks next
        "changed_models": after.rows(f"""
            select id, before, after, direction from changes where {changed} order by direction, id"""),
        "warnings": [*before.warnings, *after.warnings],
    }
