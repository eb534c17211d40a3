"""The REST API under /api/v1 (OpenAPI at /openapi.json), one router per resource: health,
models (verdicts, graphs, search), licenses, inventory, changes, scans, policies, audit, hub. Reads are
open; every write needs a bearer token and leaves an audit entry in the same transaction as
the write. The routers hold no SQL: it is in server/store.py.

`ROUTERS` lists them in the order of the OpenAPI document; `include` adds each to the
application itself, side by side. (Not nested in one /api/v1 router: FastAPI matches a nested
router's routes once to choose it and again to run it, ~15 µs more per request.)"""

from __future__ import annotations

from fastapi import FastAPI

from clearance.server.routes import audit, changes, health, hub, inventory, licenses, models, policies, scans

ROUTERS = tuple(m.router for m in (health, models, licenses, inventory, changes, scans, policies, audit, hub))


def include(app: FastAPI) -> None:
    for router in ROUTERS:
        app.include_router(router)
