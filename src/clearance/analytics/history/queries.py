"""Every analytic of `hub history`, written once, in DuckDB's SQL dialect.

The Spark engine runs the same text after SQLGlot transpiles it to Spark SQL
(`engines.SparkEngine`); nothing here is written twice. So the statements keep to the
relational core both engines share and SQLGlot maps: joins, `group by`, `except`, window
aggregates, `filter (where ...)`, `string_agg(... order by ...)`; no lists, lambdas or structs.

Input tables, all keyed by `snap` (the snapshot's position in date order), built per snapshot
by the existing loader (`tables.load`, `licenses.register`, `propagate.build_weight_edges`):
  h_model(snap, key, id, downloads)             the snapshot's models (kind `model`)
  h_declared(snap, key)                          models that declare some license value
  h_resolved(snap, key, kb_id)                   the KB ids those values resolve to (editions by date)
  h_edge(snap, child, parent)                    weight edges (no self-edge)
  h_quant(snap, key)                             quantizations (every weight parent a `quantized` edge)
and two small tables:
  h_license(kb_id, category, strictness)         `strictness`: `diff.RESTRICTIVENESS` of the category
  h_step(snap, prev)                             each snapshot and the one before it
The conflicts are judged in Python, not here: each distinct combination of `h_model_combo` once
by `compat.conflicts` (`history.judge_conflicts`), handed back as
  h_combo_conflict(declared_ids, inherited_ids, quantization, declared, inherited)
"""

from __future__ import annotations

from clearance.kb.normalizer import PLACEHOLDERS

_PLACEHOLDERS = "(" + ", ".join(f"'{p}'" for p in sorted(PLACEHOLDERS)) + ")"

# -- lineage: the weight ancestors of every model, per snapshot: propagate.build_closure over
# h_edge, partitioned by `snap` (a path never leaves its snapshot), into h_closure(snap, key,
# ancestor, depth). A cycle ends by itself and a model is never its own ancestor.
CLOSURE_BY = ("snap",)

# -- per snapshot: each model's lineage combination, judged in Python (history.judge_conflicts) --
COMBINATIONS: list[tuple[str, str]] = [
    # What a model inherits: every KB id its weight ancestors declare, placeholders excepted.
    ("h_inherited", f"""
select distinct c.snap, c.key, r.kb_id
from h_closure c join h_resolved r on r.snap = c.snap and r.key = c.ancestor
where r.kb_id not in {_PLACEHOLDERS}
"""),
    # A model that declares a license and inherits one: its KB ids and its ancestors' (each set
    # as one sorted, space-separated string) and whether it is a quantization, as the audit keys
    # a combination (judge.py). Only such a model can have a conflict.
    ("h_model_combo", """
with own as (
    select r.snap, r.key, string_agg(r.kb_id, ' ' order by r.kb_id) as declared_ids
    from h_resolved r join h_model m on m.snap = r.snap and m.key = r.key
    group by r.snap, r.key
), up as (
    select snap, key, string_agg(kb_id, ' ' order by kb_id) as inherited_ids from h_inherited group by snap, key
)
select o.snap, o.key, o.declared_ids, u.inherited_ids, q.key is not null as quantization
from own o join up u on u.snap = o.snap and u.key = o.key
left join (select distinct snap, key from h_quant) q on q.snap = o.snap and q.key = o.key
"""),
]
DISTINCT_COMBINATIONS = "select distinct declared_ids, inherited_ids, quantization from h_model_combo"
# Each model's conflict pairs: its combination's.
CONFLICT = """
select c.snap, c.key, j.declared, j.inherited
from h_model_combo c join h_combo_conflict j
  on j.declared_ids = c.declared_ids and j.inherited_ids = c.inherited_ids and j.quantization = c.quantization
"""

# -- per snapshot and between consecutive snapshots ---------------------------------------------
# Created in this order; each reads only tables above it.
STEPS: list[tuple[str, str]] = [
    # One row per model: declared or not, its license category (the first by name of its KB ids'
    # categories, as `hub trends` picks one; `unresolved` when it declares only values that
    # resolve to nothing, `none` when it declares nothing), its downloads.
    ("h_per_model", """
select m.snap, m.key, m.id, m.downloads, d.key is not null as declared,
       coalesce(min(l.category), case when d.key is null then 'none' else 'unresolved' end) as category
from h_model m
left join h_declared d on d.snap = m.snap and d.key = m.key
left join h_resolved r on r.snap = m.snap and r.key = m.key
left join h_license l on l.kb_id = r.kb_id
group by m.snap, m.key, m.id, m.downloads, d.key
"""),
    # -- between consecutive snapshots --
    ("h_both", """
select n.snap, n.key, n.id
from h_model n join h_step s on s.snap = n.snap join h_model o on o.snap = s.prev and o.key = n.key
"""),
    ("h_ids_old", """
select b.snap, b.key, r.kb_id
from h_both b join h_step s on s.snap = b.snap join h_resolved r on r.snap = s.prev and r.key = b.key
"""),
    ("h_ids_new", """
select b.snap, b.key, r.kb_id
from h_both b join h_resolved r on r.snap = b.snap and r.key = b.key
"""),
    # A model changed when its set of declared KB ids did (hub diff: list_sort(before) <> list_sort(after)).
    ("h_changed_key", """
select snap, key from (select snap, key, kb_id from h_ids_old except select snap, key, kb_id from h_ids_new) x
union
select snap, key from (select snap, key, kb_id from h_ids_new except select snap, key, kb_id from h_ids_old) y
"""),
    # Relabelled: the model now declares a license it did not, and that license conflicts with its lineage.
    ("h_relabelled", """
select distinct c.snap, c.key
from h_conflict c join h_changed_key k on k.snap = c.snap and k.key = c.key
left join h_ids_old o on o.snap = c.snap and o.key = c.key and o.kb_id = c.declared
where o.key is null
"""),
    # hub diff's classification: `added` / `removed` when one side declares nothing, else by the
    # most restrictive category of each side (diff.RESTRICTIVENESS): tighter, looser or lateral
    # (lateral too when a side has no category on the scale).
    ("h_changed", """
with before_ids as (
    select o.snap, o.key, string_agg(o.kb_id, ' ' order by o.kb_id) as ids, max(l.strictness) as strictness
    from h_ids_old o join h_changed_key k on k.snap = o.snap and k.key = o.key
    left join h_license l on l.kb_id = o.kb_id
    group by o.snap, o.key
), after_ids as (
    select n.snap, n.key, string_agg(n.kb_id, ' ' order by n.kb_id) as ids, max(l.strictness) as strictness
    from h_ids_new n join h_changed_key k on k.snap = n.snap and k.key = n.key
    left join h_license l on l.kb_id = n.kb_id
    group by n.snap, n.key
)
select k.snap, k.key, b.id, coalesce(bi.ids, '') as before_licenses, coalesce(ai.ids, '') as after_licenses,
       case when bi.key is null then 'added' when ai.key is null then 'removed'
            when bi.strictness is null or ai.strictness is null then 'lateral'
            when ai.strictness > bi.strictness then 'tighter'
            when ai.strictness < bi.strictness then 'looser' else 'lateral' end as direction,
       rl.key is not null as relabelled
from h_changed_key k
join h_both b on b.snap = k.snap and b.key = k.key
left join before_ids bi on bi.snap = k.snap and bi.key = k.key
left join after_ids ai on ai.snap = k.snap and ai.key = k.key
left join h_relabelled rl on rl.snap = k.snap and rl.key = k.key
"""),
    # Conflict pairs a model has that it did not have in the snapshot before (a new model's are all new) ...
    ("h_conflict_new", """
select c.snap, c.key, c.declared, c.inherited
from h_conflict c join h_step s on s.snap = c.snap
left join h_conflict o on o.snap = s.prev and o.key = c.key and o.declared = c.declared and o.inherited = c.inherited
where o.key is null
"""),
    # ... and pairs it no longer has (the model fixed its card, or left the Hub), on the later snapshot.
    ("h_conflict_gone", """
select s.snap, o.key, o.declared, o.inherited
from h_conflict o join h_step s on s.prev = o.snap
left join h_conflict c on c.snap = s.snap and c.key = o.key and c.declared = o.declared and c.inherited = o.inherited
where c.key is null
"""),
]

# -- the results (each ordered completely, so both engines list the same rows in the same order) --
SNAPSHOTS = """
select p.snap, count(*) as models, count(*) filter (where p.declared) as declared,
       count(*) filter (where not p.declared) as undeclared, sum(p.downloads) as downloads,
       count(c.key) as conflicts
from h_per_model p left join (select distinct snap, key from h_conflict) c on c.snap = p.snap and c.key = p.key
group by p.snap
order by p.snap
"""

CATEGORIES = """
select snap, category, count(*) as models,
       cast(count(*) as double) / sum(count(*)) over (partition by snap) as share,
       sum(downloads) as downloads,
       coalesce(cast(sum(downloads) as double) / nullif(sum(sum(downloads)) over (partition by snap), 0), 0) as download_share
from h_per_model
group by snap, category
order by snap, category
"""

CHANGES = """
with born as (
    select n.snap, count(*) as n from h_model n join h_step s on s.snap = n.snap
    left join h_model o on o.snap = s.prev and o.key = n.key where o.key is null group by n.snap
), gone as (
    select s.snap, count(*) as n from h_model o join h_step s on s.prev = o.snap
    left join h_model n on n.snap = s.snap and n.key = o.key where n.key is null group by s.snap
), kept as (
    select snap, count(*) as n from h_both group by snap
), moved as (
    select snap, count(*) as changed,
           count(*) filter (where direction = 'tighter') as tighter,
           count(*) filter (where direction = 'looser') as looser,
           count(*) filter (where direction = 'lateral') as lateral,
           count(*) filter (where direction = 'added') as added,
           count(*) filter (where direction = 'removed') as removed,
           count(*) filter (where relabelled) as relabelled
    from h_changed group by snap
), fresh as (
    select c.snap, count(*) as n, count(*) filter (where b.key is null) as in_new_models
    from (select distinct snap, key from h_conflict_new) c
    left join h_both b on b.snap = c.snap and b.key = c.key
    group by c.snap
), fixed as (
    select c.snap, count(*) as n, count(*) filter (where m.key is null) as by_deletion
    from (select distinct snap, key from h_conflict_gone) c
    left join h_model m on m.snap = c.snap and m.key = c.key
    group by c.snap
)
select s.snap, s.prev,
       coalesce(born.n, 0) as new_models, coalesce(gone.n, 0) as deleted_models, coalesce(kept.n, 0) as models_in_both,
       coalesce(moved.changed, 0) as changed, coalesce(moved.tighter, 0) as tighter, coalesce(moved.looser, 0) as looser,
       coalesce(moved.lateral, 0) as lateral, coalesce(moved.added, 0) as added, coalesce(moved.removed, 0) as removed,
       coalesce(moved.relabelled, 0) as relabelled,
       coalesce(fresh.n, 0) as new_conflicts, coalesce(fresh.in_new_models, 0) as new_conflicts_in_new_models,
       coalesce(fixed.n, 0) as resolved_conflicts, coalesce(fixed.by_deletion, 0) as resolved_by_deletion
from h_step s
left join born on born.snap = s.snap left join gone on gone.snap = s.snap left join kept on kept.snap = s.snap
left join moved on moved.snap = s.snap left join fresh on fresh.snap = s.snap left join fixed on fixed.snap = s.snap
order by s.snap
"""

CHANGED_MODELS = """
select snap, id, before_licenses, after_licenses, direction, relabelled
from h_changed
order by snap, direction, id
"""

# Per model whose conflicts changed: the pairs that appeared or went, and whether the model is
# new to the Hub (`new` pairs) or gone from it (`resolved` pairs).
CONFLICT_CHANGES = """
with events as (
    select snap, key, 'new' as change, declared, inherited from h_conflict_new
    union all
    select snap, key, 'resolved' as change, declared, inherited from h_conflict_gone
)
select e.snap, coalesce(n.id, o.id) as id, e.change,
       string_agg(e.declared || ' <- ' || e.inherited, ', ' order by e.declared || ' <- ' || e.inherited) as pairs,
       case when e.change = 'new' and o.key is null then 'new model'
            when e.change = 'resolved' and n.key is null then 'deleted'
            else 'same model' end as model
from events e join h_step s on s.snap = e.snap
left join h_model n on n.snap = e.snap and n.key = e.key
left join h_model o on o.snap = s.prev and o.key = e.key
group by e.snap, e.key, e.change, n.id, o.id, n.key, o.key
order by e.snap, e.change, id
"""

RESULTS: dict[str, str] = {
    "snapshots": SNAPSHOTS, "categories": CATEGORIES, "changes": CHANGES,
    "changed_models": CHANGED_MODELS, "conflict_changes": CONFLICT_CHANGES,
}
