"""Pure ASGI middleware (cheaper than Starlette's BaseHTTPMiddleware on every request):
the request size limit (and NUL bytes in URLs), the security headers of every response (and
redirects that never name a host), and the response cache."""

from __future__ import annotations

import functools
import json
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS = [
    # Only the page's own scripts, styles and images: no CDN, no inline script.
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                                 b"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


def _relative(location: bytes) -> bytes:
    """`http://any-host/path?q` → `/path?q`. Starlette builds the URL of its trailing-slash
    redirects from the request's Host header; this server only ever redirects to itself, so
    its redirects carry the path alone and never reflect a Host a client chose."""
    scheme, sep, rest = location.partition(b"://")
    if not sep or b"/" in scheme:
        return location
    slash = rest.find(b"/")
    return rest[slash:] if slash >= 0 else b"/"


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if 300 <= message["status"] < 400:
                    headers = [(k, _relative(v) if k.lower() == b"location" else v) for k, v in headers]
                names = {k.lower() for k, _ in headers}
                message["headers"] = headers + [h for h in SECURITY_HEADERS if h[0] not in names]
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _refuse(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """413 for a body over `limit` bytes: at once from Content-Length, else while it streams
    (chunked uploads), before the application reads any of it. 400 for a NUL byte in the query
    string (no parameter may hold one, and PostgreSQL's text cannot)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"")
        if b"%00" in query or b"\x00" in query:  # (path parameters are ids, checked one by one: ids.py)
            await _refuse(send, 400, "NUL bytes are not allowed in query parameters")
            return
        length = None
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    await _refuse(send, 400, "Content-Length is not a number")
                    return
        if length is not None and length > self.limit:
            await _refuse(send, 413, f"request body of {length} bytes is over the limit of {self.limit} bytes")
            return
        if scope["method"] in ("GET", "HEAD", "OPTIONS") and not length:
            await self.app(scope, receive, send)
            return
        chunks, total = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            total += len(body)
            if total > self.limit:
                await _refuse(send, 413, f"request body is over the limit of {self.limit} bytes")
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        whole = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": whole, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


WARM_SCOPE = "clearance.warm"  # set in the scope of the warm-up's requests (app.prefetch)
CACHE_HEADER = b"x-clearance-cache"  # set by a handler: "static" or "policy"; never sent out
# The query parameters of the answers handlers mark cacheable (routes/, pages.py: use, q, limit,
# category, top, by). A URL with any other parameter, or one twice, bypasses the cache: junk
# parameters cannot fill it, and a parameter added later is never served from a wrong entry.
CACHE_PARAMS = frozenset({b"use", b"q", b"limit", b"category", b"top", b"by"})


@functools.lru_cache(maxsize=1024)  # parse_qsl takes ~3 µs, a fifth of a cache hit's time
def query_key(query: bytes) -> tuple | None:
    """The query string as the response cache keys it: its parameters decoded and sorted
    (`?by=year&top=5` and `?top=5&by=year` are one entry); None when it has a parameter no
    cacheable answer reads, or one twice."""
    if not query:
        return ()
    pairs = parse_qsl(query, keep_blank_values=True)
    if len(pairs) > len(CACHE_PARAMS) or any(name not in CACHE_PARAMS for name, _ in pairs):
        return None
    pairs.sort()
    if any(a[0] == b[0] for a, b in zip(pairs, pairs[1:])):
        return None
    return tuple(pairs)


class ResponseCache:
    """Answers a GET from memory when the same URL was answered before and its handler marked
    the answer cacheable: `static` (depends on the URL only: a graph, a license, Hub stats)
    or `policy` (depends on the URL and the active policy: a verdict, a model page).

    The snapshots are fixed for the life of the process and the knowledge base is bundled, so
    these answers only change with the policy (part of the key) — or, online, when the Hub
    changes (entries then live `ttl` seconds). Inventory, audit and policy answers are never
    marked. A hit skips routing, validation and the thread pool: well under a millisecond.

    The key is the path and the known query parameters (query_key). Answers to the warm-up's own
    requests (app.prefetch marks their scope) go to a cache of their own, which no client's
    request evicts; clients' answers go to one capped in entries and in bytes."""

    def __init__(self, app: ASGIApp, state_of) -> None:
        self.app, self.state_of = app, state_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        query = query_key(scope.get("query_string", b""))
        if query is None:
            await self.app(scope, receive, send)
            return
        st = self.state_of(scope)
        url = (scope["path"], query)
        store = st.warm_responses if scope.get(WARM_SCOPE) else st.responses
        found = st.warm_responses.get(url) or st.responses.get(url)
        if found is None:
            fresh = st.fresh_policy()
            if fresh is not None:
                key = (*url, fresh.key)
                found = st.warm_responses.get(key) or st.responses.get(key)
        if found is not None:
            ctype, body = found
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return

        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                mark = next((v for k, v in headers if k == CACHE_HEADER), None)
                if mark is not None:
                    message["headers"] = [(k, v) for k, v in headers if k != CACHE_HEADER]
                    if message["status"] == 200:
                        start = {**message, "mark": mark}
            elif start is not None:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    ctype = next((v for k, v in start["headers"] if k == b"content-type"), b"application/json")
                    key = url if start["mark"] == b"static" else (*url, start["mark"].decode().partition(":")[2])
                    store.put(key, (ctype, b"".join(chunks)))
            await send(message)

        await self.app(scope, receive, capture)
