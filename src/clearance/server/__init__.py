"""The web dashboard and REST API (`clearance serve`).

    from clearance.server import Settings, create_app, serve, create_token

    token = create_token("sqlite:///clearance.db", "ci")   # shown once; stored hashed
    serve(Settings(snapshots=[Path("hub.jsonl")], offline=True), port=8000)

Layout: settings (options); db + models + migrations/ (the store's schema); store (every SQL
statement the API, the pages and the state run); writes (group commit); auth (tokens); engine
(usecases.check.Checker with the server's sources, plus verdict caches, warm-up, search);
state (what one process holds); routes/ (/api/v1, one router per resource); pages +
templates/ + static/ (HTML, the lineage graph in plain JS/SVG); charts (server-side SVG);
ingest (scan reports and CycloneDX BOMs); policies (saved clearance.toml texts); hubstats
(analytics); watch (scheduled rechecks of the inventory, changes, the webhook); cache (LRU);
middleware (size limit, security headers, response cache); app (the factory, and the status of
each kind of error: every one is a ClearanceError); launch (a server in a child process, for
integration and load tests). See docs/server.md.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import TYPE_CHECKING

from clearance.server.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["Settings", "create_app", "create_token", "list_tokens", "revoke_token", "serve"]


def create_app(settings: Settings) -> "FastAPI":
    """The FastAPI application: store migrated and snapshots loaded when this returns.
    Raises clearance.server.db.StoreError or clearance.sources.interface.SourceError with a
    message for the user."""
    from clearance.server.app import create_app as make

    return make(settings)


def create_token(db_url: str, name: str, expires: str | None = None) -> str:
    """A new write token named `name`, returned once (only its SHA-256 is stored); `expires`:
    when it stops working (`90d`, `12h`, `2027-01-31`; None: never). Migrates the store
    first. Prints nothing. Raises ValueError for a bad name or expiry, StoreError for a bad store."""
    from clearance.server import auth

    expires_at = auth.parse_expiry(expires) if expires else None
    with _store(db_url) as session:
        return auth.new_token(session, name, expires_at)


def list_tokens(db_url: str) -> list[dict]:
    """Every token (never the secret): id, name, prefix, created_at, expires_at, status
    (active | revoked | expired)."""
    from clearance.server import auth

    with _store(db_url) as session:
        return auth.token_rows(session)


def revoke_token(db_url: str, which: str) -> dict:
    """Revoke a token by its id or prefix (as list_tokens shows them), recorded in the audit
    history; running servers refuse it within 2 s. Raises ValueError when no (or more than one)
    token matches."""
    from clearance.server import auth

    with _store(db_url) as session:
        return auth.revoke(session, which)


@contextmanager
def _store(db_url: str):
    """A transaction on the store, migrated first."""
    from clearance.server import db

    engine = db.make_engine(db_url)
    try:
        db.migrate(engine)
        with db.sessions(engine).begin() as session:
            yield session
    finally:
        engine.dispose()


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, workers: int = 1,
          access_log: bool = False) -> None:
    """Run the server with uvicorn until interrupted. With workers > 1, each worker process
    loads the snapshots itself (the store is migrated once, here, before they start)."""
    import functools

    import uvicorn

    from clearance.server import app as app_module
    from clearance.server import db
    from clearance.server import settings as settings_module
    from clearance.server.protocol import GuardedHttpToolsProtocol

    # the request-head size limit, read deadlines and connection cap (server/protocol.py); the
    # keep-alive timeout is uvicorn's (5 s between requests)
    http = functools.partial(GuardedHttpToolsProtocol, limits=settings.limits())
    if workers <= 1:
        uvicorn.run(app_module.create_app(settings), host=host, port=port, access_log=access_log, http=http,
                    log_level="info", server_header=False, timeout_graceful_shutdown=10)
        return
    from clearance.sources.interface import SourceError

    for path in settings.snapshots:  # the workers load them; say what is wrong here, once
        if not path.is_file():
            raise SourceError(f"{path}: no such snapshot file")
    engine = db.make_engine(settings.db_url)
    try:
        db.migrate(engine)
    finally:
        engine.dispose()
    os.environ[settings_module.ENV] = settings.to_env()
    uvicorn.run("clearance.server.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                access_log=access_log, http=http, log_level="info", server_header=False, timeout_graceful_shutdown=10)
