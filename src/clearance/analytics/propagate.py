"""Propagate license terms down the lineage, in set-based SQL.

Per model, what its weight ancestors (every model reachable through non-`trained_on` edges,
the model itself excluded) bring: the KB ids they declare (datasets excluded: data terms are a
review item, as the engine's lenient default), and whether one of them is missing, declares no
license, or declares one that does not resolve. Then:
  binding licenses = declared ∪ inherited,
  verdict = the worst per-license verdict (from the engine, via license_info), `unknown`
  when the model or an ancestor declares no license, declares an unknown one, or is missing.

How it scales. Each license KB id is one bit of a few UBIGINT words, so what a model inherits
is a bitmask and the union over its parents is `bit_or`. The lineage is walked in topological
order (Kahn's algorithm, one level per statement): a model is settled once all its parents are,
and each edge is joined once, from its parent's level. Nothing the size of the model × ancestor
closure is ever built. A model on a cycle (or below one) never settles; those few get the exact
answer from the closure of just their own ancestors. A model's verdict, findings and conflicts
depend only on (declared mask, inherited mask, flags): those combinations number in the
thousands, each is evaluated once with the license tables, and models point at theirs.

`closure(key, ancestor, depth)` (every weight ancestor of every model) is still available, for
`families`: built on demand by `build_closure`, with one join per lineage level.
"""

from __future__ import annotations

import duckdb

from clearance.kb.normalizer import PLACEHOLDERS

MAX_LEVELS = 10_000  # far beyond any real lineage; a safety net, not a limit in practice
WORD = 64  # bits per UBIGINT word of a license mask
# Flags an ancestor passes down, as bits of one integer.
MISSING, UNLICENSED, UNRESOLVED = 1, 2, 4
# The knowledge base's placeholder ids (`other`, `unknown`, `cc`): declared, they say nothing
# about which license applies (kb.normalizer.PLACEHOLDERS, the engine's list).
UNRESOLVED_IDS = tuple(sorted(PLACEHOLDERS))


def build_weight_edges(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""
        create or replace temp table weight_edges as
        select child, parent from edges where relation <> 'trained_on' and child <> parent
    """)
    # Quantizations: every weight parent is a `quantized` edge. Their weights are the base's,
    # so a license they leave undeclared or unresolved is the base's, not unknown (as the engine).
    con.execute("""
        create or replace temp table quantization as
        select child as key from edges where relation <> 'trained_on' and child <> parent
        group by child having bool_and(relation = 'quantized')
    """)


def build_closure(con: duckdb.DuckDBPyConnection, keys: str | None = None, table: str = "closure") -> int:
    """`closure(key, ancestor, depth)`, for every model or, given `keys` (a query of one
    column), only for those, into `table`. Iterative joins stopping when a level adds nothing, so cycles end
    by themselves. Returns the number of levels joined."""
    start = "weight_edges" if keys is None else f"weight_edges where child in ({keys})"
    con.execute(f"create or replace temp table {table} as select child as key, parent as ancestor, 1 as depth from {start}")
    con.execute(f"create or replace temp table closure_frontier as select key, ancestor from {table}")
    level = 1
    while level < MAX_LEVELS:
        con.execute(f"""
            create or replace temp table closure_frontier as
            select distinct f.key, e.parent as ancestor
            from closure_frontier f join weight_edges e on e.child = f.ancestor
            where e.parent <> f.key
              and not exists (select 1 from {table} c where c.key = f.key and c.ancestor = e.parent)
        """)
        added = con.execute("select count(*) from closure_frontier").fetchall()[0][0]
        if not added:
            break
        level += 1
        con.execute(f"insert into {table} select key, ancestor, {level} from closure_frontier")
    con.execute("drop table if exists closure_frontier")
    return level


def _words(con: duckdb.DuckDBPyConnection) -> int:
    n = con.execute("select count(*) from license_info").fetchall()[0][0]
    return max(1, -(-n // WORD))


def _cols(prefix: str, words: int) -> list[str]:
    return [f"{prefix}{w}" for w in range(words)]


def build_audit(con: duckdb.DuckDBPyConnection, use: str = "commercial") -> None:
    """`audit`: one row per model — verdict, declared and inherited KB ids, finding names,
    conflicts."""
    words = _words(con)
    D, A = _cols("d", words), _cols("a", words)
    con.execute("""
        create or replace temp table license_bit as
        select kb_id, (row_number() over (order by kb_id) - 1)::integer as bit from license_info
    """)
    # Per key with a license row: the declared mask (placeholders included), and whether a
    # value is unresolved. A key in `models` without a row declares nothing.
    word_of = lambda w, cond: (f"coalesce(bit_or(case when b.bit // {WORD} = {w} and {cond} "
                               f"then (1::ubigint << (b.bit % {WORD})) end), 0::ubigint)")
    con.execute(f"""
        create or replace temp table own as
        select r.key,
               {", ".join(f"{word_of(w, 'true')} as d{w}" for w in range(words))},
               {", ".join(f"{word_of(w, f'b.kb_id not in {UNRESOLVED_IDS}')} as i{w}" for w in range(words))},
               bool_or(r.kb_id is null or r.kb_id in {UNRESOLVED_IDS}) as unresolved
        from resolved r left join license_bit b on b.kb_id = r.kb_id
        group by r.key
    """)
    _propagate(con, words)
    verdict_col = f"{use}_verdict"
    zero = "0::ubigint"
    con.execute(f"""
        create or replace temp table audit_keyed as
        select m.key, m.id, m.created_at, m.downloads, m.pipeline_tag,
               {", ".join(f"coalesce(o.{d}, {zero}) as {d}" for d in D)},
               o.key is not null as has_values, coalesce(o.unresolved, false) as unresolved,
               {", ".join(f"coalesce(g.{a}, {zero}) as {a}" for a in A)},
               coalesce(g.flags, 0) as flags, q.key is not null as quantization
        from models m left join own o on o.key = m.key left join quantization q on q.key = m.key
        left join node n on n.key = m.key left join settled g on g.n = n.n
        where m.kind = 'model'
    """)
    bit_in = lambda cols: (f"(case b.bit // {WORD} " + " ".join(f"when {w} then c.{col}" for w, col in enumerate(cols))
                           + f" end >> (b.bit % {WORD})) & 1::ubigint = 1::ubigint")
    keycols = [*D, "has_values", "unresolved", *A, "flags", "quantization"]
    con.execute(f"""
        create or replace temp table combo as
        with c as (
            select {", ".join(keycols)}, row_number() over () as cid
            from (select distinct {", ".join(keycols)} from audit_keyed)
        ), dl as (
            select c.cid, b.kb_id from c join license_bit b on {bit_in(D)}
        ), il as (
            select c.cid, b.kb_id from c join license_bit b on {bit_in(A)}
        ), decl as (
            select cid, list(kb_id order by kb_id) as declared from dl group by cid
        ), inh as (
            select cid, list(kb_id order by kb_id) as inherited from il group by cid
        ), per_license as (
            select b.cid, list(i.{verdict_col}) as verdicts, flatten(list(i.findings)) as findings
            from (select * from dl union select * from il) b join license_info i on i.kb_id = b.kb_id join c on c.cid = b.cid
            where not (c.quantization and b.kb_id in {UNRESOLVED_IDS})  -- a quantization's `other` is its base's license
            group by b.cid
        ), conflicts as (
            select d.cid, list(distinct p.declared || ' <- ' || p.inherited order by p.declared || ' <- ' || p.inherited) as pairs
            from dl d join conflict_pairs p on p.declared = d.kb_id join il a on a.cid = d.cid and a.kb_id = p.inherited
            join c on c.cid = d.cid
            where case when p.nd then not c.quantization  -- no derivative of an ND license, but copies
                       when not c.quantization and exists (select 1 from conflict_pairs n where n.inherited = a.kb_id and n.nd)
                            then false  -- already flagged by its ND row
                       else not exists (select 1 from dl d2 join satisfying s on s.declared = d2.kb_id
                                        where d2.cid = d.cid and s.inherited = a.kb_id) end
            group by d.cid
        ), flagged as (
            select c.*, (c.flags & {MISSING}) <> 0 as missing_ancestor, (c.flags & {UNLICENSED}) <> 0 as unlicensed_ancestor,
                   (c.flags & {UNRESOLVED}) <> 0 as unresolved_ancestor_license
            from c
        )
        select {", ".join(f"c.{k}" for k in keycols)},
               coalesce(d.declared, []) as declared_licenses,
               coalesce(a.inherited, []) as inherited_licenses,
               coalesce(x.pairs, []) as conflict_pairs,
               case
                 when list_contains(pl.verdicts, 'blocked') then 'blocked'
                 when ((not c.has_values or c.unresolved) and not c.quantization) or c.missing_ancestor or c.unlicensed_ancestor
                      or c.unresolved_ancestor_license or list_contains(pl.verdicts, 'unknown') then 'unknown'
                 when list_contains(pl.verdicts, 'conditional') then 'conditional'
                 else 'cleared'
               end as verdict,
               list_sort(list_distinct(list_concat(
                 coalesce(pl.findings, []),
                 case when x.pairs is not null then ['license-conflict'] else [] end,
                 case when not c.has_values or c.unlicensed_ancestor then ['missing-license'] else [] end,
                 case when c.unresolved or c.unresolved_ancestor_license then ['unresolved-license'] else [] end,
                 case when c.missing_ancestor then ['unresolved-ancestor'] else [] end
               ))) as findings
        from flagged c
        left join decl d on d.cid = c.cid left join inh a on a.cid = c.cid
        left join per_license pl on pl.cid = c.cid left join conflicts x on x.cid = c.cid
    """)
    # The per-model table stays narrow; its lists are the combination's, joined when read.
    con.execute(f"""
        create or replace temp view audit as
        select k.id, k.key, k.created_at, k.downloads, k.pipeline_tag,
               c.declared_licenses, c.inherited_licenses, c.conflict_pairs, c.verdict, c.findings
        from audit_keyed k join combo c using ({", ".join(keycols)})
    """)
    for t in ("own", "settled", "node"):
        con.execute(f"drop table {t}")


def _propagate(con: duckdb.DuckDBPyConnection, words: int) -> None:
    """`settled(n, a0.., flags)`: per lineage node (`node(key, n)`), the union over its
    ancestors (itself excluded) of their inheritable license bits and flags (zero for a root)."""
    A = _cols("a", words)
    zero = "0::ubigint"
    build_weight_edges(con)
    # Integer node ids for the walk; a parent not in `models` is a node too (missing).
    con.execute("""
        create or replace temp table node as
        select key, (row_number() over ())::integer as n, is_child
        from (select key, bool_or(is_child) as is_child
              from (select child as key, true as is_child from weight_edges union all select parent, false from weight_edges)
              group by key)
    """)
    con.execute("""
        create or replace temp table wedge as
        select c.n as child, p.n as parent
        from weight_edges e join node c on c.key = e.child join node p on p.key = e.parent
    """)
    # Per node: its parent count, and what it passes to its children of its own (its
    # inheritable bits and flags; once settled, ORed with what it inherited).
    # A child is a model by construction; a node that is only a parent may be missing: those
    # few are looked up among the models (the small side builds the join).
    con.execute(f"""
        create or replace temp table gives as
        with present as (select n.n from node n join models m on m.key = n.key where not n.is_child)
        select n.n, coalesce(i.k, 0) as k, {", ".join(f"coalesce(o.i{w}, {zero}) as a{w}" for w in range(words))},
               case when not n.is_child and n.n not in (select n from present) then {MISSING}
                    when q.key is not null then 0
                    when o.key is null then {UNLICENSED} when o.unresolved then {UNRESOLVED} else 0 end as flags
        from node n left join own o on o.key = n.key left join quantization q on q.key = n.key
        left join (select child as n, count(*)::integer as k from wedge group by child) i on i.n = n.n
    """)
    # Settled nodes: what they inherited (a.., flags) and what they pass on (c.., cflags: that
    # and their own). Roots (no parents) inherit nothing. Each level's settled nodes are a table
    # of their own, the next level's frontier, unioned at the end (appending to one table level
    # after level costs more than all the levels' joins). `pending`: the children some of whose
    # parents have arrived, and what those brought.
    C = _cols("c", words)
    con.execute(f"""
        create or replace temp table settled_0 as
        select n, {", ".join(f"{zero} as {a}" for a in A)}, 0 as flags, {", ".join(f"{a} as {c}" for a, c in zip(A, C))}, flags as cflags
        from gives where k = 0
    """)
    con.execute(f"create or replace temp table pending (n integer, k integer, {', '.join(f'{a} ubigint' for a in A)}, flags integer)")
    level = 0
    while level < MAX_LEVELS:
        # Each edge from a node settled at the last level, once; grouped per child.
        arrived = con.execute(f"""
            create or replace temp table step as
            select e.child as n, count(*)::integer as k, {", ".join(f"bit_or(f.{c}) as {a}" for a, c in zip(A, C))},
                   bit_or(f.cflags) as flags
            from settled_{level} f join wedge e on e.parent = f.n
            group by e.child
        """).fetchall()[0][0]
        if not arrived:
            break
        level += 1
        # A child settles when every one of its parents has arrived (now or at an earlier level).
        settled = con.execute(f"""
            create or replace temp table settled_{level} as
            with t as (
                select s.n, g.k = s.k + coalesce(p.k, 0) as complete,
                       {", ".join(f"s.{a} | coalesce(p.{a}, {zero}) as {a}" for a in A)}, s.flags | coalesce(p.flags, 0) as flags,
                       {", ".join(f"g.{a} as own_{a}" for a in A)}, g.flags as own_flags
                from step s join gives g on g.n = s.n left join pending p on p.n = s.n
            )
            select n, {", ".join(A)}, flags, {", ".join(f"{a} | own_{a} as {c}" for a, c in zip(A, C))}, flags | own_flags as cflags
            from t where complete
        """).fetchall()[0][0]
        if settled < arrived:
            con.execute(f"""
                create or replace temp table pending as
                select n, sum(k)::integer as k, {", ".join(f"bit_or({a}) as {a}" for a in A)}, bit_or(flags) as flags
                from (select * from pending union all select * from step) anti join settled_{level} using (n)
                group by n
            """)
    con.execute("create or replace temp table settled as " + " union all ".join(
        f"select n, {', '.join(A)}, flags from settled_{i}" for i in range(level + 1)))
    for i in range(level + 1):
        con.execute(f"drop table settled_{i}")
    # On a cycle or below one a node never settles: its exact answer comes from the closure
    # of just those nodes (none, on the Hub as seen so far).
    unsettled = "select key from node join gives using (n) anti join settled using (n)"
    if con.execute(f"select count(*) from ({unsettled})").fetchall()[0][0]:
        build_closure(con, unsettled, table="unsettled_closure")
        con.execute(f"""
            insert into settled
            select n.n, {", ".join(f"bit_or(g.{a})" for a in A)}, bit_or(g.flags)
            from unsettled_closure c join node n on n.key = c.key join node p on p.key = c.ancestor join gives g on g.n = p.n
            group by n.n
        """)
        con.execute("drop table unsettled_closure")
    for t in ("step", "pending", "gives", "wedge"):
        con.execute(f"drop table if exists {t}")
