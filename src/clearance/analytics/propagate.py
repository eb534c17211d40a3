"""Propagate license terms down the lineage, in set-based SQL.

`closure(key, ancestor, depth)` holds every weight ancestor of every model, built by
iterative joins (one join per lineage level, each over the whole table), stopping when a
level adds nothing, so cycles end by themselves. Then per model:
  binding licenses = declared ∪ licenses of every ancestor (datasets excluded: data terms
  are a review item, as the engine's lenient default),
  verdict = the worst per-license verdict (from the engine, via license_info), `unknown`
  when the model or an ancestor declares no license, declares an unknown one, or is missing.
"""

from __future__ import annotations

import duckdb

MAX_LEVELS = 10_000  # far beyond any real lineage; a safety net, not a limit in practice


def build_closure(con: duckdb.DuckDBPyConnection) -> int:
    """Returns the number of levels joined."""
    con.execute("""
        create or replace temp table weight_edges as
        select child, parent from edges where relation <> 'trained_on' and child <> parent
    """)
    con.execute("create or replace temp table closure as select child as key, parent as ancestor, 1 as depth from weight_edges")
    con.execute("create or replace temp table frontier as select key, ancestor from closure")
    level = 1
    while level < MAX_LEVELS:
        con.execute("""
            create or replace temp table frontier as
            select distinct f.key, e.parent as ancestor
            from frontier f join weight_edges e on e.child = f.ancestor
            where e.parent <> f.key
              and not exists (select 1 from closure c where c.key = f.key and c.ancestor = e.parent)
        """)
        added = con.execute("select count(*) from frontier").fetchall()[0][0]
        if not added:
            break
        level += 1
        con.execute(f"insert into closure select key, ancestor, {level} from frontier")
    return level


def build_audit(con: duckdb.DuckDBPyConnection, use: str = "commercial") -> None:
    """One row per model: verdict, declared and inherited KB ids, finding names."""
    verdict_col = f"{use}_verdict"
    con.execute(f"""
        create or replace temp table audit as
        with decl as (
            select m.key, list(distinct r.kb_id order by r.kb_id) filter (where r.kb_id is not null) as declared,
                   count(r.value) as n_values,
                   count(r.value) filter (where r.kb_id is null or r.kb_id in ('other', 'unknown')) as n_unresolved
            from models m left join resolved r on r.key = m.key group by m.key
        ), anc as (
            select c.key,
                   list(distinct r.kb_id order by r.kb_id) filter (where r.kb_id is not null and r.kb_id not in ('other', 'unknown')) as inherited,
                   bool_or(a.key is null) as missing_ancestor,
                   bool_or(a.key is not null and r.key is null) as unlicensed_ancestor,
                   bool_or(r.kb_id is null and r.key is not null or r.kb_id in ('other', 'unknown')) as unresolved_ancestor_license
            from closure c
            left join models a on a.key = c.ancestor
            left join resolved r on r.key = c.ancestor
            group by c.key
        ), binding as (
            select d.key, unnest(list_distinct(list_concat(coalesce(d.declared, []), coalesce(a.inherited, [])))) as kb_id
            from decl d left join anc a on a.key = d.key
        ), per_license as (
            select b.key,
                   list(i.{verdict_col}) as verdicts,
                   flatten(list(i.findings)) as findings
            from binding b join license_info i on i.kb_id = b.kb_id group by b.key
        ), conflicts as (
            select d.key, list(distinct p.declared || ' <- ' || p.inherited) as pairs
            from (select key, unnest(declared) as declared from decl) d
            join anc a on a.key = d.key
            join conflict_pairs p on p.declared = d.declared and list_contains(a.inherited, p.inherited)
            group by d.key
        )
        select m.id, m.key, m.created_at, m.downloads, m.pipeline_tag,
               coalesce(d.declared, []) as declared_licenses,
               coalesce(a.inherited, []) as inherited_licenses,
               coalesce(c.pairs, []) as conflict_pairs,
               case
                 when list_contains(pl.verdicts, 'blocked') then 'blocked'
                 when d.n_values = 0 or d.n_unresolved > 0 or coalesce(a.missing_ancestor, false)
                      or coalesce(a.unlicensed_ancestor, false) or coalesce(a.unresolved_ancestor_license, false)
                      or list_contains(pl.verdicts, 'unknown') then 'unknown'
                 when list_contains(pl.verdicts, 'conditional') then 'conditional'
                 else 'cleared'
               end as verdict,
               list_sort(list_distinct(list_concat(
                 coalesce(pl.findings, []),
                 case when c.pairs is not null then ['license-conflict'] else [] end,
                 case when d.n_values = 0 or coalesce(a.unlicensed_ancestor, false) then ['missing-license'] else [] end,
                 case when d.n_unresolved > 0 or coalesce(a.unresolved_ancestor_license, false) then ['unresolved-license'] else [] end,
                 case when coalesce(a.missing_ancestor, false) then ['unresolved-ancestor'] else [] end
               ))) as findings
        from models m
        left join decl d on d.key = m.key
        left join anc a on a.key = m.key
        left join per_license pl on pl.key = m.key
        left join conflicts c on c.key = m.key
        where m.kind = 'model'
    """)
