"""Load Hub snapshots (JSON Lines or Parquet, DESIGN.md's contract) into DuckDB tables.

A row with a `deleted_at` (a model the Hub no longer lists, marked by `clearance hub pull`) is
no present model: it is left out, after the later snapshot's record of an id has won (so a
later snapshot that marks an id gone removes it).

Tables, all keyed by the lower-cased id (the Hub matches ids case-insensitively):
  models(key, id, kind, created_at, downloads, likes, pipeline_tag, license_name, license_link, snapshot)
  declared(key, value)                       one row per distinct declared license value
  edges(child, parent, relation, evidence)   typed lineage edges; datasets as `trained_on`
  snapshot_dates(snapshot, date)            each snapshot's newest lastModified / createdAt
Everything is set-based SQL: no Python loop per model.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from clearance.artifacts.ids import NOT_DATASETS
from clearance.artifacts.relations import QUANT_NAME_RE2, QUANT_TAGS
from clearance.util.errors import ClearanceError

RELATIONS = ("finetune", "adapter", "merge", "quantized")
# Each (relation, evidence) an edge can have, numbered in order of precedence: when a model
# names the same parent several ways, a typed hub tag wins over the card, the card over a
# dataset tag. Edges carry the number while they are grouped (an integer is cheaper than strings).
_KINDS = (
    [(r, f"hub tag base_model:{r}") for r in RELATIONS[1:]]
    + [(r, "card base_model_relation") for r in RELATIONS]
    + [("quantized", "inferred: quantization markers in name or tags"), ("merge", "inferred: several base models"),
       ("finetune", "card base_model (relation not stated)"), ("trained_on", "hub tag dataset:")]
)
_KIND = {k: i for i, k in enumerate(_KINDS, start=1)}
_COLUMNS = (
    "{'id': 'VARCHAR', 'type': 'VARCHAR', 'createdAt': 'VARCHAR', 'lastModified': 'VARCHAR', "
    "'downloads': 'BIGINT', 'likes': 'BIGINT', 'tags': 'VARCHAR[]', 'pipeline_tag': 'VARCHAR', "
    "'cardData': 'JSON', 'deleted_at': 'VARCHAR'}"
)


class SnapshotError(ClearanceError, ValueError):
    """A snapshot file cannot be read: the message names the file and what is wrong."""


def _reader(path: Path, skip_bad: bool = False) -> str:
    p = str(path).replace("'", "''")
    if path.suffix == ".parquet":
        return f"read_parquet('{p}', union_by_name=true)"
    return f"read_json('{p}', format='newline_delimited', columns={_COLUMNS}, ignore_errors={str(skip_bad).lower()})"


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
    `hub history`; other tools' exports may leave it out). JSON Lines snapshots read both by name."""
    if path.suffix != ".parquet":
        return ""
    p = str(path).replace("'", "''")
    try:
        names = {n for (n,) in con.execute(f"select name from parquet_schema('{p}')").fetchall()}
    except duckdb.Error:
        return ""  # not Parquet: the read below says so
    return "".join(f"null::varchar as {c}, " for c in ("deleted_at", "lastModified") if c not in names)


def _load_models(con: duckdb.DuckDBPyConnection, paths: Sequence[Path], skip_bad: set[Path], dates: bool) -> None:
    parts = [f"select *, {_missing_columns(con, path)}{i} as snapshot from {_reader(path, path in skip_bad)}"
             for i, path in enumerate(paths)]
    # A view, not a table: the snapshot is read once, by the statement below.
    con.execute("create or replace temp view raw as " + " union all by name ".join(parts))
    # One pass over the records: the card's JSON is parsed once and only the fields
    # lineage and licensing need are kept; the tags are reduced to the three prefixes read.
    # Read only for `snapshot_dates`: otherwise a Parquet read skips the column.
    modified = ("greatest(try_cast(lastModified as timestamp), try_cast(createdAt as timestamp)) as modified_at,"
                if dates else "")
    con.execute(f"""
        create or replace temp table models as
        with picked as (
            select lower(id) as key, id, coalesce(type, 'model') as kind,
                   try_cast(createdAt as timestamp) as created_at,
                   {modified}
                   coalesce(downloads, 0) as downloads, coalesce(likes, 0) as likes, pipeline_tag, snapshot,
                   coalesce(tags, []) as tags,  -- filtered when unnested, below: cheaper than a lambda here
                   deleted_at is not null as gone,
                   json_extract(cardData, ['$.license', '$.base_model', '$.base_model_relation',
                                           '$.license_name', '$.license_link', '$.quantized_by']) as card
            from raw where id is not null
        )
        select key, id, kind, created_at, downloads, likes, pipeline_tag, snapshot, tags, gone,{' modified_at,' if dates else ''}
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
    if con.execute("select 1 from models group by hash(key) having count(*) > 1 limit 1").fetchall():
        con.execute("""
            create or replace temp table models as
            select * from models qualify row_number() over (partition by key order by snapshot desc) = 1
        """)
    # What the Hub no longer lists (deleted_at, set by `hub pull`) is no present model.
    if con.execute("select 1 from models where gone limit 1").fetchall():
        con.execute("delete from models where gone")
    con.execute("alter table models drop column gone")
    if dates:
        con.execute("alter table models drop column modified_at")
    # Only the tags read below: the three prefixes and the quantization markers. (Lower-casing
    # never shortens a string, so a tag longer than every marker is not lower-cased to compare.)
    con.execute(f"""
        create or replace temp table tag as
        select key, t from (select key, unnest(tags) as t from models)
        where t like 'license:%' or t like 'base_model:%' or t like 'dataset:%'
           or (length(t) <= {max(map(len, QUANT_TAGS))} and lower(t) in ?)
    """, [sorted(QUANT_TAGS)])
    con.execute("alter table models drop column tags")
    con.execute("""
        create or replace temp table declared as
        select distinct key, trim(value) as value from (
            select key, substr(t, 9) as value from tag where t like 'license:%'
            union all
            select key, card_license ->> '$' from models where json_type(card_license) = 'VARCHAR'
            union all
            select key, unnest(from_json(card_license, '["VARCHAR"]')) from models
             where json_type(card_license) = 'ARRAY'
        ) where value is not null and trim(value) <> ''
    """)
    con.execute(f"""
        create or replace temp table edge_kinds as
        with tagged as not materialized (  -- base_model:<parent> or base_model:<relation>:<parent> (more colons: not read)
            select child, case when i = 0 then r else substr(r, i + 1) end as ref,
                   case when i > 0 then substr(r, 1, i - 1) end as tag_relation
            from (select key as child, substr(t, 12) as r, strpos(substr(t, 12), ':') as i from tag where t like 'base_model:%')
            where i = 0 or strpos(substr(r, i + 1), ':') = 0
        ), typed as (
            select child, lower(ref) as parent, list_position({list(RELATIONS)}, tag_relation) - 1 as kind
            -- `finetune` is the Hub's default, not a statement (graph/relations.py): untyped below
            from tagged where tag_relation in {RELATIONS} and tag_relation <> 'finetune'
        ), card as (
            select key as child, lower(b) as parent, base_model_relation as declared_relation
            from (
                select key, base_model_relation, card_base_model ->> '$' as b from models where json_type(card_base_model) = 'VARCHAR'
                union all
                select key, base_model_relation, unnest(from_json(card_base_model, '["VARCHAR"]')) from models
                 where json_type(card_base_model) = 'ARRAY'
            ) where b is not null and trim(b) <> ''
        ), untyped as (
            select child, lower(ref) as parent, null as declared_relation from tagged
             where tag_relation is null or tag_relation = 'finetune'
            union all select * from card
        ), counted as materialized (
            select child, parent, any_value(declared_relation) as declared_relation
            from untyped group by child, parent
        ), several as (  -- children with more than one base: few, so a small set to look up
            select child from counted group by child having count(*) > 1
        ), quant as materialized (  -- the markers sources/metadata.py reads: a quantization's tags or quantized_by ...
            select key from models where coalesce(quantized_by, '') <> ''
            union  -- `tag` keeps every tag that is a quantization marker, whatever its case
            select key from tag where lower(t) in {tuple(sorted(QUANT_TAGS))}
        ), inferred as (
            -- ... or its name, read only for models with a base (the key is the lower-cased id)
            select child, parent,
                   case when declared_relation in {RELATIONS} then {len(RELATIONS) - 1} + list_position({list(RELATIONS)}, declared_relation)
                        when child in (select key from quant) or regexp_matches(regexp_extract(child, '[^/]*$'), '{QUANT_NAME_RE2}')
                             then {_KIND['quantized', 'inferred: quantization markers in name or tags']}
                        when child in (select child from several) then {_KIND['merge', 'inferred: several base models']}
                        else {_KIND['finetune', 'card base_model (relation not stated)']} end as kind
            from counted
        ), datasets as (
            select key as child, lower(substr(t, 9)) as parent, {_KIND['trained_on', 'hub tag dataset:']} as kind
            from tag where t like 'dataset:%' and lower(substr(t, 9)) not in {tuple(sorted(NOT_DATASETS)) + ("",)}
        ), ranked as (  -- of a (child, parent) pair's rows, the first kind wins
        select child, parent, min(kind) as kind
        from (
            -- graph/ids.py's reading of a reference: a datasets/ or models/ prefix and an
            -- @revision are dropped, and what is left must have the shape of a Hub id
            select child,
                   case when parent like 'datasets/%' or parent like 'models/%' or parent like '%@%'
                        then regexp_replace(regexp_replace(parent, '^(datasets|models)/', ''), '@.*$', '')
                        else parent end as parent,
                   kind
            from (select * from typed union all select * from inferred union all select * from datasets)
        )  -- self-references stay: the engine reports them
        group by child, parent
        )
        select * from ranked
    """)
    # A parent must have the shape of a Hub id: asked once per distinct parent, which a table of
    # its own guarantees (in one statement DuckDB pushes the test below the distinct, to every edge).
    con.execute("create or replace temp table edge_parents as select distinct parent from edge_kinds")
    con.execute(f"""
        create or replace temp table edges as
        select r.child, r.parent, k.relation, k.evidence
        from edge_kinds r
        semi join (select parent from edge_parents
                   where regexp_matches(parent, '^([a-z0-9_][a-z0-9_.-]{{0,254}}/)?[a-z0-9_][a-z0-9_.-]{{0,254}}$')) p
          on p.parent = r.parent
        join (values {", ".join(f"({code}, '{rel}', '{ev}')" for (rel, ev), code in _KIND.items())}) k(kind, relation, evidence)
          on k.kind = r.kind
    """)
    con.execute("drop table edge_kinds")
    con.execute("drop table edge_parents")
    # What only the statements above read: freed before the rest of the analysis runs.
    con.execute("drop table tag")
    for column in ("card_license", "card_base_model", "base_model_relation", "quantized_by"):
        con.execute(f"alter table models drop column {column}")


def counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {t: con.execute(f"select count(*) from {t}").fetchall()[0][0] for t in ("models", "declared", "edges")}
