"""Pure ASGI middleware (cheaper than Starlette's BaseHTTPMiddleware on every request):
the request size limit and the security headers of every response."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS = [
    # Only the page's own scripts, styles and images: no CDN, no inline script.
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                                 b"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [h for h in SECURITY_HEADERS if h[0] not in names]
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
    (chunked uploads), before the application reads any of it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
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


CACHE_HEADER = b"x-clearance-cache"  # set by a handler: "static" or "policy"; never sent out


class ResponseCache:
    """Answers a GET from memory when the same URL was answered before and its handler marked
    the answer cacheable: `static` (depends on the URL only: a graph, a license, Hub stats)
    or `policy` (depends on the URL and the active policy: a verdict, a model page).

    The snapshots are fixed for the life of the process and the knowledge base is bundled, so
    these answers only change with the policy (part of the key) — or, online, when the Hub
    changes (entries then live `ttl` seconds). Inventory, audit and policy answers are never
    marked. A hit skips routing, validation and the thread pool: well under a millisecond."""

    def __init__(self, app: ASGIApp, state_of) -> None:
        self.app, self.state_of = app, state_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        st = self.state_of(scope)
        url = (scope["path"], scope.get("query_string", b""))
        found = st.responses.get(url)
        if found is None:
            fresh = st.fresh_policy()
            if fresh is not None:
                found = st.responses.get((*url, fresh.key))
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
                    st.responses.put(key, (ctype, b"".join(chunks)))
            await send(message)

        await self.app(scope, receive, capture)
