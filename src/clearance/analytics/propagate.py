"""Propagate license terms down the lineage, in set-based SQL that runs on DuckDB or Spark.

Per model, what its weight ancestors (every model reachable through lineage edges, which
`tables.load` only draws between weights; the model itself excluded) bring: the KB ids they declare (datasets excluded: data terms are a
review item, as the engine's lenient default), and whether one of them is missing, declares no
license, or declares one that does not resolve. What a model's verdict, findings and conflicts
are, given that, is the engine's rule, applied in Python once per distinct combination
(`judge.py`); this module only moves sets.

How it scales. Each license KB id is one bit of a few BIGINT words (63 bits each, so that no
engine needs unsigned integers), so what a model inherits is a bitmask and the union over its
parents is `bit_or`. The lineage is walked in topological order (Kahn's algorithm, one level
per statement): a model is settled once all its parents are, and each edge is joined once, from
its parent's level. Nothing the size of the model × ancestor closure is ever built. A model on
a cycle (or below one) never settles; those few get the exact answer from the closure of just
their own ancestors.

The SQL is written once, in DuckDB's dialect, and kept to what SQLGlot carries to Spark SQL:
joins, `group by`, `bit_or`, `bool_or`, `anti join`; no lists, lambdas or unsigned integers.
It joins models by their integer number `n`, never by id. Input tables (from `tables.load` and
`licenses.register`): model_ids(n, kind), resolved(n, kb_id), edges_n(child_n, parent_n,
relation), and license_bit(kb_id, word, mask) (`license_bits`).

`closure(key, ancestor, depth)` (every weight ancestor of every model) is still available, for
`families`: built on demand by `build_closure`, with one join per lineage level.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from clearance.analytics.engines import Engine
from clearance.kb.normalizer import PLACEHOLDERS

MAX_LEVELS = 10_000  # far beyond any real lineage; a safety net, not a limit in practice
WORD = 63  # bits per BIGINT word of a license mask (the sign bit left alone)
# Flags an ancestor passes down, as bits of one integer.
MISSING, UNLICENSED, UNRESOLVED = 1, 2, 4
# The knowledge base's placeholder ids (`other`, `unknown`, `cc`): declared, they say nothing
# about which license applies (kb.normalizer.PLACEHOLDERS, the engine's list).
UNRESOLVED_IDS = tuple(sorted(PLACEHOLDERS))
_ZERO = "cast(0 as bigint)"

def weight_edges_sql(child: str = "child", parent: str = "parent", table: str = "edges") -> str:
    """The weight edges (self-edges left out) of `edges` by id or, given the `child_n`/`parent_n`
    columns of `edges_n`, by number, as (child, parent)."""
    return f"select {child} as child, {parent} as parent from {table} where {child} <> {parent}"


def quantization_sql(child: str = "child", parent: str = "parent", name: str = "key", table: str = "edges") -> str:
    """Quantizations: every weight parent is a `quantized` edge. Their weights are the base's, so
    a license they leave undeclared or unresolved is the base's, not unknown (as the engine)."""
    return f"""
select {child} as {name} from {table} where {child} <> {parent}
group by {child} having bool_and(relation = 'quantized')
"""


def build_weight_edges(con: duckdb.DuckDBPyConnection) -> None:
    """`weight_edges(child, parent)` and `quantization(key)`, by id, in a DuckDB connection."""
    con.execute(f"create or replace temp table weight_edges as {weight_edges_sql()}")
    con.execute(f"create or replace temp table quantization as {quantization_sql()}")


def license_bits(ids: list[str]) -> dict[str, tuple[int, int]]:
    """Each KB id's (word, mask): its bit, in id order."""
    return {kb_id: (i // WORD, 1 << (i % WORD)) for i, kb_id in enumerate(sorted(ids))}


def words(bits: dict[str, tuple[int, int]]) -> int:
    return max(1, -(-len(bits) // WORD))


def mask_columns(n: int) -> tuple[list[str], list[str]]:
    """The declared (d0..) and inherited (a0..) mask columns of `n` words."""
    return [f"d{w}" for w in range(n)], [f"a{w}" for w in range(n)]


def key_columns(n: int) -> list[str]:
    """The columns a model's verdict, findings and conflicts depend on (and nothing else)."""
    D, A = mask_columns(n)
    return [*D, "has_values", "unresolved", *A, "flags", "quantization"]


def closure_sql(table: str = "closure", edges: str = "weight_edges", by: Sequence[str] = (),
                keys: str | None = None) -> tuple[str, str, str]:
    """The statements of `build_closure`: the first level, the next frontier (`{table}_frontier`)
    and the rows it adds (`{level}` to fill in). `by`: columns that partition edges and closure
    alike (`hub history`'s `snap`): a path never crosses from one partition to another."""
    p = "".join(f"{c}, " for c in by)
    same = "".join(f" and e.{c} = f.{c}" for c in by)
    also = "".join(f" and c.{c} = f.{c}" for c in by)
    start = edges if keys is None else f"{edges} where child in ({keys})"
    frontier = f"{table}_frontier"
    return (f"select {p}child as key, parent as ancestor, 1 as depth from {start}",
            f"""
            select distinct {"".join(f"f.{c}, " for c in by)}f.key, e.parent as ancestor
            from {frontier} f join {edges} e on e.child = f.ancestor{same}
            where e.parent <> f.key
              and not exists (select 1 from {table} c where c.key = f.key and c.ancestor = e.parent{also})
            """,
            f"select {p}key, ancestor, {{level}} as depth from {frontier}")


def build_closure(engine: Engine, keys: str | None = None, table: str = "closure", edges: str = "weight_edges",
                  by: Sequence[str] = ()) -> int:
    """`closure([by..,] key, ancestor, depth)` over `edges([by..,] child, parent)` (by id, or
    `wedge` by number), for every model or, given `keys` (a query of one column), only for those,
    into `table`. Iterative joins stopping when a level adds nothing, so cycles end by
    themselves; `depth` is the level that added a row. Returns the number of levels joined."""
    start, step, grow = closure_sql(table, edges, by, keys)
    frontier = f"{table}_frontier"
    engine.create(table, start)
    engine.create(frontier, f"select {''.join(f'{c}, ' for c in by)}key, ancestor from {table}")
    level = 1
    while level < MAX_LEVELS:
        engine.create(frontier, step)
        if not engine.count(frontier):
            break
        level += 1
        engine.append(table, grow.format(level=level))
    engine.drop(frontier)
    return level


def build_keyed(engine: Engine, n_words: int, carry: Sequence[str] = ()) -> None:
    """`audit_keyed(n, d0.., has_values, unresolved, a0.., flags, quantization, *carry)`: per
    model (kind `model`), its declared mask (placeholders included), whether it declares anything
    and whether a value is unresolved, what its ancestors pass down, whether it is a
    quantization; and the columns of `model_ids` named in `carry`."""
    D, A = mask_columns(n_words)
    engine.create("wedge", weight_edges_sql("child_n", "parent_n", "edges_n"))
    engine.create("quantization_n", quantization_sql("child_n", "parent_n", "n", "edges_n"))

    def word_of(w: int, cond: str) -> str:
        return f"coalesce(bit_or(case when b.word = {w} and {cond} then b.mask end), {_ZERO})"

    # Per model with a license row: the declared mask, the inheritable one (placeholders are not
    # passed down), and whether a value is unresolved. A model without a row declares nothing.
    engine.create("own", f"""
        select r.n,
               {", ".join(f"{word_of(w, 'true')} as d{w}" for w in range(n_words))},
               {", ".join(f"{word_of(w, f'b.kb_id not in {UNRESOLVED_IDS}')} as i{w}" for w in range(n_words))},
               bool_or(r.kb_id is null or r.kb_id in {UNRESOLVED_IDS}) as unresolved
        from resolved r left join license_bit b on b.kb_id = r.kb_id
        group by r.n
    """)
    _propagate(engine, n_words)
    engine.create("audit_keyed", f"""
        select m.n,
               {", ".join(f"coalesce(o.{d}, {_ZERO}) as {d}" for d in D)},
               o.n is not null as has_values, coalesce(o.unresolved, false) as unresolved,
               {", ".join(f"coalesce(g.{a}, {_ZERO}) as {a}" for a in A)},
               coalesce(g.flags, 0) as flags, q.n is not null as quantization{"".join(f", m.{c}" for c in carry)}
        from model_ids m left join own o on o.n = m.n left join quantization_n q on q.n = m.n
        left join settled g on g.n = m.n
        where m.kind = 'model'
    """)
    for t in ("own", "settled", "wedge", "quantization_n"):
        engine.drop(t)


def _propagate(engine: Engine, n_words: int) -> None:
    """`settled(n, a0.., flags)`: per lineage node, the union over its ancestors (itself
    excluded) of their inheritable license bits and flags (zero for a root)."""
    A = [f"a{w}" for w in range(n_words)]
    C = [f"c{w}" for w in range(n_words)]
    # Per node (each child, with its parent count; each root, a parent that is no child): what it
    # passes to its children of its own (its inheritable bits and flags; once settled, ORed with
    # what it inherited). A child is a model by construction; a root may be missing from the
    # snapshot (only roots are looked up among the models).
    engine.create("gives", f"""
        with parents as (select child as n, cast(count(*) as integer) as k from wedge group by child),
        roots as (select p.n from (select distinct parent as n from wedge) p anti join parents c on c.n = p.n),
        node as (select n, k from parents union all select n, 0 from roots),
        missing as (select r.n from roots r anti join model_ids m on m.n = r.n)
        select d.n, d.k, {", ".join(f"coalesce(o.i{w}, {_ZERO}) as a{w}" for w in range(n_words))},
               case when x.n is not null then {MISSING}
                    when q.n is not null then 0
                    when o.n is null then {UNLICENSED} when o.unresolved then {UNRESOLVED} else 0 end as flags
        from node d left join missing x on x.n = d.n
        left join own o on o.n = d.n left join quantization_n q on q.n = d.n
    """)
    # Settled nodes: what they inherited (a.., flags) and what they pass on (c.., cflags: that
    # and their own). Roots (no parents) inherit nothing. Each level's settled nodes are a table
    # of their own, the next level's frontier, unioned at the end (appending to one table level
    # after level costs more than all the levels' joins). `pending`: the children some of whose
    # parents have arrived, and what those brought.
    engine.create("settled_0", f"""
        select n, {", ".join(f"{_ZERO} as {a}" for a in A)}, 0 as flags,
               {", ".join(f"{a} as {c}" for a, c in zip(A, C))}, flags as cflags
        from gives where k = 0
    """)
    engine.create("pending", f"""
        select n, k, {", ".join(A)}, flags from gives where false
    """)
    level = 0
    while level < MAX_LEVELS:
        # Each edge from a node settled at the last level, once; grouped per child.
        engine.create("step", f"""
            select e.child as n, cast(count(*) as integer) as k,
                   {", ".join(f"bit_or(f.{c}) as {a}" for a, c in zip(A, C))}, bit_or(f.cflags) as flags
            from settled_{level} f join wedge e on e.parent = f.n
            group by e.child
        """)
        arrived = engine.count("step")
        if not arrived:
            break
        level += 1
        # A child settles when every one of its parents has arrived (now or at an earlier level).
        engine.create(f"settled_{level}", f"""
            with t as (
                select s.n, g.k = s.k + coalesce(p.k, 0) as complete,
                       {", ".join(f"s.{a} | coalesce(p.{a}, {_ZERO}) as {a}" for a in A)},
                       s.flags | coalesce(p.flags, 0) as flags,
                       {", ".join(f"g.{a} as own_{a}" for a in A)}, g.flags as own_flags
                from step s join gives g on g.n = s.n left join pending p on p.n = s.n
            )
            select n, {", ".join(A)}, flags, {", ".join(f"{a} | own_{a} as {c}" for a, c in zip(A, C))},
                   flags | own_flags as cflags
            from t where complete
        """)
        if engine.count(f"settled_{level}") < arrived:
            engine.create("pending", f"""
                select x.n, cast(sum(x.k) as integer) as k, {", ".join(f"bit_or(x.{a}) as {a}" for a in A)},
                       bit_or(x.flags) as flags
                from (select * from pending union all select * from step) x anti join settled_{level} s on s.n = x.n
                group by x.n
            """)
    engine.create("settled", " union all ".join(
        f"select n, {', '.join(A)}, flags from settled_{i}" for i in range(level + 1)))
    for i in range(level + 1):
        engine.drop(f"settled_{i}")
    # On a cycle or below one a node never settles: its exact answer comes from the closure
    # of just those nodes (none, on the Hub as seen so far).
    engine.create("unsettled", "select g.n from gives g anti join settled s on s.n = g.n")
    if engine.count("unsettled"):
        build_closure(engine, "select n from unsettled", table="unsettled_closure", edges="wedge")
        engine.create("settled", f"""
            select n, {", ".join(A)}, flags from settled
            union all
            select c.key as n, {", ".join(f"bit_or(g.{a}) as {a}" for a in A)}, bit_or(g.flags) as flags
            from unsettled_closure c join gives g on g.n = c.ancestor
            group by c.key
        """)
        engine.drop("unsettled_closure")
    for t in ("unsettled", "step", "pending", "gives"):
        engine.drop(t)
