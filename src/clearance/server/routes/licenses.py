"""The knowledge base's licenses (`clearance license list/show --format json`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request, Response

from clearance.server import ids
from clearance.server.ids import InvalidInput
from clearance.server.routes.common import PREFIX, dumps, memo_json, raw, state
from clearance.util.envelope import envelope

router = APIRouter(prefix=PREFIX)


@router.get("/licenses", tags=["licenses"], summary="The knowledge base's curated licenses (`license list --format json`)")
async def licenses(request: Request, category: str | None = Query(None)) -> Response:
    from clearance.kb import CATEGORIES, SCHEMA_VERSION

    if category is not None and category not in CATEGORIES:
        raise InvalidInput(f"category {category[:80]!r} is not one of: {', '.join(CATEGORIES)}")
    st = state(request)
    return raw(st.memo.get_or(("licenses", category), lambda: dumps(envelope(
        SCHEMA_VERSION, licenses=[lic.to_json() for lic in sorted(st.engine.kb, key=lambda lic: lic.id)
                                  if category is None or lic.category == category]))), cache="static")


@router.get("/licenses/{license_id}", tags=["licenses"], summary="One license's terms (`license show --format json`)")
async def license_show(request: Request, license_id: str) -> Response:
    ids.license_id(license_id)
    st = state(request)

    def make() -> dict[str, Any]:
        lic = st.license(license_id)
        if lic is None:
            raise HTTPException(404, f"no license in the knowledge base answers to {license_id!r}")
        return lic.to_json()

    return await memo_json(st, ("license", license_id.lower()), make)
