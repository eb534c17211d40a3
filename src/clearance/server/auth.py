"""Bearer tokens for writes: made by `clearance serve token create NAME`, shown once, stored
as their SHA-256 only.

A token is 32 random bytes (secrets.token_urlsafe), so a fast hash is enough: nobody can
brute-force 256 bits, and unlike a password there is nothing low-entropy to protect with a
slow KDF. This is how GitHub and PyPI store API tokens too. Lookups are by hash, so the
comparison leaks no timing about the secret.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from clearance.server import store
from clearance.server.models import Token, utcnow
from clearance.util.errors import ClearanceError
from clearance.util.times import assume_utc, span_seconds

log = logging.getLogger("clearance.server")

PREFIX = "clr_"
_NAME = re.compile(r"^[\w .@-]{1,100}$")
_TOKEN = re.compile(r"^clr_[A-Za-z0-9_-]{20,100}$")
CLI_ACTOR = "(command line)"  # who token changes made by `clearance serve token ...` are recorded as


class AuthError(ClearanceError):
    """401: the message says what is missing or wrong (never which tokens exist). `reason` and
    `token_name` (a known token's, when it is revoked or expired) are for the audit history."""

    def __init__(self, message: str, reason: str = "invalid", token_name: str | None = None) -> None:
        super().__init__(message)
        self.reason, self.token_name = reason, token_name


@dataclass(frozen=True)
class Actor:
    name: str
    token_id: int


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_name(name: str) -> str:
    name = name.strip()
    if not _NAME.match(name):
        raise ValueError(f"token name {name!r}: 1 to 100 letters, digits, spaces, '.', '@', '_' or '-'")
    return name


def new_token(session: Session, name: str, expires_at: dt.datetime | None = None) -> str:
    token = PREFIX + secrets.token_urlsafe(32)
    session.add(Token(name=check_name(name), prefix=token[:10], token_hash=hash_token(token), revoked=False,
                      created_at=utcnow(), expires_at=expires_at))
    store.audit(session, CLI_ACTOR, "token.create", name.strip(),
                {"prefix": token[:10], "expires_at": expires_at.isoformat() if expires_at else None})
    return token


def parse_expiry(text: str, now: dt.datetime | None = None) -> dt.datetime:
    """When a new token expires: `90d`, `12h`, `30m` from now (a span: util.times), or a date
    (`2027-01-31`, the start of that day in UTC) or an ISO date and time (UTC unless it says
    otherwise). Raises ValueError unless it is in the future."""
    now = now or utcnow()
    text = text.strip()
    seconds = span_seconds(text, unit_required=True)  # a unit: a bare 20270131 is a date
    try:
        if seconds is not None:
            when = now + dt.timedelta(seconds=seconds)
        else:
            try:
                when = assume_utc(dt.datetime.fromisoformat(text))
            except ValueError:
                raise ValueError(f"expiry {text!r}: give a span (90d, 12h, 30m) or an ISO date (2027-01-31)") from None
    except OverflowError:
        raise ValueError(f"expiry {text!r} is too far in the future") from None
    if when <= now:
        raise ValueError(f"expiry {text!r} is not in the future")
    return when.astimezone(dt.timezone.utc).replace(microsecond=0)


def token_from_header(header: str | None) -> str:
    if not header:
        raise AuthError("this request writes: send Authorization: Bearer <token> (see `clearance serve token create`)",
                        "missing")
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value:
        raise AuthError("Authorization must be 'Bearer <token>'", "malformed")
    if not _TOKEN.match(value):
        raise AuthError("invalid token", "malformed")
    return value


REFUSED = "invalid, revoked or expired token"  # one message for all three: it tells nothing about which tokens exist


def lookup(factory: sessionmaker[Session], token_hash: str) -> Actor:
    """The token's holder; AuthError (with the precise reason for the audit) otherwise."""
    with factory() as session:
        row = session.execute(select(Token.id, Token.name, Token.revoked, Token.expires_at)
                              .where(Token.token_hash == token_hash)).first()
    if row is None:
        raise AuthError(REFUSED, "unknown")
    if row.revoked:
        raise AuthError(REFUSED, "revoked", row.name)
    expires = assume_utc(row.expires_at)
    if expires is not None and expires <= utcnow():
        raise AuthError(REFUSED, "expired", row.name)
    return Actor(row.name, row.id)


def authenticate(factory: sessionmaker[Session], header: str | None) -> Actor:
    return lookup(factory, hash_token(token_from_header(header)))


async def require_writer(request: Request) -> Actor:
    """FastAPI dependency for every write route. A valid token is remembered for a couple of
    seconds (state.TOKEN_TTL), so a burst of writes reads the tokens table once. A refusal is
    recorded in the audit history (FailedAuthentications)."""
    state = request.app.state.clearance
    try:
        header = request.headers.get("authorization")
        digest = hash_token(token_from_header(header))
        actor = state.tokens.get(digest)
        if actor is None:
            actor = await run_in_threadpool(lookup, state.sessions, digest)
            state.tokens.put(digest, actor)
    except AuthError as exc:
        token = (header or "").partition(" ")[2].strip()
        state.auth_failures.record(request.client.host if request.client else "", exc.reason, exc.token_name,
                                   f"{request.method} {request.url.path}", token[:10] if token.startswith(PREFIX) else "")
        raise
    return actor


class FailedAuthentications:
    """Refused write requests, recorded in the audit history (action `auth.failed`) without
    letting a flood of them become a flood of writes: the first refusal of a (client, reason,
    token) is written within `window` seconds, together with how many more came in that time,
    in one batch for all of them; at most `max_keys` distinct ones are told apart per window
    (beyond that they are counted together under client "(many)")."""

    def __init__(self, writes, window: float = 1.0, max_keys: int = 1000) -> None:
        self.writes, self.window, self.max_keys = writes, window, max_keys
        self._pending: dict[tuple[str, str, str], dict[str, Any]] = {}
        self._scheduled = False

    def record(self, client: str, reason: str, token_name: str | None, target: str, prefix: str) -> None:
        key = (client, reason, token_name or "")
        if key not in self._pending and len(self._pending) >= self.max_keys:
            key, prefix = ("(many)", reason, ""), ""
        entry = self._pending.get(key)
        if entry is None:
            self._pending[key] = {"at": utcnow(), "actor": token_name or "(none)", "action": "auth.failed", "target": target,
                                  "detail": {"reason": reason, "client": key[0], "count": 1,
                                             **({"token_prefix": prefix} if prefix else {})}}
        else:
            entry["detail"]["count"] += 1
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_later(self.window, self._flush)

    def _flush(self) -> None:
        rows, self._pending, self._scheduled = list(self._pending.values()), {}, False
        if rows:
            asyncio.ensure_future(self._write(rows))

    async def _write(self, rows: list[dict[str, Any]]) -> None:
        def job(conn) -> None:
            for row in rows:  # written in one statement before the commit (store.flush_audit)
                store.audit_later(conn, **row)

        try:
            await self.writes.run(job)
        except Exception:  # noqa: BLE001 - the store is down: the requests were refused all the same
            log.warning("recording %d failed authentication(s) failed", len(rows), exc_info=True)


# -- the tokens as `clearance serve token list|revoke` manage them ------------------------------
def token_rows(session: Session) -> list[dict[str, Any]]:
    now = utcnow()
    out = []
    for t in session.scalars(select(Token).order_by(Token.id)).all():
        expires = assume_utc(t.expires_at)
        status = "revoked" if t.revoked else "expired" if expires is not None and expires <= now else "active"
        out.append({"id": t.id, "name": t.name, "prefix": t.prefix, "created_at": assume_utc(t.created_at),
                    "expires_at": expires, "status": status})
    return out


def revoke(session: Session, which: str) -> dict[str, Any]:
    """Revoke the token with this id (as `token list` shows it) or prefix (`clr_…`, 10
    characters). Raises ValueError when none or several match."""
    which = which.strip()
    if which.isdigit():
        rows = session.scalars(select(Token).where(Token.id == int(which))).all() if len(which) < 12 else []
    else:
        rows = session.scalars(select(Token).where(Token.prefix == which[:16])).all()
    if not rows:
        raise ValueError(f"no token with id or prefix {which[:40]!r} (see `clearance serve token list`)")
    if len(rows) > 1:
        raise ValueError(f"{len(rows)} tokens have the prefix {which!r}: revoke by id")
    token = rows[0]
    session.execute(update(Token).where(Token.id == token.id).values(revoked=True))
    store.audit(session, CLI_ACTOR, "token.revoke", token.name, {"token_id": token.id, "prefix": token.prefix})
    return {"id": token.id, "name": token.name, "prefix": token.prefix}
