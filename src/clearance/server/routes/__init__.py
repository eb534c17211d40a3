"""The REST API under /api/v1 (OpenAPI at /openapi.json), one router per resource: health,
models (verdicts, graphs, search), licenses, inventory, scans, policies, audit, hub. Reads are
open; every write needs a bearer token and leaves an audit entry in the same transaction as
the write. The routers hold no SQL: it is in server/store.py. `router` assembles them, in the
order of the OpenAPI document."""

from __future__ import annotations

from fastapi import APIRouter

from clearance.server.routes import audit, health, hub, inventory, licenses, models, policies, scans

router = APIRouter(prefix="/api/v1")
for _resource in (health, models, licenses, inventory, scans, policies, audit, hub):
    router.include_router(_resource.router)
