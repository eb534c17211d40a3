"""The REST API under /api/v1 (OpenAPI at /openapi.json). Reads are open; every write needs a
bearer token and leaves an audit entry in the same transaction as the write."""

from __future__ import annotations

import datetime as dt
import functools
import json
from enum import Enum
from typing import Annotated, Any, Literal, NamedTuple

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import (
    BigInteger,
    Connection,
    Integer,
    bindparam,
    delete,
    func,
    insert,
    literal,
    select,
    update,
)

from clearance import __version__
from clearance.artifacts.ids import Ref
from clearance.policy.load import PolicyError, parse_text
from clearance.server import ids, ingest, policies, tomlguard
from clearance.server.auth import Actor, require_writer
from clearance.server.ids import InvalidInput
from clearance.server.models import AuditEntry, InventoryItem, SavedPolicy, utcnow
from clearance.server.state import AppState, PolicyChoice
from clearance.server.writes import PENDING

router = APIRouter(prefix="/api/v1")
JSON = "application/json"
MAX_PAGE = 1000
INT64_MAX = 2**63 - 1  # SQLite's and PostgreSQL's largest integer: larger ids and offsets are a 422, not a store error
ItemId = Annotated[int, Path(ge=1, le=INT64_MAX, description="an inventory item's item_id")]
PG_INT_MAX = 2**31 - 1  # item ids are INTEGER: 32 bits on PostgreSQL, 64 on SQLite
Offset = Annotated[int, Query(ge=0, le=INT64_MAX)]


class Use(str, Enum):
    commercial = "commercial"
    redistribution = "redistribution"
    research = "research"


def state(request: Request) -> AppState:
    return request.app.state.clearance


def raw(body: bytes, status: int = 200, cache: str | None = None) -> Response:
    """A JSON answer. `cache`: "static" (the same for this URL as long as the process runs)
    or "policy:<key>" (the same for this URL under that policy) lets middleware.ResponseCache
    answer the URL from memory next time."""
    headers = {"x-clearance-cache": cache} if cache else None
    return Response(content=body, status_code=status, media_type=JSON, headers=headers)


def dumps(data: Any) -> bytes:
    return json.dumps(data, default=_default).encode()


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:  # SQLite gives back naive values: they were written in UTC
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# -- request bodies ----------------------------------------------------------------------------
class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("NUL bytes are not allowed in text")  # PostgreSQL's text cannot hold them
        return value


# InvalidInput is a ValueError: raised in a validator, pydantic reports it as a 422 with its message.
def _valid_id(value: str) -> str:
    return ids.hub_id(value)


def _valid_project(value: str) -> str:
    return ids.name(value, "project")


class ItemIn(_Body):
    id: str = Field(description="Hub id of the model or dataset: org/name", max_length=400)
    kind: Literal["model", "dataset"] = "model"
    project: str = Field("default", max_length=100)
    note: str = Field("", max_length=10_000)

    _id = field_validator("id")(_valid_id)
    _project = field_validator("project")(_valid_project)


class ItemPatch(_Body):
    id: str | None = Field(None, max_length=400)
    kind: Literal["model", "dataset"] | None = None
    project: str | None = Field(None, max_length=100)
    note: str | None = Field(None, max_length=10_000)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str | None) -> str | None:
        return None if v is None else _valid_id(v)

    @field_validator("project")
    @classmethod
    def _project(cls, v: str | None) -> str | None:
        return None if v is None else _valid_project(v)


class PolicyIn(_Body):
    name: str = Field(max_length=100)
    toml: str = Field(description="clearance.toml text", max_length=1024 * 1024)
    active: bool = False

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return ids.name(v, "policy name")


class PolicyUpdate(_Body):
    toml: str | None = Field(None, max_length=1024 * 1024)
    active: bool | None = None


class PolicyText(_Body):
    toml: str = Field(max_length=1024 * 1024)


# -- helpers -----------------------------------------------------------------------------------
# Statements built once: writes run on the Core with bound parameters (building a statement
# per call costs more than the commit itself).
ITEMS, AUDIT, POLICIES = InventoryItem.__table__, AuditEntry.__table__, SavedPolicy.__table__
INSERT_ITEM, INSERT_AUDIT, INSERT_POLICY = insert(ITEMS), insert(AUDIT), insert(POLICIES)
UPDATE_ITEM = update(ITEMS).where(ITEMS.c.id == bindparam("item_id_"))
DELETE_ITEM = delete(ITEMS).where(ITEMS.c.id == bindparam("item_id_"))
ITEM_BY_ID = select(ITEMS.c.id, ITEMS.c.artifact_id, ITEMS.c.kind, ITEMS.c.project, ITEMS.c.note, ITEMS.c.created_at,
                    ITEMS.c.updated_at, ITEMS.c.created_by).where(ITEMS.c.id == bindparam("item_id_"))


@functools.lru_cache(maxsize=4)
def _insert_item_statement(dialect: str):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return (dialect_insert(ITEMS).on_conflict_do_nothing(index_elements=["project", "kind", "artifact_id"])
            .returning(ITEMS.c.id))  # no row back: it was there already


def _insert_item_if_new(conn: Connection):
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id: a duplicate gives no row, not an error
    (SQLite 3.35+ and PostgreSQL)."""
    return _insert_item_statement(conn.dialect.name)


def _audit_later(conn: Connection, actor: Actor, action: str, target: str, detail: dict[str, Any] | None = None) -> None:
    """Record a write in the write's own transaction, with the batch's other entries in one
    statement just before the commit (see flush_audit)."""
    conn.info.setdefault(PENDING, []).append({"at": utcnow(), "actor": actor.name, "action": action,
                                              "target": target[:400], "detail": detail or {}})


def flush_audit(conn: Connection) -> None:
    rows = conn.info.pop(PENDING, None)
    if rows:
        conn.execute(INSERT_AUDIT, rows)


def _audit(conn: Connection, actor: Actor, action: str, target: str, detail: dict[str, Any] | None = None) -> int:
    """Record a write, in the write's own transaction; the entry's id."""
    result = conn.execute(INSERT_AUDIT, {"at": utcnow(), "actor": actor.name, "action": action,
                                         "target": target[:400], "detail": detail or {}})
    return result.inserted_primary_key[0]


def _policy_choice(st: AppState, name: str | None) -> PolicyChoice:
    if name is not None:
        ids.name(name, "policy")
    try:
        return st.policy(name)
    except KeyError:
        raise HTTPException(404, f"no saved policy named {name!r}") from None


async def _memo_json(st: AppState, key: tuple, build) -> Response:
    """An answer that no write changes (a license, Hub analytics), computed once per process
    (off the event loop) and then served as is."""
    found = st.memo(key, None)
    if found is None:
        found = await run_in_threadpool(st.memo, key, lambda: dumps(build()))
    return raw(found, cache="static")


# -- health ------------------------------------------------------------------------------------
@router.get("/health", tags=["service"], summary="Liveness and configuration")
async def health(request: Request) -> Response:
    """`ready` turns true once the background warm-up is done (Hub analytics loaded, the most
    downloaded models' verdicts computed, then their answers — verdicts, graphs, pages — asked of
    the app in-process: `prefetched` counts them); the server answers everything before that too."""
    st = state(request)
    s, eng = st.settings, st.engine
    ready = st.ready
    body = dumps({"status": "ok", "ready": ready, "version": __version__, "store": st.store.dialect.name,
                  "snapshots": [p.name for p in s.snapshots], "artifacts": len(eng.entries),
                  "warmed": {"done": eng.warm_done, "total": eng.warm_total}, "prefetched": st.prefetched,
                  "offline": s.offline, "hub_endpoint": None if s.offline else eng.hub.endpoint})
    return raw(body, cache="static" if ready else None)


# -- models ------------------------------------------------------------------------------------
@router.get("/models/{model_id:path}/clearance", tags=["models"],
            summary="The verdict for one use: one element of `clearance check --format json` results")
async def model_clearance(request: Request, model_id: str,
                          use: Use = Query(Use.commercial, description="commercial, redistribution or research"),
                          policy: str | None = Query(None, description="a saved policy's name (default: the active one)")) -> Response:
    st = state(request)
    ref = ids.hub_ref(model_id)
    fresh = st.fresh_policy() if policy is None else None
    if fresh is not None:
        found = st.engine.cached_clearance_json(ref, use.value, fresh.key)
        if found is not None:
            return raw(found, cache=f"policy:{fresh.key}")

    def compute() -> tuple[bytes, str]:
        choice = _policy_choice(st, policy)
        return st.engine.clearance_json(ref, use.value, choice.policy, choice.key), choice.key

    body, key = await run_in_threadpool(compute)
    return raw(body, cache=f"policy:{key}" if policy is None else None)


@router.get("/models/{model_id:path}/graph", tags=["models"], summary="The lineage graph (`clearance graph --format json`)")
async def model_graph(request: Request, model_id: str) -> Response:
    st = state(request)
    ref = ids.hub_ref(model_id)
    found = st.engine.cached_graph_json(ref)
    return raw(found if found is not None else await run_in_threadpool(st.engine.graph_json, ref), cache="static")


@router.get("/search", tags=["models"], summary="Models and datasets of the snapshots whose id contains q")
async def search(request: Request, q: str = Query("", max_length=400), limit: int = Query(20, ge=1, le=200)) -> Response:
    hits = state(request).engine.search(q, limit)
    return raw(dumps({"query": q, "results": [{"id": e.id, "kind": e.kind, "downloads": e.downloads,
                                                "licenses": list(e.licenses)} for e in hits]}), cache="static")


# -- licenses ----------------------------------------------------------------------------------
@router.get("/licenses", tags=["licenses"], summary="The knowledge base's curated licenses (`license list --format json`)")
async def licenses(request: Request, category: str | None = Query(None)) -> Response:
    from clearance.kb import CATEGORIES, SCHEMA_VERSION

    if category is not None and category not in CATEGORIES:
        raise InvalidInput(f"category {category[:80]!r} is not one of: {', '.join(CATEGORIES)}")
    st = state(request)
    return raw(st.memo(("licenses", category), lambda: dumps({
        "schema_version": SCHEMA_VERSION,
        "licenses": [lic.to_json() for lic in sorted(st.engine.kb, key=lambda lic: lic.id)
                     if category is None or lic.category == category]})), cache="static")


@router.get("/licenses/{license_id}", tags=["licenses"], summary="One license's terms (`license show --format json`)")
async def license_show(request: Request, license_id: str) -> Response:
    ids.license_id(license_id)
    st = state(request)

    def make() -> dict[str, Any]:
        lic = st.license(license_id)
        if lic is None:
            raise HTTPException(404, f"no license in the knowledge base answers to {license_id!r}")
        return lic.to_json()

    return await _memo_json(st, ("license", license_id.lower()), make)


# -- inventory ---------------------------------------------------------------------------------
def _row_json(row: Any) -> dict[str, Any]:
    return {"item_id": row.id, "id": row.artifact_id, "kind": row.kind, "project": row.project, "note": row.note,
            "created_at": row.created_at, "updated_at": row.updated_at, "created_by": row.created_by}


def _item_bytes(st: AppState, row: Any, choice: PolicyChoice, key: tuple | None = None) -> bytes:
    """An item with its status, serialized once per (row as stored, policy) while the
    engine's answers are trusted (the same time to live)."""
    key = key or (tuple(row), choice.key, choice.name)
    found = st.rows.get(key)
    if found is None:
        ref = Ref(row.artifact_id, row.kind)  # validated when it was written
        status = st.engine.status_json(ref, choice.policy, choice.key, choice.name)
        found = st.rows.put(key, dumps(_row_json(row))[:-1] + b', "status": ' + status + b"}")
    return found


@functools.lru_cache(maxsize=4)
def _list_statements(by_project: bool, by_kind: bool):
    where = []
    if by_project:
        where.append(ITEMS.c.project == bindparam("project_"))
    if by_kind:
        where.append(ITEMS.c.kind == bindparam("kind_"))
    count = select(func.count()).select_from(ITEMS).where(*where)
    # the order of the unique index (project, kind, artifact_id): a page is an index range, no sort
    page = (select(*ITEM_BY_ID.selected_columns).where(*where).order_by(ITEMS.c.project, ITEMS.c.kind, ITEMS.c.artifact_id)
            .limit(bindparam("limit_", type_=Integer)).offset(bindparam("offset_", type_=BigInteger)))
    return count, page


@functools.lru_cache(maxsize=4)
def _sqlite_list_sql(by_project: bool, by_kind: bool) -> tuple[tuple[str, tuple[str, ...]], tuple[str, tuple[str, ...]]]:
    """The same two statements as SQLite text with positional parameters, for the event loop's
    own connection (state.AppState.loop_reader): SQLAlchemy's execution path costs several times
    what SQLite takes to read a page of an index."""
    from sqlalchemy.dialects import sqlite

    dialect = sqlite.dialect(paramstyle="qmark")
    out = []
    for stmt in _list_statements(by_project, by_kind):
        compiled = stmt.compile(dialect=dialect)
        out.append((str(compiled), tuple(compiled.positiontup or ())))
    return out[0], out[1]


class _StoredItem(NamedTuple):
    """An inventory row as SQLite gives it to the raw connection, with its times parsed as
    SQLAlchemy would (naive, UTC)."""

    id: int
    artifact_id: str
    kind: str
    project: str
    note: str
    created_at: Any
    updated_at: Any
    created_by: str

    @classmethod
    def of(cls, raw_row: tuple) -> "_StoredItem":
        return cls(*raw_row[:5], _sqlite_time(raw_row[5]), _sqlite_time(raw_row[6]), raw_row[7])


def _sqlite_time(value: Any) -> Any:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


@router.get("/inventory", tags=["inventory"], summary="Inventory items, each with its status under the policy")
async def inventory_list(request: Request, project: str | None = Query(None, max_length=100),
                         kind: Literal["model", "dataset"] | None = None,
                         policy: str | None = Query(None, description="a saved policy's name (default: the active one)"),
                         limit: int = Query(100, ge=1, le=MAX_PAGE), offset: Offset = 0) -> Response:
    st = state(request)
    if project is not None:
        ids.name(project, "project")
    choice = st.fresh_policy() if policy is None else None
    count, page = _list_statements(project is not None, kind is not None)
    params = {"project_": project, "kind_": kind, "limit_": limit, "offset_": offset}

    def query() -> tuple[list[Any], int]:
        with st.store.connect() as conn:
            rows = conn.execute(page, params).all()
            # the count is only needed when the page is full or does not start at 0
            total = len(rows) if offset == 0 and len(rows) < limit else conn.execute(count, params).scalar()
        return rows, total

    def assemble(rows: list[Any], total: int, choice: PolicyChoice) -> bytes:
        head = dumps({"policy": choice.name, "total": total, "limit": limit, "offset": offset})[:-1]
        return head + b', "items": [' + b", ".join(_item_bytes(st, r, choice) for r in rows) + b"]}"

    if choice is not None and st.store.dialect.name == "sqlite":
        # A page of a local SQLite file reads in well under a millisecond: handing it to a
        # thread would cost more (GIL hand-offs) than it saves, and so would SQLAlchemy's
        # execution path. The event loop reads it on its own connection; rows already
        # serialized with their status (keyed by the row as stored) are reused as they are.
        # What can take longer — verdicts not yet computed, a PostgreSQL round trip — goes to
        # the thread pool.
        (count_sql, count_args), (page_sql, page_args) = _sqlite_list_sql(project is not None, kind is not None)
        reader = st.loop_reader()
        stored = reader.execute(page_sql, [params[a] for a in page_args]).fetchall()
        total = len(stored) if offset == 0 and len(stored) < limit else \
            reader.execute(count_sql, [params[a] for a in count_args]).fetchone()[0]
        keys = [("stored", r, choice.key, choice.name) for r in stored]
        found = [st.rows.get(k) for k in keys]
        missing = [i for i, b in enumerate(found) if b is None]
        if missing:
            items = {i: _StoredItem.of(stored[i]) for i in missing}

            def fill() -> None:
                for i, item in items.items():
                    found[i] = _item_bytes(st, item, choice, keys[i])

            if all(st.engine.has_status(Ref(r.artifact_id, r.kind), choice.policy, choice.key, choice.name)
                   for r in items.values()):
                fill()
            else:
                await run_in_threadpool(fill)
        head = dumps({"policy": choice.name, "total": total, "limit": limit, "offset": offset})[:-1]
        return raw(head + b', "items": [' + b", ".join(found) + b"]}")

    def everything() -> bytes:
        rows, total = query()
        return assemble(rows, total, _policy_choice(st, policy))

    return raw(await run_in_threadpool(everything))


@router.post("/inventory", tags=["inventory"], status_code=201, summary="Add a model or dataset to a project")
async def inventory_add(request: Request, item: ItemIn, actor: Actor = Depends(require_writer)) -> Response:
    def job(s: Connection) -> dict[str, Any]:
        now = utcnow()
        values = {"artifact_id": item.id, "kind": item.kind, "project": item.project, "note": item.note,
                  "created_at": now, "updated_at": now, "created_by": actor.name}
        inserted = s.execute(_insert_item_if_new(s), values).first()
        if inserted is None:  # refused before writing anything (see writes.GroupCommit)
            raise HTTPException(409, f"{item.kind} {item.id} is already in project {item.project}")
        item_id = inserted.id
        _audit_later(s, actor, "inventory.add", f"{item.project}:{item.kind}:{item.id}", {"item_id": item_id, "note": item.note})
        return {"item_id": item_id, "id": item.id, "kind": item.kind, "project": item.project, "note": item.note,
                "created_at": now, "updated_at": now, "created_by": actor.name}

    return raw(dumps(await state(request).writes.run(job)), 201)


def _no_such_item(st: AppState, item_id: int) -> None:
    """404 for an id the store's integer column cannot hold (PostgreSQL refuses to compare it)."""
    if item_id > PG_INT_MAX and st.store.dialect.name == "postgresql":
        raise HTTPException(404, f"no inventory item {item_id}")


@router.get("/inventory/{item_id}", tags=["inventory"], summary="One inventory item with its status")
def inventory_get(request: Request, item_id: ItemId, policy: str | None = Query(None)) -> Response:
    st = state(request)
    _no_such_item(st, item_id)
    with st.store.connect() as conn:
        row = conn.execute(ITEM_BY_ID, {"item_id_": item_id}).first()
    if row is None:
        raise HTTPException(404, f"no inventory item {item_id}")
    return raw(_item_bytes(st, row, _policy_choice(st, policy)))


@router.patch("/inventory/{item_id}", tags=["inventory"], summary="Change an item's id, kind, project or note")
async def inventory_update(request: Request, item_id: ItemId, patch: ItemPatch, actor: Actor = Depends(require_writer)) -> Response:
    changes = patch.model_dump(exclude_none=True)
    _no_such_item(state(request), item_id)

    def job(s: Connection) -> dict[str, Any]:
        values = {("artifact_id" if k == "id" else k): v for k, v in changes.items()}
        values["updated_at"] = utcnow()
        values["item_id_"] = item_id
        if changes.keys() & {"id", "kind", "project"}:  # refuse a clash before writing
            target = s.execute(ITEM_BY_ID, {"item_id_": item_id}).first()
            if target is not None:
                new = (changes.get("project", target.project), changes.get("kind", target.kind), changes.get("id", target.artifact_id))
                clash = s.execute(select(ITEMS.c.id).where(ITEMS.c.project == new[0], ITEMS.c.kind == new[1],
                                                           ITEMS.c.artifact_id == new[2], ITEMS.c.id != item_id)).first()
                if clash is not None:
                    raise HTTPException(409, "another item of that project already has that id and kind")
        done = s.execute(UPDATE_ITEM, values).rowcount
        if not done:
            raise HTTPException(404, f"no inventory item {item_id}")
        row = s.execute(ITEM_BY_ID, {"item_id_": item_id}).one()
        _audit_later(s, actor, "inventory.update", f"{row.project}:{row.kind}:{row.artifact_id}", {"item_id": item_id, "changes": changes})
        return _row_json(row)

    return raw(dumps(await state(request).writes.run(job)))


@router.delete("/inventory/{item_id}", tags=["inventory"], status_code=204, summary="Remove an item")
async def inventory_delete(request: Request, item_id: ItemId, actor: Actor = Depends(require_writer)) -> Response:
    _no_such_item(state(request), item_id)

    def job(s: Connection) -> None:
        row = s.execute(ITEM_BY_ID, {"item_id_": item_id}).first()
        if row is None:
            raise HTTPException(404, f"no inventory item {item_id}")
        s.execute(DELETE_ITEM, {"item_id_": item_id})
        _audit_later(s, actor, "inventory.delete", f"{row.project}:{row.kind}:{row.artifact_id}", {"item_id": item_id})

    await state(request).writes.run(job)
    return Response(status_code=204)


# -- scans -------------------------------------------------------------------------------------
@router.post("/scans", tags=["inventory"], status_code=201,
             summary="Add what a scan report or a CycloneDX BOM names to a project's inventory")
async def scans(request: Request, document: Any = Body(..., description="`clearance scan --format json` output or a CycloneDX JSON BOM"),
                project: str = Query(..., max_length=100, description="the project the models and datasets are used in"),
                actor: Actor = Depends(require_writer)) -> Response:
    ids.name(project, "project")
    try:
        fmt, refs, skipped = ingest.read(document)
    except ingest.IngestError as exc:
        raise HTTPException(422, str(exc)) from None
    wanted: dict[tuple[str, str], list[str]] = {}
    for ref in refs:
        wanted.setdefault((ref.kind, ref.id), []).append(ref.where)

    def job(s: Connection) -> dict[str, Any]:
        now = utcnow()
        existing = {(k, i.lower()) for k, i in s.execute(select(InventoryItem.kind, InventoryItem.artifact_id)
                                                         .where(InventoryItem.project == project)).all()}
        added, present, rows = [], [], []
        for (kind, rid), wheres in wanted.items():
            if (kind, rid.lower()) in existing:
                present.append({"id": rid, "kind": kind})
                continue
            existing.add((kind, rid.lower()))
            note = "from scan: " + ", ".join(w for w in wheres[:5] if w) if any(wheres) else f"from {fmt}"
            rows.append({"artifact_id": rid, "kind": kind, "project": project, "note": note[:10_000],
                         "created_at": now, "updated_at": now, "created_by": actor.name})
            added.append({"id": rid, "kind": kind})
        if rows:
            s.execute(INSERT_ITEM, rows)
        audit_id = _audit(s, actor, "scan.ingest", project, {"format": fmt, "added": len(added), "already_present": len(present),
                                                             "skipped": len(skipped), "references": len(refs)})
        return {"project": project, "format": fmt, "added": added, "already_present": present,
                "skipped": skipped, "audit_id": audit_id}

    # hundreds of rows or more are written on the writer thread, not on the event loop
    return raw(dumps(await state(request).writes.run(job, heavy=len(wanted) > 100)), 201)


# -- policies ----------------------------------------------------------------------------------
_POLICY_COLUMNS = (SavedPolicy.name, SavedPolicy.active, SavedPolicy.created_at, SavedPolicy.updated_at)


def _policy_json(row: Any, text: str | None = None) -> dict[str, Any]:
    out = {"name": row.name, "active": row.active, "created_at": row.created_at, "updated_at": row.updated_at}
    if text is not None:
        out["toml"] = text
    return out


class Unparseable(Exception):
    """422: the text is refused before parsing (tomlguard) or broke the parser."""


def _parse_policy(st: AppState, text: str, label: str) -> None:
    """Validate policy text as `--policy` files are, after the linear pre-parse check
    (tomlguard: no dotted key or nesting that makes tomllib's cost blow up). Raises PolicyError
    for an invalid policy, Unparseable for text refused before or by the parser."""
    try:
        tomlguard.check(text)
    except tomlguard.TooComplex as exc:
        raise Unparseable(f"{label}: refused before parsing: {exc}") from None
    try:
        parse_text(text, label, st.engine.kb)
    except PolicyError:
        raise
    except RecursionError:
        raise Unparseable(f"{label}: invalid TOML: nested too deep") from None
    except ValueError as exc:  # tomllib lets int()'s own errors through (an integer of over 4,300 digits)
        raise PolicyError(f"{label}: invalid TOML: {exc}") from None


def _validate_policy(st: AppState, text: str, label: str) -> None:
    try:
        _parse_policy(st, text, label)
    except (PolicyError, Unparseable) as exc:
        raise HTTPException(422, str(exc)) from None


@router.get("/policies", tags=["policies"], summary="Saved policies")
def policy_list(request: Request) -> Response:
    with state(request).sessions() as s:
        rows = s.execute(select(*_POLICY_COLUMNS).order_by(SavedPolicy.name)).all()
    return raw(dumps({"policies": [_policy_json(r) for r in rows]}))


@router.post("/policies/validate", tags=["policies"], summary="Check a clearance.toml text without saving it")
def policy_validate(request: Request, body: PolicyText) -> Response:
    try:
        _parse_policy(state(request), body.toml, "policy")
    except Unparseable as exc:
        raise HTTPException(422, str(exc)) from None
    except PolicyError as exc:
        return raw(dumps({"valid": False, "error": str(exc)}))
    return raw(dumps({"valid": True, "error": None}))


@router.get("/policies/{name}", tags=["policies"], summary="One saved policy, with its TOML")
def policy_get(request: Request, name: str) -> Response:
    ids.name(name, "policy name")
    with state(request).sessions() as s:
        row = s.execute(select(*_POLICY_COLUMNS, SavedPolicy.toml).where(SavedPolicy.name == name)).first()
    if row is None:
        raise HTTPException(404, f"no saved policy named {name!r}")
    return raw(dumps(_policy_json(row, row.toml)))


@router.post("/policies", tags=["policies"], status_code=201, summary="Save a policy (validated as clearance.toml)")
async def policy_create(request: Request, body: PolicyIn, actor: Actor = Depends(require_writer)) -> Response:
    st = state(request)
    await run_in_threadpool(_validate_policy, st, body.toml, f"policy {body.name!r}")

    def job(s: Connection) -> dict[str, Any]:
        now = utcnow()
        if s.execute(select(POLICIES.c.id).where(POLICIES.c.name == body.name)).first() is not None:
            raise HTTPException(409, f"a policy named {body.name!r} already exists; "
                                     f"PUT /api/v1/policies/{body.name} changes it")
        if body.active:
            s.execute(update(SavedPolicy).values(active=False))
        s.execute(INSERT_POLICY, {"name": body.name, "toml": body.toml, "active": body.active,
                                  "created_at": now, "updated_at": now})
        _audit(s, actor, "policy.create", body.name, {"active": body.active, "sha256": policies.key(body.toml)})
        return {"name": body.name, "active": body.active, "created_at": now, "updated_at": now, "toml": body.toml}

    out = await st.writes.run(job)
    st.policy_changed()
    return raw(dumps(out), 201)


@router.put("/policies/{name}", tags=["policies"], summary="Change a saved policy's text or make it the active one")
async def policy_update(request: Request, name: str, body: PolicyUpdate, actor: Actor = Depends(require_writer)) -> Response:
    st = state(request)
    ids.name(name, "policy name")
    if body.toml is not None:
        await run_in_threadpool(_validate_policy, st, body.toml, f"policy {name!r}")

    def job(s: Connection) -> dict[str, Any]:
        values: dict[str, Any] = {"updated_at": utcnow()}
        if body.active is not None:
            values["active"] = body.active
        if body.toml is not None:
            values["toml"] = body.toml
        if not s.execute(update(SavedPolicy).where(SavedPolicy.name == name).values(**values)).rowcount:
            raise HTTPException(404, f"no saved policy named {name!r}")
        if body.active:
            s.execute(update(SavedPolicy).where(SavedPolicy.name != name).values(active=False))
        row = s.execute(select(*_POLICY_COLUMNS, SavedPolicy.toml).where(SavedPolicy.name == name)).one()
        _audit(s, actor, "policy.update", name, {"active": row.active, "sha256": policies.key(row.toml)})
        return _policy_json(row, row.toml)

    out = await st.writes.run(job)
    st.policy_changed()
    return raw(dumps(out))


@router.delete("/policies/{name}", tags=["policies"], status_code=204, summary="Delete a saved policy")
async def policy_delete(request: Request, name: str, actor: Actor = Depends(require_writer)) -> Response:
    st = state(request)
    ids.name(name, "policy name")

    def job(s: Connection) -> None:
        if not s.execute(delete(SavedPolicy).where(SavedPolicy.name == name)).rowcount:
            raise HTTPException(404, f"no saved policy named {name!r}")
        _audit(s, actor, "policy.delete", name)

    await st.writes.run(job)
    st.policy_changed()
    return Response(status_code=204)


# -- audit -------------------------------------------------------------------------------------
@router.get("/audit", tags=["audit"], summary="Audit history of every write, newest first")
def audit(request: Request, action: str | None = Query(None, max_length=50), actor: str | None = Query(None, max_length=100),
          limit: int = Query(100, ge=1, le=MAX_PAGE), offset: Offset = 0) -> Response:
    where = []
    if action:
        where.append(AuditEntry.action == action)
    if actor:
        where.append(AuditEntry.actor == actor)
    with state(request).sessions() as s:
        total = s.scalar(select(func.count()).select_from(AuditEntry).where(*where))
        rows = s.scalars(select(AuditEntry).where(*where).order_by(AuditEntry.id.desc()).limit(limit)
                         .offset(literal(offset, BigInteger))).all()
    return raw(dumps({"total": total, "entries": [{"id": r.id, "at": r.at, "actor": r.actor, "action": r.action,
                                                   "target": r.target, "detail": r.detail} for r in rows]}))


# -- the Hub -----------------------------------------------------------------------------------
@router.get("/hub/stats", tags=["hub"], summary="`clearance hub stats` over the configured snapshots")
async def hub_stats(request: Request, top: int = Query(20, ge=1, le=200)) -> Response:
    st = state(request)
    return await _memo_json(st, ("hub.stats", top), lambda: {"schema_version": 1, **st.hub.stats(top)})


class Period(str, Enum):
    month = "month"
    quarter = "quarter"
    year = "year"


@router.get("/hub/trends", tags=["hub"], summary="`clearance hub trends`: license categories per period of creation")
async def hub_trends(request: Request, by: Period = Query(Period.quarter)) -> Response:
    st = state(request)
    return await _memo_json(st, ("hub.trends", by.value),
                           lambda: {"schema_version": 1, "by": by.value, "rows": st.hub.trends(by.value)})


@router.get("/hub/families", tags=["hub"], summary="`clearance hub families`: ecosystem size per lineage root")
async def hub_families(request: Request, top: int = Query(20, ge=1, le=200)) -> Response:
    st = state(request)
    return await _memo_json(st, ("hub.families", top), lambda: {"schema_version": 1, "rows": st.hub.families(top)})
