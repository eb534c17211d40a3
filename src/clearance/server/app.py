"""The application factory: the store (migrated), the engine and its sources (loaded once),
the API, the pages, the limits and the error answers."""

from __future__ import annotations

import asyncio
import logging
import sys
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from clearance.analytics.tables import SnapshotError
from clearance.server import pages, routes
from clearance.server.auth import AuthError
from clearance.server.db import StoreError
from clearance.server.hubstats import NoSnapshots
from clearance.server.ingest import IngestError
from clearance.server.middleware import (
    SECURITY_HEADERS,
    WARM_SCOPE,
    BodyLimit,
    ResponseCache,
    SecurityHeaders,
)
from clearance.server.routes.policies import Unparseable
from clearance.server.settings import Settings
from clearance.server.state import AppState
from clearance.util.errors import ClearanceError
from clearance.util.version import __version__

HERE = Path(__file__).resolve().parent
# The interpreter's GIL switch interval while serving (CPython's default is 5 ms). The event loop
# shares the GIL with the group-commit writer thread and the engine threads; every SQLite
# statement the writer runs releases the GIL and must then wait for the loop to give it back, up
# to the switch interval each time. Under the load test a batch of ~2 writes took a median of
# 4-9 ms with 1 ms and 3 ms with 0.25 ms, at no visible cost in throughput (docs/server.md).
SWITCH_INTERVAL = 0.00025
log = logging.getLogger("clearance.server")


def create_app(settings: Settings) -> FastAPI:
    """A ready application: the store is migrated and the snapshots are loaded before this
    returns, so a bad --db or --snapshot fails here, with a message, not on a request."""
    st = AppState.open(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        # A few threads for the engine and the store, not anyio's 40: the work is CPU-bound
        # under one GIL, and forty runnable threads would starve the event loop and the writer.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        previous = sys.getswitchinterval()
        sys.setswitchinterval(min(previous, SWITCH_INTERVAL))
        st.start_background(lambda paths: asyncio.run(prefetch(app, paths)))
        yield
        st.close()
        sys.setswitchinterval(previous)

    app = FastAPI(title="Clearance", version=__version__, lifespan=lifespan, openapi_url="/openapi.json",
                  telemetry=_telemetry(),
                  docs_url=None, redoc_url=None,  # Swagger UI would load from a CDN: none here
                  description="What may you do with an open AI model, and why. Reads are open; writes need "
                              "`Authorization: Bearer <token>` (`clearance serve token create NAME`).")
    app.state.clearance = st
    routes.include(app)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _errors(app)
    app.add_middleware(ResponseCache, state_of=lambda scope: st)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    return app


def _telemetry() -> dict | None:
    """FastAPI's native OpenTelemetry as it would be (None: its defaults) when a provider is
    configured now, at startup; otherwise off. FastAPI otherwise asks the OpenTelemetry globals
    whether a provider exists on every request (~3% of the server's time under load)."""
    from fastapi.telemetry._asgi import NativeTelemetry

    probe = FastAPI()
    if isinstance(getattr(probe, "_native_telemetry", None), NativeTelemetry) and not probe._native_telemetry.enabled():
        return {"tracing": False, "metrics": False, "logs": False}
    return None


async def prefetch(app, paths: list[tuple[str, str]]) -> int:
    """GET each (path, query) through the application itself, in this process, as a client
    would: the answers a handler marks cacheable land in the response cache
    (middleware.ResponseCache), so a client's first request for them is answered from memory.
    The warm-up calls this on its own thread and event loop; it returns how many answered 200."""
    ok = 0
    for path, query in paths:
        scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
                 "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
                 "query_string": query.encode(), "headers": [(b"host", b"localhost")], "client": None,
                 "server": None, "state": {}, WARM_SCOPE: True}
        status = 0

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await app(scope, receive, send)
        ok += status == 200
    return ok


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def problem(exc: ClearanceError) -> tuple[int, str, dict[str, str] | None]:
    """The status, message and headers of the answer to a request that raised a ClearanceError:
    the one place each kind of error is given its status. Bad input a client can fix is a 400
    unless said otherwise here."""
    if isinstance(exc, AuthError):
        return 401, str(exc), {"WWW-Authenticate": "Bearer"}
    if isinstance(exc, NoSnapshots):
        return 404, str(exc), None
    if isinstance(exc, (IngestError, Unparseable)):  # a document or policy text that cannot be read
        return 422, str(exc), None
    if isinstance(exc, SnapshotError):
        return 503, f"Hub analytics unavailable: {exc}", None
    if isinstance(exc, StoreError):
        log.error("store error: %s", exc)
        return 503, "the store is unavailable; try again", None
    return 400, str(exc), None  # InvalidInput, SourceError (a bad id or target), any other


def _errors(app: FastAPI) -> None:
    def answer(request: Request, status: int, detail: str, extra: dict | None = None, headers: dict | None = None):
        if _wants_json(request):
            return JSONResponse({"detail": detail, **(extra or {})}, status_code=status, headers=headers)
        return pages.error_page(request, status, detail)

    @app.exception_handler(ClearanceError)
    async def _clearance(request: Request, exc: ClearanceError):
        status, detail, headers = problem(exc)
        return answer(request, status, detail, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        parts = []
        for err in errors[:5]:
            loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
            msg = err.get("msg", "invalid")
            if err.get("type") == "json_invalid":
                msg = f"the body is not valid JSON ({err.get('ctx', {}).get('error', 'parse error')})"
                loc = "body"
            parts.append(f"{loc}: {msg.removeprefix('Value error, ')}")
        clean = [{"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")} for e in errors[:20]]
        return answer(request, 422, "; ".join(parts), {"errors": clean})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        return answer(request, exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(IntegrityError)
    async def _conflict(request: Request, exc: IntegrityError):
        return answer(request, 409, "the write conflicts with another change made at the same time; retry")

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError):
        # what the API's own checks let through to the store and it refused (a number out of its
        # range, a byte its text cannot hold): the request's fault, said without the statement
        log.warning("store refused a value: %s", str(exc.orig).splitlines()[0][:200] if exc.orig else exc)
        return answer(request, 400, "a value in the request is out of range for the store")

    @app.exception_handler(OperationalError)
    async def _store(request: Request, exc: OperationalError):
        log.error("store error: %s", exc)
        return answer(request, 503, "the store is unavailable; try again")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        # Starlette answers this from its outermost middleware (then re-raises, so the server's
        # log has the traceback): outside SecurityHeaders, so the headers are added here.
        headers = {k.decode(): v.decode() for k, v in SECURITY_HEADERS}
        detail = "internal error: the server could not answer this request (the server's log says why)"
        if not _wants_json(request):
            try:
                page = pages.error_page(request, 500, detail)
                page.headers.update(headers)
                return page
            except Exception:  # noqa: BLE001 - the error page itself failed: answer JSON
                pass
        return JSONResponse({"detail": detail}, status_code=500, headers=headers)


def app_from_env() -> FastAPI:
    """uvicorn's factory for several worker processes: the settings come from the environment
    (Settings.to_env)."""
    return create_app(Settings.from_env())
