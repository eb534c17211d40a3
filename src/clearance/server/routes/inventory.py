"""The inventory: models and datasets per project, each with its status under a policy."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import Field, field_validator
from sqlalchemy import Connection

from clearance.artifacts.ids import Ref
from clearance.server import ids, store
from clearance.server.auth import Actor, require_writer
from clearance.server.models import utcnow
from clearance.server.routes.common import (
    INT64_MAX,
    MAX_PAGE,
    PREFIX,
    Offset,
    StrictBody,
    dumps,
    policy_choice,
    raw,
    state,
)
from clearance.server.state import AppState, PolicyChoice

router = APIRouter(prefix=PREFIX)
ItemId = Annotated[int, Path(ge=1, le=INT64_MAX, description="an inventory item's item_id")]


# InvalidInput is a ValueError: raised in a validator, pydantic reports it as a 422 with its message.
def _valid_id(value: str) -> str:
    return ids.hub_id(value)


def _valid_project(value: str) -> str:
    return ids.name(value, "project")


class ItemIn(StrictBody):
    id: str = Field(description="Hub id of the model or dataset: org/name", max_length=400)
    kind: Literal["model", "dataset"] = "model"
    project: str = Field("default", max_length=100)
    note: str = Field("", max_length=10_000)

    _id = field_validator("id")(_valid_id)
    _project = field_validator("project")(_valid_project)


class ItemPatch(StrictBody):
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


@router.get("/inventory", tags=["inventory"], summary="Inventory items, each with its status under the policy")
async def inventory_list(request: Request, project: str | None = Query(None, max_length=100),
                         kind: Literal["model", "dataset"] | None = None,
                         policy: str | None = Query(None, description="a saved policy's name (default: the active one)"),
                         limit: int = Query(100, ge=1, le=MAX_PAGE), offset: Offset = 0) -> Response:
    st = state(request)
    if project is not None:
        ids.name(project, "project")
    choice = st.fresh_policy() if policy is None else None

    def page(choice: PolicyChoice, total: int, items: list[bytes]) -> bytes:
        """The answer: the page's items, each serialized with its status already (_item_bytes)."""
        head = dumps({"policy": choice.name, "total": total, "limit": limit, "offset": offset})[:-1]
        return head + b', "items": [' + b", ".join(items) + b"]}"

    if choice is not None and st.store.dialect.name == "sqlite":
        # A page of a local SQLite file reads in well under a millisecond: handing it to a
        # thread would cost more (GIL hand-offs) than it saves, and so would SQLAlchemy's
        # execution path. The event loop reads it on its own connection; rows already
        # serialized with their status (keyed by the row as stored) are reused as they are.
        # What can take longer — verdicts not yet computed, a PostgreSQL round trip — goes to
        # the thread pool.
        stored, total = store.list_items_sqlite(st.loop_reader(), project, kind, limit, offset)
        keys = [("stored", r, choice.key, choice.name) for r in stored]
        found = [st.rows.get(k) for k in keys]
        missing = [i for i, b in enumerate(found) if b is None]
        if missing:
            items = {i: store.StoredItem.of(stored[i]) for i in missing}

            def fill() -> None:
                for i, item in items.items():
                    found[i] = _item_bytes(st, item, choice, keys[i])

            if all(st.engine.has_status(Ref(r.artifact_id, r.kind), choice.policy, choice.key, choice.name)
                   for r in items.values()):
                fill()
            else:
                await run_in_threadpool(fill)
        return raw(page(choice, total, found))

    def everything() -> bytes:
        rows, total = store.list_items(st.store, project, kind, limit, offset)
        chosen = policy_choice(st, policy)
        return page(chosen, total, [_item_bytes(st, r, chosen) for r in rows])

    return raw(await run_in_threadpool(everything))


@router.post("/inventory", tags=["inventory"], status_code=201, summary="Add a model or dataset to a project")
async def inventory_add(request: Request, item: ItemIn, actor: Actor = Depends(require_writer)) -> Response:
    def job(s: Connection) -> dict[str, Any]:
        now = utcnow()
        values = {"artifact_id": item.id, "kind": item.kind, "project": item.project, "note": item.note,
                  "created_at": now, "updated_at": now, "created_by": actor.name}
        item_id = store.add_item(s, values)
        if item_id is None:  # refused before writing anything (see writes.GroupCommit)
            raise HTTPException(409, f"{item.kind} {item.id} is already in project {item.project}")
        store.audit_later(s, actor.name, "inventory.add", f"{item.project}:{item.kind}:{item.id}",
                          {"item_id": item_id, "note": item.note})
        return {"item_id": item_id, "id": item.id, "kind": item.kind, "project": item.project, "note": item.note,
                "created_at": now, "updated_at": now, "created_by": actor.name}

    return raw(dumps(await state(request).writes.run(job)), 201)


def _no_such_item(st: AppState, item_id: int) -> None:
    """404 for an id the store's integer column cannot hold (PostgreSQL refuses to compare it)."""
    if not store.item_id_fits(st.store, item_id):
        raise HTTPException(404, f"no inventory item {item_id}")


@router.get("/inventory/{item_id}", tags=["inventory"], summary="One inventory item with its status")
def inventory_get(request: Request, item_id: ItemId, policy: str | None = Query(None)) -> Response:
    st = state(request)
    _no_such_item(st, item_id)
    row = store.get_item(st.store, item_id)
    if row is None:
        raise HTTPException(404, f"no inventory item {item_id}")
    return raw(_item_bytes(st, row, policy_choice(st, policy)))


@router.patch("/inventory/{item_id}", tags=["inventory"], summary="Change an item's id, kind, project or note")
async def inventory_update(request: Request, item_id: ItemId, patch: ItemPatch, actor: Actor = Depends(require_writer)) -> Response:
    changes = patch.model_dump(exclude_none=True)
    _no_such_item(state(request), item_id)

    def job(s: Connection) -> dict[str, Any]:
        if store.clashes(s, item_id, changes):  # refuse a clash before writing
            raise HTTPException(409, "another item of that project already has that id and kind")
        row = store.update_item(s, item_id, changes)
        if row is None:
            raise HTTPException(404, f"no inventory item {item_id}")
        store.audit_later(s, actor.name, "inventory.update", f"{row.project}:{row.kind}:{row.artifact_id}",
                          {"item_id": item_id, "changes": changes})
        return _row_json(row)

    return raw(dumps(await state(request).writes.run(job)))


@router.delete("/inventory/{item_id}", tags=["inventory"], status_code=204, summary="Remove an item")
async def inventory_delete(request: Request, item_id: ItemId, actor: Actor = Depends(require_writer)) -> Response:
    _no_such_item(state(request), item_id)

    def job(s: Connection) -> None:
        row = store.item(s, item_id)
        if row is None:
            raise HTTPException(404, f"no inventory item {item_id}")
        store.delete_item(s, item_id)
        store.audit_later(s, actor.name, "inventory.delete", f"{row.project}:{row.kind}:{row.artifact_id}", {"item_id": item_id})

    await state(request).writes.run(job)
    return Response(status_code=204)
