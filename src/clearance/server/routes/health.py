"""GET /health: liveness, configuration and warm-up progress."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from clearance.server.routes.common import PREFIX, dumps, raw, state
from clearance.util.version import __version__

router = APIRouter(prefix=PREFIX)


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
