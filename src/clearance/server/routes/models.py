"""Models: a verdict per use, the lineage graph, search over the snapshots."""

from __future__ import annotations

from enum import Enum

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from clearance.engine.values import USES
from clearance.server import ids
from clearance.server.routes.common import PREFIX, dumps, policy_choice, raw, state

router = APIRouter(prefix=PREFIX)


Use = Enum("Use", {u: u for u in USES}, type=str)


@router.get("/models/{model_id:path}/clearance", tags=["models"],
            summary="The verdict for one use: one element of `clearance check --format json` results")
async def model_clearance(request: Request, model_id: str,
                          use: Use = Query(Use("commercial"), description=f"{', '.join(USES[:-1])} or {USES[-1]}"),
                          policy: str | None = Query(None, description="a saved policy's name (default: the active one)")) -> Response:
    st = state(request)
    ref = ids.hub_ref(model_id)
    fresh = st.fresh_policy() if policy is None else None
    if fresh is not None:
        found = st.engine.cached_clearance_json(ref, use.value, fresh.key)
        if found is not None:
            return raw(found, cache=f"policy:{fresh.key}")

    def compute() -> tuple[bytes, str]:
        choice = policy_choice(st, policy)
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
