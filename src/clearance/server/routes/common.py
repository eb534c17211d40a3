"""What the API's routers share: the process state of a request, JSON answers the response
cache understands, strict request bodies, the bounds of ids and offsets, the policy a request
asks for."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import HTTPException, Query, Request, Response
from pydantic import BaseModel, ConfigDict, field_validator

from clearance.server import ids
from clearance.server.cache import get_or_compute
from clearance.server.state import AppState, PolicyChoice
from clearance.util.times import assume_utc

PREFIX = "/api/v1"
JSON = "application/json"
MAX_PAGE = 1000
INT64_MAX = 2**63 - 1  # SQLite's and PostgreSQL's largest integer: larger ids and offsets are a 422, not a store error
Offset = Annotated[int, Query(ge=0, le=INT64_MAX)]


def state(request: Request) -> AppState:
    return request.app.state.clearance


def raw(body: bytes, status: int = 200, cache: str | None = None) -> Response:
    """A JSON answer. `cache`: "static" (the same for this URL as long as the process runs)
    or "policy:<key>" (the same for this URL under that policy) lets middleware.ResponseCache
    answer the URL from memory next time."""
    headers = {"x-clearance-cache": cache} if cache else None
    return Response(content=body, status_code=status, media_type=JSON, headers=headers)


def dumps(data: Any) -> bytes:
    return json.dumps(data, default=_default).encode()


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return assume_utc(value).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class StrictBody(BaseModel):
    """A request body: unknown fields and NUL bytes are refused (422)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("NUL bytes are not allowed in text")  # PostgreSQL's text cannot hold them
        return value


def policy_choice(st: AppState, name: str | None) -> PolicyChoice:
    """The saved policy `name` (404 when there is none), else the active one, else the default."""
    if name is not None:
        ids.name(name, "policy")
    try:
        return st.policy(name)
    except KeyError:
        raise HTTPException(404, f"no saved policy named {name!r}") from None


async def memo_json(st: AppState, key: tuple, build) -> Response:
    """An answer that no write changes (a license, Hub analytics), computed once per process
    (off the event loop) and then served as is."""
    return raw(await get_or_compute(st.memo, key, lambda: dumps(build())), cache="static")
