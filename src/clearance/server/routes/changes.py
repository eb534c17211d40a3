"""GET /changes: what rechecks of the inventory found (server/watch.py), oldest first."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Query, Request, Response

from clearance.server import store
from clearance.server.routes.common import MAX_PAGE, PREFIX, Offset, dumps, raw, state
from clearance.server.watch import change_json

router = APIRouter(prefix=PREFIX)


@router.get("/changes", tags=["inventory"], summary="Changes rechecks found in inventory items, oldest first")
def changes(request: Request,
            since: dt.datetime | None = Query(None, description="ISO 8601 time (UTC when no offset is given): changes found then or later"),
            limit: int = Query(100, ge=1, le=MAX_PAGE), offset: Offset = 0) -> Response:
    """Each change of an item's verdict, declared license, license files or parents (of the item
    or of an ancestor) between two rechecks, in the order they were found: the item, and per
    artifact and field the value before and after (`lock.diff.Change.to_json`). The same
    entries are in the audit history (action `inventory.changed`) and are what the webhook posts."""
    st = state(request)
    total, rows = store.change_entries(st.store, st.sessions, since, limit, offset)
    return raw(dumps({"total": total, "limit": limit, "offset": offset, "changes": [change_json(r) for r in rows]}))
