"""`clearance hub stats/trends/families` over the configured snapshots."""

from __future__ import annotations

from enum import Enum

from fastapi import APIRouter, Query, Request, Response

from clearance.analytics.periods import DEFAULT_PERIOD, PERIODS
from clearance.formats.hub import FAMILIES_SCHEMA, STATS_SCHEMA, TRENDS_SCHEMA
from clearance.server.routes.common import PREFIX, memo_json, state
from clearance.util.envelope import envelope

router = APIRouter(prefix=PREFIX)


@router.get("/hub/stats", tags=["hub"], summary="`clearance hub stats` over the configured snapshots")
async def hub_stats(request: Request, top: int = Query(20, ge=1, le=200)) -> Response:
    st = state(request)
    return await memo_json(st, ("hub.stats", top), lambda: envelope(STATS_SCHEMA, **st.hub.stats(top)))


Period = Enum("Period", {p: p for p in PERIODS}, type=str)  # the periods Hub analytics group by


@router.get("/hub/trends", tags=["hub"], summary="`clearance hub trends`: license categories per period of creation")
async def hub_trends(request: Request, by: Period = Query(Period(DEFAULT_PERIOD))) -> Response:
    st = state(request)
    return await memo_json(st, ("hub.trends", by.value),
                           lambda: envelope(TRENDS_SCHEMA, by=by.value, rows=st.hub.trends(by.value)))


@router.get("/hub/families", tags=["hub"], summary="`clearance hub families`: ecosystem size per lineage root")
async def hub_families(request: Request, top: int = Query(20, ge=1, le=200)) -> Response:
    st = state(request)
    return await memo_json(st, ("hub.families", top), lambda: envelope(FAMILIES_SCHEMA, rows=st.hub.families(top)))
