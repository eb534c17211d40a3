"""Saved policies (clearance.toml texts), validated exactly as `--policy` files are."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import Field, field_validator
from sqlalchemy import Connection

from clearance.policy.load import PolicyError, parse_text
from clearance.server import ids, policies, store, tomlguard
from clearance.server.auth import Actor, require_writer
from clearance.server.models import utcnow
from clearance.server.routes.common import PREFIX, StrictBody, dumps, raw, state
from clearance.server.state import AppState
from clearance.util.errors import ClearanceError

router = APIRouter(prefix=PREFIX)


class PolicyIn(StrictBody):
    name: str = Field(max_length=100)
    toml: str = Field(description="clearance.toml text", max_length=1024 * 1024)
    active: bool = False

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return ids.name(v, "policy name")


class PolicyUpdate(StrictBody):
    toml: str | None = Field(None, max_length=1024 * 1024)
    active: bool | None = None


class PolicyText(StrictBody):
    toml: str = Field(max_length=1024 * 1024)


def _policy_json(row: Any, text: str | None = None) -> dict[str, Any]:
    out = {"name": row.name, "active": row.active, "created_at": row.created_at, "updated_at": row.updated_at}
    if text is not None:
        out["toml"] = text
    return out


class Unparseable(ClearanceError):
    """422 (app.problem): the text is refused before parsing (tomlguard) or broke the parser."""


def _parse_policy(st: AppState, text: str, label: str) -> None:
    """Validate policy text as `--policy` files are, after the linear pre-parse check
    (tomlguard: no dotted key or nesting that makes tomllib's cost blow up). Raises PolicyError
    for an invalid policy, Unparseable for text refused before or by the parser."""
    try:
        tomlguard.check(text)
    except tomlguard.TooComplex as exc:
        raise Unparseable(f"{label}: refused before parsing: {exc}") from None
    try:
        parse_text(text, label, st.engine.kb)
    except PolicyError:
        raise
    except RecursionError:
        raise Unparseable(f"{label}: invalid TOML: nested too deep") from None
    except ValueError as exc:  # tomllib lets int()'s own errors through (an integer of over 4,300 digits)
        raise PolicyError(f"{label}: invalid TOML: {exc}") from None


def _validate_policy(st: AppState, text: str, label: str) -> None:
    """422 for a policy that cannot be saved: invalid (PolicyError) or Unparseable."""
    try:
        _parse_policy(st, text, label)
    except PolicyError as exc:
        raise HTTPException(422, str(exc)) from None


@router.get("/policies", tags=["policies"], summary="Saved policies")
def policy_list(request: Request) -> Response:
    rows = store.policy_rows(state(request).sessions)
    return raw(dumps({"policies": [_policy_json(r) for r in rows]}))


@router.post("/policies/validate", tags=["policies"], summary="Check a clearance.toml text without saving it")
def policy_validate(request: Request, body: PolicyText) -> Response:
    try:
        _parse_policy(state(request), body.toml, "policy")  # Unparseable: a 422
    except PolicyError as exc:
        return raw(dumps({"valid": False, "error": str(exc)}))
    return raw(dumps({"valid": True, "error": None}))


@router.get("/policies/{name}", tags=["policies"], summary="One saved policy, with its TOML")
def policy_get(request: Request, name: str) -> Response:
    ids.name(name, "policy name")
    row = store.policy_row(state(request).sessions, name)
    if row is None:
        raise HTTPException(404, f"no saved policy named {name!r}")
    return raw(dumps(_policy_json(row, row.toml)))


@router.post("/policies", tags=["policies"], status_code=201, summary="Save a policy (validated as clearance.toml)")
async def policy_create(request: Request, body: PolicyIn, actor: Actor = Depends(require_writer)) -> Response:
    st = state(request)
    await run_in_threadpool(_validate_policy, st, body.toml, f"policy {body.name!r}")

    def job(s: Connection) -> dict[str, Any]:
        now = utcnow()
        if store.policy_exists(s, body.name):
            raise HTTPException(409, f"a policy named {body.name!r} already exists; "
                                     f"PUT /api/v1/policies/{body.name} changes it")
        store.create_policy(s, body.name, body.toml, body.active, now)
        store.audit(s, actor.name, "policy.create", body.name, {"active": body.active, "sha256": policies.key(body.toml)})
        return {"name": body.name, "active": body.active, "created_at": now, "updated_at": now, "toml": body.toml}

    out = await st.writes.run(job)
    st.policy_changed()
    return raw(dumps(out), 201)


@router.put("/policies/{name}", tags=["policies"], summary="Change a saved policy's text or make it the active one")
async def policy_update(request: Request, name: str, body: PolicyUpdate, actor: Actor = Depends(require_writer)) -> Response:
    st = state(request)
    ids.name(name, "policy name")
    if body.toml is not None:
        await run_in_threadpool(_validate_policy, st, body.toml, f"policy {name!r}")

    def job(s: Connection) -> dict[str, Any]:
        row = store.update_policy(s, name, body.toml, body.active)
        if row is None:
            raise HTTPException(404, f"no saved policy named {name!r}")
        store.audit(s, actor.name, "policy.update", name, {"active": row.active, "sha256": policies.key(row.toml)})
        return _policy_json(row, row.toml)

    out = await st.writes.run(job)
    st.policy_changed()
    return raw(dumps(out))


@router.delete("/policies/{name}", tags=["policies"], status_code=204, summary="Delete a saved policy")
async def policy_delete(request: Request, name: str, actor: Actor = Depends(require_writer)) -> Response:
    st = state(request)
    ids.name(name, "policy name")

    def job(s: Connection) -> None:
        if not store.delete_policy(s, name):
            raise HTTPException(404, f"no saved policy named {name!r}")
        store.audit(s, actor.name, "policy.delete", name)

    await st.writes.run(job)
    st.policy_changed()
    return Response(status_code=204)
