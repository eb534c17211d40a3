"""GET /audit: the history of every write (and refused write), newest first."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request, Response

from clearance.server import store
from clearance.server.routes.common import MAX_PAGE, PREFIX, Offset, dumps, raw, state

router = APIRouter(prefix=PREFIX)


@router.get("/audit", tags=["audit"], summary="Audit history of every write, newest first")
def audit(request: Request, action: str | None = Query(None, max_length=50), actor: str | None = Query(None, max_length=100),
          limit: int = Query(100, ge=1, le=MAX_PAGE), offset: Offset = 0) -> Response:
    total, rows = store.audit_entries(state(request).sessions, action, actor, limit, offset)
    return raw(dumps({"total": total, "entries": [{"id": r.id, "at": r.at, "actor": r.actor, "action": r.action,
                                                   "target": r.target, "detail": r.detail} for r in rows]}))
