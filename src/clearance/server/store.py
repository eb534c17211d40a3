"""Every statement the server runs on its store (but the tokens', in auth.py; their audit
entries are written here too): the routers, the
pages and the process state call these functions and hold no SQL.

Reads take an `Engine`, a `sessionmaker` or, on the event loop's SQLite fast path, a raw DB-API
connection; writes take the `Connection` of a group-commit job (writes.GroupCommit), which
commits them, and never refuse anything themselves: a function that finds nothing to change
says so (None, False) before it has written anything, and the job decides what that means to
the client (a 404, a 409). Statements are built once: writes run on the Core with bound
parameters (building a statement per call costs more than the commit itself).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from typing import Any, NamedTuple

from sqlalchemy import (
    BigInteger,
    Connection,
    Engine,
    Integer,
    bindparam,
    delete,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Session, sessionmaker

from clearance.server.models import AuditEntry, InventoryItem, ItemCheck, SavedPolicy, utcnow
from clearance.server.writes import PENDING
from clearance.util.times import assume_utc

ITEMS, AUDIT, POLICIES = InventoryItem.__table__, AuditEntry.__table__, SavedPolicy.__table__
CHECKS = ItemCheck.__table__
INSERT_ITEM, INSERT_AUDIT, INSERT_POLICY = insert(ITEMS), insert(AUDIT), insert(POLICIES)
UPDATE_ITEM = update(ITEMS).where(ITEMS.c.id == bindparam("item_id_"))
DELETE_ITEM = delete(ITEMS).where(ITEMS.c.id == bindparam("item_id_"))
ITEM_BY_ID = select(ITEMS.c.id, ITEMS.c.artifact_id, ITEMS.c.kind, ITEMS.c.project, ITEMS.c.note, ITEMS.c.created_at,
                    ITEMS.c.updated_at, ITEMS.c.created_by).where(ITEMS.c.id == bindparam("item_id_"))
PG_INT_MAX = 2**31 - 1  # item ids are INTEGER: 32 bits on PostgreSQL, 64 on SQLite


# -- the audit history -------------------------------------------------------------------------
def _audit_row(actor: str, action: str, target: str, detail: dict[str, Any] | None, at: dt.datetime | None) -> dict[str, Any]:
    """An audit entry as the table holds it (every entry is built here)."""
    return {"at": at or utcnow(), "actor": actor, "action": action, "target": target[:400], "detail": detail or {}}


def audit_later(conn: Connection, actor: str, action: str, target: str, detail: dict[str, Any] | None = None,
                at: dt.datetime | None = None) -> None:
    """Record a write in the write's own transaction, with the batch's other entries in one
    statement just before the commit (see flush_audit). `at`: when it happened (default now)."""
    conn.info.setdefault(PENDING, []).append(_audit_row(actor, action, target, detail, at))


def flush_audit(conn: Connection) -> None:
    """The group commit's `before_commit`: the audit rows the batch's jobs queued."""
    rows = conn.info.pop(PENDING, None)
    if rows:
        conn.execute(INSERT_AUDIT, rows)


def audit(conn: Connection | Session, actor: str, action: str, target: str, detail: dict[str, Any] | None = None) -> int:
    """Record a write, in the write's own transaction (a group-commit job's connection, or the
    session of a command-line change); the entry's id."""
    result = conn.execute(INSERT_AUDIT, _audit_row(actor, action, target, detail, None))
    return result.inserted_primary_key[0]


def _audit_page(sessions: sessionmaker[Session], where: list[Any], newest_first: bool, limit: int,
                offset: int | None = None, count: bool = False) -> tuple[int | None, list[AuditEntry]]:
    """The one query of the audit history: entries matching `where`, by id (newest first or
    oldest first), `limit` of them from `offset`; with `count`, how many match in all."""
    stmt = select(AuditEntry).where(*where).order_by(AuditEntry.id.desc() if newest_first else AuditEntry.id).limit(limit)
    if offset is not None:
        stmt = stmt.offset(literal(offset, BigInteger))
    with sessions() as s:
        total = s.scalar(select(func.count()).select_from(AuditEntry).where(*where)) if count else None
        return total, list(s.scalars(stmt).all())


def audit_entries(sessions: sessionmaker[Session], action: str | None, actor: str | None, limit: int,
                  offset: int) -> tuple[int, list[AuditEntry]]:
    """(how many entries match, the page of them from `offset`), newest first."""
    where = []
    if action:
        where.append(AuditEntry.action == action)
    if actor:
        where.append(AuditEntry.actor == actor)
    return _audit_page(sessions, where, True, limit, offset, count=True)


def recent_audit(sessions: sessionmaker[Session], limit: int = 200) -> list[AuditEntry]:
    return _audit_page(sessions, [], True, limit)[1]


# -- inventory: reads --------------------------------------------------------------------------
def item_id_fits(store: Engine, item_id: int) -> bool:
    """Whether the store's integer column can hold `item_id` (PostgreSQL refuses to compare a
    larger one: no such item)."""
    return item_id <= PG_INT_MAX or store.dialect.name != "postgresql"


def item(conn: Connection, item_id: int) -> Any:
    """The row of an item (id, artifact_id, kind, project, note, created_at, updated_at,
    created_by), or None."""
    return conn.execute(ITEM_BY_ID, {"item_id_": item_id}).first()


def get_item(store: Engine, item_id: int) -> Any:
    with store.connect() as conn:
        return item(conn, item_id)


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


def list_items(store: Engine, project: str | None, kind: str | None, limit: int, offset: int) -> tuple[list[Any], int]:
    """A page of items (the order of the unique index) and how many match in all."""
    count, page = _list_statements(project is not None, kind is not None)
    params = {"project_": project, "kind_": kind, "limit_": limit, "offset_": offset}
    with store.connect() as conn:
        rows = conn.execute(page, params).all()
        # the count is only needed when the page is full or does not start at 0
        total = len(rows) if offset == 0 and len(rows) < limit else conn.execute(count, params).scalar()
    return rows, total


def list_items_sqlite(reader: Any, project: str | None, kind: str | None, limit: int, offset: int) -> tuple[list[tuple], int]:
    """list_items on SQLite's own DB-API connection (the event loop's, state.AppState.loop_reader):
    rows as SQLite gives them (StoredItem.of parses them)."""
    (count_sql, count_args), (page_sql, page_args) = _sqlite_list_sql(project is not None, kind is not None)
    params = {"project_": project, "kind_": kind, "limit_": limit, "offset_": offset}
    stored = reader.execute(page_sql, [params[a] for a in page_args]).fetchall()
    total = len(stored) if offset == 0 and len(stored) < limit else \
        reader.execute(count_sql, [params[a] for a in count_args]).fetchone()[0]
    return stored, total


class StoredItem(NamedTuple):
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
    def of(cls, raw_row: tuple) -> "StoredItem":
        return cls(*raw_row[:5], _sqlite_time(raw_row[5]), _sqlite_time(raw_row[6]), raw_row[7])


def _sqlite_time(value: Any) -> Any:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


def inventory_overview(sessions: sessionmaker[Session], project: str | None, limit: int,
                       offset: int) -> tuple[list[str], list[str], list[InventoryItem], list[tuple[str, str, int]]]:
    """What the inventory page shows: every project, every saved policy's name, a page of the
    items (of `project`, when given) and every matching artifact once with how many items name
    it (so counts cover every item, not only the page)."""
    where = [InventoryItem.project == project] if project else []
    with sessions() as s:
        projects = s.scalars(select(InventoryItem.project).distinct().order_by(InventoryItem.project)).all()
        names = s.scalars(select(SavedPolicy.name).order_by(SavedPolicy.name)).all()
        rows = s.scalars(select(InventoryItem).where(*where)
                         .order_by(InventoryItem.project, InventoryItem.artifact_id, InventoryItem.kind, InventoryItem.id)
                         .limit(limit).offset(literal(offset, BigInteger))).all()
        counts = s.execute(select(InventoryItem.artifact_id, InventoryItem.kind, func.count()).where(*where)
                           .group_by(InventoryItem.artifact_id, InventoryItem.kind)).all()
    return list(projects), list(names), list(rows), [tuple(c) for c in counts]


# -- inventory: writes (inside a group-commit job) -----------------------------------------------
@functools.lru_cache(maxsize=4)
def _insert_item_statement(dialect: str):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return (dialect_insert(ITEMS).on_conflict_do_nothing(index_elements=["project", "kind", "artifact_id"])
            .returning(ITEMS.c.id))  # no row back: it was there already


def add_item(conn: Connection, values: dict[str, Any]) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id (SQLite 3.35+ and PostgreSQL): the new
    item's id, or None when the project has it already (nothing written)."""
    inserted = conn.execute(_insert_item_statement(conn.dialect.name), values).first()
    return None if inserted is None else inserted.id


def add_items(conn: Connection, rows: list[dict[str, Any]]) -> None:
    conn.execute(INSERT_ITEM, rows)


def project_items(conn: Connection, project: str) -> Iterable[tuple[str, str]]:
    """(kind, artifact id) of every item of a project."""
    return conn.execute(select(InventoryItem.kind, InventoryItem.artifact_id).where(InventoryItem.project == project)).all()


def clashes(conn: Connection, item_id: int, changes: dict[str, Any]) -> bool:
    """Whether changing an item's id, kind or project (`changes`, by API field name) would give it
    the place of another item of its project (checked before writing)."""
    if not changes.keys() & {"id", "kind", "project"}:
        return False
    target = item(conn, item_id)
    if target is None:
        return False
    new = (changes.get("project", target.project), changes.get("kind", target.kind), changes.get("id", target.artifact_id))
    clash = conn.execute(select(ITEMS.c.id).where(ITEMS.c.project == new[0], ITEMS.c.kind == new[1],
                                                  ITEMS.c.artifact_id == new[2], ITEMS.c.id != item_id)).first()
    return clash is not None


def update_item(conn: Connection, item_id: int, changes: dict[str, Any]) -> Any:
    """Apply `changes` (by API field name: id, kind, project, note); the row as it now is, or
    None when there is no such item (nothing written)."""
    values = {("artifact_id" if k == "id" else k): v for k, v in changes.items()}
    values["updated_at"] = utcnow()
    values["item_id_"] = item_id
    if not conn.execute(UPDATE_ITEM, values).rowcount:
        return None
    return conn.execute(ITEM_BY_ID, {"item_id_": item_id}).one()


def delete_item(conn: Connection, item_id: int) -> None:
    conn.execute(DELETE_ITEM, {"item_id_": item_id})


# -- saved policies ------------------------------------------------------------------------------
_POLICY_COLUMNS = (SavedPolicy.name, SavedPolicy.active, SavedPolicy.created_at, SavedPolicy.updated_at)


def policy_rows(sessions: sessionmaker[Session]) -> list[Any]:
    """Every saved policy (name, active, created_at, updated_at), by name."""
    with sessions() as s:
        return list(s.execute(select(*_POLICY_COLUMNS).order_by(SavedPolicy.name)).all())


def policy_row(sessions: sessionmaker[Session], name: str) -> Any:
    """A saved policy with its text (name, active, created_at, updated_at, toml), or None."""
    with sessions() as s:
        return s.execute(select(*_POLICY_COLUMNS, SavedPolicy.toml).where(SavedPolicy.name == name)).first()


def saved_policies(sessions: sessionmaker[Session]) -> list[SavedPolicy]:
    """Every saved policy as its model object (the policies page), by name."""
    with sessions() as s:
        return list(s.scalars(select(SavedPolicy).order_by(SavedPolicy.name)).all())


def policy_text(sessions: sessionmaker[Session], name: str) -> Any:
    """(name, toml) of a saved policy, or None."""
    with sessions() as s:
        return s.execute(select(SavedPolicy.name, SavedPolicy.toml).where(SavedPolicy.name == name)).first()


def active_policy_text(sessions: sessionmaker[Session]) -> Any:
    """(name, toml) of the active saved policy, or None."""
    with sessions() as s:
        return s.execute(select(SavedPolicy.name, SavedPolicy.toml).where(SavedPolicy.active.is_(True))).first()


def policy_exists(conn: Connection, name: str) -> bool:
    return conn.execute(select(POLICIES.c.id).where(POLICIES.c.name == name)).first() is not None


def create_policy(conn: Connection, name: str, toml: str, active: bool, now: dt.datetime) -> None:
    """Save a policy (the only active one, when `active`)."""
    if active:
        conn.execute(update(SavedPolicy).values(active=False))
    conn.execute(INSERT_POLICY, {"name": name, "toml": toml, "active": active, "created_at": now, "updated_at": now})


def update_policy(conn: Connection, name: str, toml: str | None, active: bool | None) -> Any:
    """Change a saved policy's text and/or whether it is the active one (then the only one); the
    row as it now is (with its text), or None when no policy has that name (nothing written)."""
    values: dict[str, Any] = {"updated_at": utcnow()}
    if active is not None:
        values["active"] = active
    if toml is not None:
        values["toml"] = toml
    if not conn.execute(update(SavedPolicy).where(SavedPolicy.name == name).values(**values)).rowcount:
        return None
    if active:
        conn.execute(update(SavedPolicy).where(SavedPolicy.name != name).values(active=False))
    return conn.execute(select(*_POLICY_COLUMNS, SavedPolicy.toml).where(SavedPolicy.name == name)).one()


def delete_policy(conn: Connection, name: str) -> bool:
    """Whether a policy of that name was there (and is now deleted)."""
    return bool(conn.execute(delete(SavedPolicy).where(SavedPolicy.name == name)).rowcount)


# -- rechecks (server/watch.py) --------------------------------------------------------------------
CHANGE_ACTION = "inventory.changed"  # the audit action of a change a recheck found
RECHECK_ACTOR = "(recheck)"


def items_to_recheck(store: Engine, due_before: dt.datetime | None) -> list[Any]:
    """Every item with its last check (artifact, digest, fingerprint; None when never checked),
    by item id: all of them, or (`due_before`) those never checked or checked before then."""
    stmt = (select(ITEMS.c.id, ITEMS.c.artifact_id, ITEMS.c.kind, ITEMS.c.project, CHECKS.c.artifact, CHECKS.c.digest,
                   CHECKS.c.fingerprint)
            .select_from(ITEMS.outerjoin(CHECKS, CHECKS.c.item_id == ITEMS.c.id)).order_by(ITEMS.c.id))
    if due_before is not None:
        stmt = stmt.where((CHECKS.c.item_id.is_(None)) | (CHECKS.c.checked_at < due_before))
    with store.connect() as conn:
        return list(conn.execute(stmt).all())


def save_check(conn: Connection, item_id: int, artifact: str, digest: str, fingerprint: str, now: dt.datetime,
               expected: str | None) -> bool:
    """Store an item's check. `expected`: the digest it replaces (compare and set: False, with
    nothing written, when another process stored another one meanwhile, or the item is gone);
    None: a first check (or one for another artifact), written over whatever is there."""
    values = {"artifact": artifact, "digest": digest, "fingerprint": fingerprint, "checked_at": now}
    if expected is not None:
        return bool(conn.execute(update(CHECKS).where(CHECKS.c.item_id == item_id, CHECKS.c.digest == expected)
                                 .values(**values)).rowcount)
    if conn.execute(select(ITEMS.c.id).where(ITEMS.c.id == item_id)).first() is None:
        return False
    if not conn.execute(update(CHECKS).where(CHECKS.c.item_id == item_id).values(**values)).rowcount:
        conn.execute(insert(CHECKS).values(item_id=item_id, **values))
    return True


def touch_checks(conn: Connection, item_ids: list[int], now: dt.datetime) -> None:
    """Checked again, nothing changed."""
    for start in range(0, len(item_ids), 500):
        conn.execute(update(CHECKS).where(CHECKS.c.item_id.in_(item_ids[start:start + 500])).values(checked_at=now))


def _since(store: Engine, since: dt.datetime | None) -> dt.datetime | None:
    if since is None:
        return None
    since = assume_utc(since).astimezone(dt.timezone.utc)
    return since.replace(tzinfo=None) if store.dialect.name == "sqlite" else since  # SQLite keeps naive UTC text


def change_entries(store: Engine, sessions: sessionmaker[Session], since: dt.datetime | None, limit: int,
                   offset: int) -> tuple[int, list[AuditEntry]]:
    """(how many changes were found at or after `since`, the page of them from `offset`), in the
    order they were found."""
    where = [AuditEntry.action == CHANGE_ACTION]
    since = _since(store, since)
    if since is not None:
        where.append(AuditEntry.at >= since)
    return _audit_page(sessions, where, False, limit, offset, count=True)


def recent_changes(sessions: sessionmaker[Session], project: str | None, limit: int = 20) -> list[AuditEntry]:
    """The newest changes rechecks found (of `project`'s items, when given)."""
    where = [AuditEntry.action == CHANGE_ACTION]
    if project:
        where.append(AuditEntry.target.startswith(f"{project}:", autoescape=True))
    return _audit_page(sessions, where, True, limit)[1]
