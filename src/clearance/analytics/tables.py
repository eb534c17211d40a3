"""Load Hub snapshots (JSON Lines or Parquet, DESIGN.md's contract) into DuckDB tables.

A row with a `deleted_at` (a model the Hub no longer lists, marked by `clearance hub pull`) is
no present model: it is left out, after the later snapshot's record of an id has won (so a
later snapshot that marks an id gone removes it).

Tables, keyed by an integer number `n` per model (an integer hashes and compares in a fraction
of an id's time):
  models(id, kind, created_at, downloads, license_name, license_link, snapshot)
      a model's `n` is its `rowid`: the table is written once and never has a row deleted, so
      the row ids are dense and stay as they are. `model_ids(n, kind, key, id, created_at,
      downloads)` names them, with the lower-cased id `key` that the Hub matches ids by
      (computed where it is read: storing it costs the read of 3M records a fifth more)
  declared(n, value)                        a row per declared license value (a value may repeat)
  edges_n(child_n, parent_n, relation, evidence)
      typed lineage edges between weights, from base-model references (a model's `dataset:`
      tags, `trained_on` in the graph builder, are not read: no analytic walks them, and a
      dataset reference never changes a weight edge's relation). A parent that is no model in the
      snapshot (deleted, private, a typo) gets an `n` after every model's.
  parent_ids(parent, n)                     each parent's number
  edges(child, parent, relation, evidence, child_n, parent_n)
      a view: the same edges by id
  snapshot_dates(snapshot, date)            each snapshot's newest lastModified / createdAt
Everything is set-based SQL: no Python loop per model.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from clearance.artifacts.relations import QUANT_ID_RE2, QUANT_TAGS
from clearance.util.errors import ClearanceError

RELATIONS = ("finetune", "adapter", "merge", "quantized")
# Each (relation, evidence) an edge can have, numbered in order of precedence: when a model
# names the same parent several ways, a typed hub tag wins over the card, the card over an
# inferred relation. Edges carry the number while they are grouped (an integer is cheaper than strings).
_KINDS = (
    [(r, f"hub tag base_model:{r}") for r in RELATIONS[1:]]
    + [(r, "card base_model_relation") for r in RELATIONS]
    + [("quantized", "inferred: quantization markers in name or tags"), ("merge", "inferred: several base models"),
       ("finetune", "card base_model (relation not stated)")]
)
_KIND = {k: i for i, k in enumerate(_KINDS, start=1)}
# What a JSON Lines record is read for (other keys are not parsed); `lastModified` only to date a
# snapshot (`dates`).
_COLUMNS = ("'id': 'VARCHAR', 'type': 'VARCHAR', 'createdAt': 'VARCHAR', 'downloads': 'BIGINT', 'tags': 'VARCHAR[]', "
            "'cardData': 'JSON', 'deleted_at': 'VARCHAR'")


class SnapshotError(ClearanceError, ValueError):
    """A snapshot file cannot be read: the message names the file and what is wrong."""


def _reader(path: Path, skip_bad: bool = False, dates: bool = False) -> str:
    p = str(path).replace("'", "''")
    if path.suffix == ".parquet":
        return f"read_parquet('{p}', union_by_name=true)"
    columns = "{" + _COLUMNS + (", 'lastModified': 'VARCHAR'" if dates else "") + "}"
    return f"read_json('{p}', format='newline_delimited', columns={columns}, ignore_errors={str(skip_bad).lower()})"


def bad_lines(con: duckdb.DuckDBPyConnection, path: Path) -> list[int]:
    """The numbers of the lines of a JSON Lines file that are not JSON, in one set-based pass:
    each line read as one text column (a delimiter and quote no JSON line has), then json_valid."""
    p = str(path).replace("'", "''")
    try:
        return [n for (n,) in con.execute(f"""
            select n from (
                select row_number() over () as n, line from read_csv('{p}', columns={{'line': 'VARCHAR'}}, delim='\x01',
                       quote='', escape='', header=false, auto_detect=false, strict_mode=false)
            ) where trim(line) <> '' and not json_valid(line) order by n""").fetchall()]
    except duckdb.Error:
        return []


def load(con: duckdb.DuckDBPyConnection, snapshots: Sequence[Path], *, dates: bool = False) -> list[str]:
    """Create the tables from one or more snapshots; a later snapshot's record of the same id wins.
    `dates`: also `snapshot_dates` (only `hub history` asks: reading lastModified costs a Parquet
    read a column it otherwise skips).
    A line that is not JSON is skipped, as `check` skips it: the warnings say where (returned)."""
    if not snapshots:
        raise SnapshotError("no snapshot given")
    paths = [Path(p) for p in snapshots]
    for path in paths:
        if not path.is_file():
            raise SnapshotError(f"{path}: no such file")
    try:
        _load_models(con, paths, set(), dates)
        warnings: list[str] = []
    except duckdb.Error as exc:
        # Only a snapshot with corrupt lines costs the second look: find them, then read again skipping them.
        skip, warnings = set(), []
        for path in paths:
            bad = bad_lines(con, path) if path.suffix != ".parquet" else []
            if bad:
                skip.add(path)
                warnings.append(f"{path}: {len(bad)} bad line(s) skipped; first: {path}:{bad[0]}: not valid JSON")
        if not skip:
            raise SnapshotError(f"cannot read snapshot: {str(exc).splitlines()[0]}") from None
        try:
            _load_models(con, paths, skip, dates)
        except duckdb.Error as again:
            raise SnapshotError(f"cannot read snapshot: {str(again).splitlines()[0]}") from None
    _load_rest(con, dates)
    return warnings


def _missing_columns(con: duckdb.DuckDBPyConnection, path: Path) -> str:
    """The optional columns a Parquet snapshot may lack, added as null so that every snapshot
    has them: `deleted_at` (only `hub pull` writes it) and `lastModified` (dates a snapshot for
    `hub history`; other tools' exports may leave it out). JSON Lines snapshots read them by name."""
    if path.suffix != ".parquet":
        return ""
    p = str(path).replace("'", "''")
    try:
        names = {n for (n,) in con.execute(f"select name from parquet_schema('{p}')").fetchall()}
    except duckdb.Error:
        return ""  # not Parquet: the read below says so
    return "".join(f"null::varchar as {c}, " for c in ("deleted_at", "lastModified") if c not in names)


def _load_models(con: duckdb.DuckDBPyConnection, paths: Sequence[Path], skip_bad: set[Path], dates: bool) -> None:
    parts = [f"select *, {_missing_columns(con, path)}{i} as snapshot from {_reader(path, path in skip_bad, dates)}"
             for i, path in enumerate(paths)]
    # A view, not a table: the snapshot is read once, by the statement below.
    con.execute("create or replace temp view raw as " + " union all by name ".join(parts))
    # One pass over the records: the card's JSON is parsed once and only the fields
    # lineage and licensing need are kept; the tags whole (`tag` below keeps the ones read).
    # Read only for `snapshot_dates`: otherwise a Parquet read skips the column.
    modified = ("greatest(try_cast(lastModified as timestamp), try_cast(createdAt as timestamp)) as modified_at,"
                if dates else "")
    con.execute(f"""
        create or replace temp table models as
        with picked as (
            select id, coalesce(type, 'model') as kind,
                   try_cast(createdAt as timestamp) as created_at,
                   {modified}
                   coalesce(downloads, 0) as downloads, snapshot,
                   tags,  -- filtered when unnested, below (cheaper than a lambda here); a null list unnests to nothing
                   deleted_at is not null as gone,
                   json_extract(cardData, ['$.license', '$.base_model', '$.base_model_relation',
                                           '$.license_name', '$.license_link', '$.quantized_by']) as card
            from raw where id is not null
        )
        select id, kind, created_at, downloads, snapshot, tags, gone,{' modified_at,' if dates else ''}
               card[1] as card_license, card[2] as card_base_model, card[3] ->> '$' as base_model_relation,
               card[4] ->> '$' as license_name, card[5] ->> '$' as license_link, card[6] ->> '$' as quantized_by
        from picked
    """)


def _load_rest(con: duckdb.DuckDBPyConnection, dates: bool) -> None:
    # Each snapshot's newest lastModified / createdAt, records marked deleted included (what
    # `hub history` dates an undated snapshot by): kept here, so the file is not read again for it.
    if dates:
        con.execute("create or replace temp table snapshot_dates as "
                    "select snapshot, max(modified_at)::date as date from models group by snapshot")
    # The same id twice (two snapshots, or a repeated line): the later snapshot's record wins.
    # Checked first, because the de-duplication is a full sort that a clean snapshot never needs;
    # on the ids' hashes, cheaper to group than strings (a collision only costs the sort).
    # What the Hub no longer lists (deleted_at, set by `hub pull`) is no present model. Either
    # way the table is written anew, not deleted from: its row ids must stay dense (`n`).
    several = bool(con.execute("select 1 from models group by hash(lower(id)) having count(*) > 1 limit 1").fetchall())
    if several or con.execute("select 1 from models where gone limit 1").fetchall():
        latest = "qualify row_number() over (partition by lower(id) order by snapshot desc) = 1" if several else ""
        con.execute(f"create or replace temp table models as select * from (select * from models {latest}) where not gone")
    con.execute("alter table models drop column gone")
    if dates:
        con.execute("alter table models drop column modified_at")
    # Only the tags read below: the two prefixes and the quantization markers. (Lower-casing
    # never shortens a string, so a tag longer than every marker is not lower-cased to compare.)
    con.execute(f"""
        create or replace temp table tag as
        select n, t from (select rowid as n, unnest(tags) as t from models)
        where t like 'license:%' or t like 'base_model:%'
           or (length(t) <= {max(map(len, QUANT_TAGS))} and lower(t) in ?)
    """, [sorted(QUANT_TAGS)])
    # Not made distinct (that cost a third of it): a value the card states as a tag states it
    # already (as the Hub tags a card's license) is left out, and what repeats after that (a tag
    # twice, an array repeating itself) every reader of `declared` takes once.
    con.execute("""
        create or replace temp table declared as
        select n, trim(value) as value from (
            select n, substr(t, 9) as value from tag where t like 'license:%'
            union all
            select rowid, v from (select rowid, tags, card_license ->> '$' as v from models where json_type(card_license) = 'VARCHAR')
             where not coalesce(list_contains(tags, 'license:' || v), false)
            union all
            select rowid, unnest(from_json(card_license, '["VARCHAR"]')) from models
             where json_type(card_license) = 'ARRAY'
        ) where value is not null and trim(value) <> ''
    """)
    con.execute("alter table models drop column tags")
    # Every base-model reference a model makes (hub tags, the card), each read once and
    # grouped once per (child, parent): the kinds a hub tag states, whether a reference says no
    # relation (then the relation is inferred, as artifacts/relations.py's type_edges), and the
    # card's stated relation. A reference is read as graph/ids.py reads one first (a datasets/ or
    # models/ prefix and an @revision dropped), so its variants are one parent, as the engine's.
    con.execute(f"""
        create or replace temp table edge_kinds as
        with tagged as (  -- base_model:<parent> or base_model:<relation>:<parent> (more colons, another word: not read)
            select n, r, i
            from (select n, substr(t, 12) as r, strpos(substr(t, 12), ':') as i from tag where t like 'base_model:%')
            where i = 0 or (substr(r, 1, i - 1) in {RELATIONS} and strpos(substr(r, i + 1), ':') = 0)
        ), refs as (
            -- `finetune` is the Hub's default, not a statement (graph/relations.py): untyped
            select n, lower(case when i = 0 then r else substr(r, i + 1) end) as parent,
                   case when i > 0 then list_position({list(RELATIONS[1:])}, substr(r, 1, i - 1)) end as stated,
                   i = 0 or substr(r, 1, i - 1) = 'finetune' as untyped, null as card_relation
            from tagged
            union all
            select n, lower(b), null, true, base_model_relation
            from (
                select rowid as n, base_model_relation, card_base_model ->> '$' as b from models
                 where json_type(card_base_model) = 'VARCHAR'
                union all
                select rowid, base_model_relation, unnest(from_json(card_base_model, '["VARCHAR"]')) from models
                 where json_type(card_base_model) = 'ARRAY'
            ) where b is not null and trim(b) <> ''
        ), grouped as materialized (  -- self-references stay: the engine reports them
            select n, parent, min(stated) as stated, bool_or(untyped) as untyped, any_value(card_relation) as card_relation
            from (
                select n, stated, untyped, card_relation,
                       case when parent like 'datasets/%' or parent like 'models/%' or parent like '%@%'
                            then regexp_replace(regexp_replace(parent, '^(datasets|models)/', ''), '@.*$', '')
                            else parent end as parent
                from refs
            )
            group by n, parent  -- `n` is the child's number: grouped by it, not by the child's id
        ), quant as materialized (  -- the markers sources/metadata.py reads: a quantization's tags, quantized_by
            select rowid as n from models  -- or name (one test of the id costs less than finding whose to test)
             where coalesce(quantized_by, '') <> '' or regexp_matches(lower(id), '{QUANT_ID_RE2}')
            union  -- (`tag` keeps the two prefixes and the quantization markers, whatever their case:
                   -- what has neither prefix is a marker, no lower() and lookup per tag)
            select n from tag where not (t like 'license:%' or t like 'base_model:%')
        ), several as (  -- children naming more than one base without a relation: few, a small set to look up
            select n from grouped where untyped group by n having count(*) > 1
        )
        -- of a reference's kinds the first wins: a hub tag's, then the card's, then the inferred
        select n, parent,
               least(stated, case
                   when not untyped then null
                   when card_relation in {RELATIONS} then {len(RELATIONS) - 1} + list_position({list(RELATIONS)}, card_relation)
                   when n in (select n from quant) then {_KIND['quantized', 'inferred: quantization markers in name or tags']}
                   when n in (select n from several) then {_KIND['merge', 'inferred: several base models']}
                   else {_KIND['finetune', 'card base_model (relation not stated)']} end) as kind
        from grouped
    """)
    # A parent must have the shape of a Hub id: asked once per distinct parent, which a table of
    # its own guarantees (in one statement DuckDB pushes the test below the distinct, to every edge).
    # Each valid parent's number: the model's, or for a parent that is no model, one after them all.
    con.execute("create or replace temp table edge_parents as select distinct parent from edge_kinds")
    con.execute("""
        create or replace temp table parent_ids as
        with found as materialized (
            select p.parent, m.rowid as n
            from (select parent from edge_parents
                  where regexp_matches(parent, '^([a-z0-9_][a-z0-9_.-]{0,254}/)?[a-z0-9_][a-z0-9_.-]{0,254}$')) p
            left join models m on lower(m.id) = p.parent
        )
        select parent, n from found where n is not null
        union all
        select parent, (select coalesce(max(rowid), -1) + 1 from models) + row_number() over (order by parent) - 1
        from found where n is null
    """)
    con.execute(f"""
        create or replace temp table edges_n as
        select r.n as child_n, p.n as parent_n, k.relation, k.evidence
        from edge_kinds r join parent_ids p on p.parent = r.parent
        join (values {", ".join(f"({code}, '{rel}', '{ev}')" for (rel, ev), code in _KIND.items())}) k(kind, relation, evidence)
          on k.kind = r.kind
    """)
    # The models as the lineage walk reads them: by number (propagate.py); the edges by id, for
    # what asks by id (families, history, tests): a view, so that only they pay the joins.
    con.execute("create or replace temp view model_ids as "
                "select rowid as n, kind, lower(id) as key, id, created_at, downloads from models")
    con.execute("""
        create or replace temp view edges as
        select m.key as child, p.parent, e.relation, e.evidence, e.child_n, e.parent_n
        from edges_n e join model_ids m on m.n = e.child_n join parent_ids p on p.n = e.parent_n
    """)
    for t in ("edge_kinds", "edge_parents"):
        con.execute(f"drop table {t}")
    # What only the statements above read: freed before the rest of the analysis runs.
    con.execute("drop table tag")
    for column in ("card_license", "card_base_model", "base_model_relation", "quantized_by"):
        con.execute(f"alter table models drop column {column}")
