"""uvicorn's httptools HTTP/1.1 protocol with the limits it lacks: the size of a request's
head (request line and headers), deadlines for reading the head and the body, and a cap on
open connections per process. Refusals are JSON `{"detail": ...}` with the security headers,
like every other error answer.

Why a subclass: uvicorn's httptools protocol accepts a request head of any size (httptools
keeps appending the pieces of a header as they arrive: a 100 MB header took the process's
event loop, and every other client's answers with it, for seconds); it has no deadline for a
request that arrives a byte at a time, nor for a connection that sends nothing; and its
`limit_concurrency` answers `text/plain` and still reads every connection's request. h11 has a
head-size limit but is several times slower per request, and has no deadlines either.
A reverse proxy in front still has its part to do (docs/server.md, "Security model").
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from clearance.server.middleware import SECURITY_HEADERS
from clearance.util.errors import ClearanceError


@dataclass(frozen=True)
class Limits:
    """Per worker process. See Settings for what each means."""

    max_header_bytes: int = 32 * 1024
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    max_connections: int = 1000


LINGER_SECONDS = 2.0  # after refusing a request still arriving, how long its bytes are read and dropped
LINGER_BYTES = 1024 * 1024  # and how many at most


class _Refuse(ClearanceError):
    """A request refused by the protocol itself (answered here, never by the application)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """One connection. `limits` comes from Settings (see serve(), which hands uvicorn a
    functools.partial of this class)."""

    def __init__(self, config: Any, server_state: Any, app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None, limits: Limits = Limits()) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.limits = limits
        self._in_head = True  # waiting for (the rest of) a request's head
        self._head_bytes = 0  # bytes received while in the head (an upper bound of its size)
        self._in_body = False
        self._deadline: asyncio.TimerHandle | None = None
        self._over_cap = False
        self._lingering = -1  # bytes dropped after a refusal (-1: not refused)

    # -- the connection --------------------------------------------------------------------
    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections:
            self._over_cap = True  # answered 503 once its request's head is read (see on_headers_complete)
        self._arm(self.limits.header_timeout, self._head_expired)  # uvicorn waits forever for a first byte

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._lingering >= 0:  # refused: drop what still arrives (see _answer)
            self._lingering += len(data)
            if self._lingering > LINGER_BYTES:
                self.transport.close()
            return
        self._unset_keepalive_if_required()
        if self._in_head:
            self._head_bytes += len(data)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        except httptools.HttpParserError as exc:
            refusal = exc.__context__  # what a callback raised (httptools wraps it)
            if not isinstance(refusal, _Refuse):
                self.logger.warning("Invalid HTTP request received.")
                refusal = _Refuse(400, "invalid HTTP request")
            self._answer(refusal.status, refusal.detail)
            return
        if self.transport.is_closing():
            return
        if self._in_head:
            if self._head_bytes > self.limits.max_header_bytes:
                self._answer(431, f"the request line and headers are over the limit of {self.limits.max_header_bytes} bytes")
            elif self._head_bytes and self._deadline is None:
                self._arm(self.limits.header_timeout, self._head_expired)
        elif self._in_body and self._deadline is None:
            self._arm(self.limits.body_timeout, self._body_expired)

    # -- parser callbacks ------------------------------------------------------------------
    def on_headers_complete(self) -> None:
        self._disarm()
        received, self._head_bytes = self._head_bytes, 0
        self._in_head = False
        # `received` bounds the head's size from above (it may hold some body too): only when it
        # is over the limit is the head itself measured
        if received > self.limits.max_header_bytes and \
                len(self.url) + sum(len(n) + len(v) + 4 for n, v in self.headers) > self.limits.max_header_bytes:
            raise _Refuse(431, f"the request line and headers are over the limit of {self.limits.max_header_bytes} bytes")
        if self._over_cap:
            raise _Refuse(503, "the server has too many open connections; try again")
        self._in_body = True
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        self._in_body = False
        self._in_head = True
        super().on_message_complete()

    # -- deadlines ---------------------------------------------------------------------------
    def _arm(self, seconds: float, callback) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, callback)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _head_expired(self) -> None:
        self._deadline = None
        if self._in_head and not self.transport.is_closing() and (self.cycle is None or self.cycle.response_complete):
            self._answer(408, f"the request's head did not arrive within {self.limits.header_timeout:g} s", linger=False)

    def _body_expired(self) -> None:
        self._deadline = None
        if self._in_body and not self.transport.is_closing():
            self._answer(408, f"the request's body did not arrive within {self.limits.body_timeout:g} s", linger=False)

    # -- refusals ----------------------------------------------------------------------------
    def _answer(self, status: int, detail: str, linger: bool = True) -> None:
        """A JSON error, then close. A request the application is reading is told the client
        went away (it sees http.disconnect; anything it sends is dropped).

        A client may still be sending (a huge header): closing a socket with unread bytes makes
        the kernel reset the connection, and the client would lose the answer with it. So the
        answer is followed by a half-close, what still arrives is read and dropped for up to
        LINGER_SECONDS (and LINGER_BYTES), then the connection is closed — as nginx's
        lingering_close does."""
        self._disarm()
        cycle = self.cycle
        started = cycle is not None and not cycle.response_complete and cycle.response_started
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True
            cycle.message_event.set()
        if not started:
            body = json.dumps({"detail": detail}).encode()
            head = [STATUS_LINE[status], b"content-type: application/json\r\n",
                    b"content-length: " + str(len(body)).encode() + b"\r\n", b"connection: close\r\n"]
            head += [name + b": " + value + b"\r\n" for name, value in SECURITY_HEADERS]
            self.transport.write(b"".join(head) + b"\r\n" + body)
        if linger and self.transport.can_write_eof() and not self.transport.is_closing():
            self._lingering = 0
            self.transport.write_eof()
            self._deadline = self.loop.call_later(LINGER_SECONDS, self.transport.close)
            return
        self.transport.close()
