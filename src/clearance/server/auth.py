"""Bearer tokens for writes: made by `clearance serve token create NAME`, shown once, stored
as their SHA-256 only.

A token is 32 random bytes (secrets.token_urlsafe), so a fast hash is enough: nobody can
brute-force 256 bits, and unlike a password there is nothing low-entropy to protect with a
slow KDF. This is how GitHub and PyPI store API tokens too. Lookups are by hash, so the
comparison leaks no timing about the secret.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clearance.server.models import Token

PREFIX = "clr_"
_NAME = re.compile(r"^[\w .@-]{1,100}$")
_TOKEN = re.compile(r"^clr_[A-Za-z0-9_-]{20,100}$")


class AuthError(Exception):
    """401: the message says what is missing or wrong (never which tokens exist)."""


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


def new_token(session: Session, name: str) -> str:
    token = PREFIX + secrets.token_urlsafe(32)
    session.add(Token(name=check_name(name), prefix=token[:10], token_hash=hash_token(token), revoked=False))
    return token


def token_from_header(header: str | None) -> str:
    if not header:
        raise AuthError("this request writes: send Authorization: Bearer <token> (see `clearance serve token create`)")
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value:
        raise AuthError("Authorization must be 'Bearer <token>'")
    if not _TOKEN.match(value):
        raise AuthError("invalid token")
    return value


def lookup(factory: sessionmaker[Session], token_hash: str) -> Actor | None:
    with factory() as session:
        row = session.execute(select(Token.id, Token.name).where(Token.token_hash == token_hash,
                                                                  Token.revoked.is_(False))).first()
    return Actor(row.name, row.id) if row is not None else None


def authenticate(factory: sessionmaker[Session], header: str | None) -> Actor:
    actor = lookup(factory, hash_token(token_from_header(header)))
    if actor is None:
        raise AuthError("invalid or revoked token")
    return actor


async def require_writer(request: Request) -> Actor:
    """FastAPI dependency for every write route. A valid token is remembered for a couple of
    seconds (state.TOKEN_TTL), so a burst of writes reads the tokens table once."""
    state = request.app.state.clearance
    digest = hash_token(token_from_header(request.headers.get("authorization")))
    actor = state.tokens.get(digest)
    if actor is None:
        actor = await run_in_threadpool(lookup, state.sessions, digest)
        if actor is None:
            raise AuthError("invalid or revoked token")
        state.tokens.put(digest, actor)
    return actor
