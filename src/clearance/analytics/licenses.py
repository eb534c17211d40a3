"""License tables for SQL: raw values -> KB ids, and what each KB license means per use.

The semantics come from the engine, not from SQL: each distinct raw value is resolved once
by the normalizer, each license is assessed once per use by `engine.usage.assess` (and each
lineage combination is judged by `engine.compat`, in `judge.py`). SQL then only does set logic
over millions of models, so the analytics and `clearance check` agree by construction.
"""

from __future__ import annotations

import duckdb

from clearance.analytics.engines import DuckDBEngine
from clearance.engine.usage import assess
from clearance.engine.values import USES, Organization
from clearance.kb.loader import KnowledgeBase
from clearance.kb.normalizer import PLACEHOLDERS, Normalizer


def register(con: duckdb.DuckDBPyConnection, kb: KnowledgeBase, normalizer: Normalizer,
             org: Organization = Organization()) -> None:
    _license_map(con, normalizer)
    _license_info(con, kb, org)
    _editions(con, kb)
    # One statement: the declared values resolved, then each id with dated editions read in the
    # edition in force on the model's creation date (only those rows look up the date).
    con.execute("""
        create or replace temp table resolved as
        with direct as (
            select d.n, d.value, m.kb_id
            from declared d left join license_map m on m.value = d.value
        ), named as (  -- `other` gives way to what license_name / license_link say
            select mo.rowid as n, l.kb_id from models mo
            join license_map l on l.value = coalesce(mo.license_name, mo.license_link)
            where l.kb_id is not null
        ), latest as (
            select n, value, kb_id from direct
             where not (kb_id in {placeholders} and n in (select n from named))
            -- as the normalizer does: a name or link speaks for a placeholder, or for silence. The
            -- two parts cannot share a row (a model in `named` keeps no placeholder row above, and
            -- gets a row here only when it has nothing else): union all. (A value `declared`
            -- holds twice is here twice: every reader asks which models, or which ids.)
            union all
            select n, 'license_name', kb_id from named
             where n not in (select n from direct where kb_id is null or kb_id not in {placeholders})
        ), dated as (
            select r.n, r.value, coalesce(e.edition, r.kb_id) as kb_id
            from (select * from latest where kb_id in (select kb_id from editions)) r
            left join model_ids m on m.n = r.n
            left join editions e on e.kb_id = r.kb_id and m.created_at is not null
                 and m.created_at::date < e.to_date and (e.from_date is null or m.created_at::date >= e.from_date)
        )
        select * from latest where kb_id is null or kb_id not in (select kb_id from editions)
        union all
        select * from dated
    """.format(placeholders=tuple(sorted(PLACEHOLDERS))))


def _editions(con: duckdb.DuckDBPyConnection, kb: KnowledgeBase) -> None:
    """A license id with dated editions binds a model in the edition in force on its creation
    date (`KnowledgeBase.version_in_force`, as `clearance check` reads it); with no date, the
    latest. `editions(kb_id, edition, from_date, to_date)` holds the older editions' spans, for
    every id a value resolves to."""
    ids = [r[0] for r in con.execute("select distinct kb_id from license_map where kb_id is not null").fetchall()]
    rows: dict[str, list] = {"kb_id": [], "edition": [], "from_date": [], "to_date": []}
    for kb_id in ids:
        chain = kb.editions(kb_id)  # newest first
        for newer, older in zip(chain, chain[1:]):
            if newer.date is None:
                break  # an undated edition is in force whatever the date: nothing older applies
            last = older is chain[-1]
            rows["kb_id"].append(kb_id)
            rows["edition"].append(older.id)
            # the oldest also covers every date before it (version_in_force falls back to it)
            rows["from_date"].append(None if last or older.date is None else older.date)
            rows["to_date"].append(newer.date)
            if older.date is None:
                break
    DuckDBEngine(con).table("editions", {"kb_id": ("varchar", rows["kb_id"]), "edition": ("varchar", rows["edition"]),
                             "from_date": ("date", rows["from_date"]), "to_date": ("date", rows["to_date"])})


def _license_map(con: duckdb.DuckDBPyConnection, normalizer: Normalizer) -> None:
    values = [r[0] for r in con.execute("""
        select distinct value from declared
        union select distinct coalesce(license_name, license_link) from models
         where coalesce(license_name, license_link) is not null
    """).fetchall()]
    rows_value, rows_id, rows_conf = [], [], []
    for value in values:
        res = normalizer.resolve(value, "hub_tag")
        for kb_id in dict.fromkeys(res.ids) or (None,):  # each (value, id) once
            rows_value.append(value)
            rows_id.append(kb_id)
            rows_conf.append(res.confidence)
    DuckDBEngine(con).table("license_map", {"value": ("varchar", rows_value), "kb_id": ("varchar", rows_id),
                                "confidence": ("double", rows_conf)})


def _license_info(con: duckdb.DuckDBPyConnection, kb: KnowledgeBase, org: Organization) -> None:
    ids = [r[0] for r in con.execute("select distinct kb_id from license_map where kb_id is not null").fetchall()]
    ids += [e.id for kb_id in list(ids) for e in kb.editions(kb_id)[1:] if e.id not in ids]  # older editions too
    ids = list(dict.fromkeys(ids))
    cols: dict[str, list] = {"kb_id": [], "category": [], "curated": [], "findings": []}
    for use in USES:
        cols[f"{use}_verdict"] = []
    for kb_id in ids:
        lic = kb.get(kb_id)
        cols["kb_id"].append(kb_id)
        cols["category"].append(lic.category if lic else "unknown")
        cols["curated"].append(bool(lic and lic.curated))
        names: set[str] = set()
        for use in USES:
            if lic is None or kb_id in PLACEHOLDERS:
                cols[f"{use}_verdict"].append("unknown")
                continue
            a = assess(lic, use, org, artifact="", derivative=True, multimodal=False)
            cols[f"{use}_verdict"].append(a.verdict)
            if use == "commercial":
                names |= {f.name for f in a.findings}
        if lic is None or kb_id in PLACEHOLDERS:
            names.add("unresolved-license")
        cols["findings"].append(sorted(names))
    types = {"curated": "boolean", "findings": "varchar[]"}
    DuckDBEngine(con).table("license_info", {k: (types.get(k, "varchar"), v) for k, v in cols.items() if k != "findings"}
           | {"findings": ("varchar[]", cols["findings"])})
