"""One page of a Hub listing, with bounded retries.

Why not huggingface_hub's `paginate`: it yields items, never the next page's URL, so a pull
cannot checkpoint between pages or start again from one (huggingface_hub issues #2741, #4257).
This client asks the same endpoint with the same parameters and follows the same
`Link: <...>; rel="next"` header (httpx parses it, as requests did for huggingface_hub).

A 429 or 5xx answer, a network error, or a page whose body is cut off (shorter than its
Content-Length, or JSON that does not parse) is tried again: after the `Retry-After` the
server asked for (seconds or an HTTP date), else after an exponential backoff; at most
`Retry.tries` times in all, then a PullError names the page and the last answer.
"""

from __future__ import annotations

import email.utils
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import httpx

from clearance.util.errors import ClearanceError


class PullError(ClearanceError):
    """A pull that cannot go on: offline, refused, a page that keeps failing, an output that
    cannot be written, an interrupted pull in the way. `str()` is one line."""


@dataclass(frozen=True)
class Retry:
    """How hard a page is tried: `tries` requests in all; waits of base·2^n seconds (with
    jitter) capped at `cap`, or the server's Retry-After up to `max_wait`."""
    tries: int = 8
    base: float = 1.0
    cap: float = 60.0
    max_wait: float = 600.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)


@dataclass
class Page:
    items: list[Any]
    next_url: str | None
    total: int | None  # X-Total-Count, when the server sends one


def retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


class PageClient:
    def __init__(self, endpoint: str, token: str | None, *, timeout: float = 60.0, retry: Retry = Retry()) -> None:
        self.endpoint = endpoint
        self.retry = retry
        self.requests = 0
        self.retries = 0
        self.waited = 0.0
        headers = {"Accept": "application/json"}
        try:  # the user agent huggingface_hub sends, and its token lookup (HF_TOKEN, then `hf auth login`'s file)
            from huggingface_hub.utils import build_hf_headers

            headers.update(build_hf_headers(token=token or None, library_name="clearance"))
        except Exception:  # noqa: BLE001 - a token file it cannot read: go on with the token given, if any
            pass
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.client = httpx.Client(headers=headers, timeout=timeout, follow_redirects=True)

    def close(self) -> None:
        self.client.close()

    def get(self, url: str, what: str) -> Page:
        """The page at `url`; `what` names it in errors ("page 12 of the models listing")."""
        reason = ""
        for attempt in range(self.retry.tries):
            wait: float | None = None
            self.requests += 1
            try:
                r = self.client.get(url)
                status = r.status_code
                if status == 429 or 500 <= status < 600:
                    reason = f"HTTP {status}"
                    wait = retry_after(r.headers.get("Retry-After"))
                    if wait is not None:
                        reason += f" (Retry-After: {r.headers['Retry-After']})"
                elif status in (401, 403):
                    raise PullError(f"{what}: {self.endpoint} answered HTTP {status}: set HF_TOKEN to a token that may list it")
                elif status >= 400:
                    raise PullError(f"{what}: {self.endpoint} answered HTTP {status} ({_brief(r.text)}) for {url}")
                else:
                    try:
                        items = json.loads(r.content)
                    except (ValueError, RecursionError) as exc:
                        reason = f"the page is not whole JSON ({_brief(str(exc))}): cut off?"
                    else:
                        if not isinstance(items, list):
                            raise PullError(f"{what}: {self.endpoint} answered a JSON {type(items).__name__}, not a list, for {url}")
                        total = r.headers.get("X-Total-Count")
                        return Page(items, r.links.get("next", {}).get("url"),
                                    int(total) if total and total.isdigit() else None)
            except httpx.TransportError as exc:  # refused, reset, timed out, body shorter than its length
                reason = f"{type(exc).__name__}: {_brief(str(exc))}"
            if attempt + 1 == self.retry.tries:
                break
            if wait is None:
                wait = min(self.retry.cap, self.retry.base * 2 ** attempt) * random.uniform(0.5, 1.0)
            wait = min(wait, self.retry.max_wait)
            self.retries += 1
            self.waited += wait
            self.retry.sleep(wait)
        raise PullError(f"{what}: gave up after {self.retry.tries} tries, the last: {reason} ({url})")


def _brief(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 160 else text[:157] + "..."
