"""A server that watches: every inventory item is rechecked on a schedule (Settings.recheck_every)
against the engine's sources — the snapshots, then the Hub (offline: Clearance's cache of
earlier Hub answers) — and each change of verdict, declared license, license file or parents
since the item's last check is recorded in the audit history (action `inventory.changed`,
old → new), listed at GET /api/v1/changes and POSTed to the webhook (Settings.webhook_url).

The fingerprint of a check is the item's lineage as a one-lineage clearance.lock text
(`usecases.lock.entries_for`: per artifact its declared and resolved licenses, license-file
hashes and parents; on the item itself its verdict per use, under Clearance's default policy,
so that what is watched is the sources, not the organisation's policy edits). Two fingerprints
are compared with `lock.diff.changes`, the comparison `clearance scan --locked` makes.

A recheck never trusts a cached answer: its Hub source answers only from what was fetched
during that run (a lineage shared by several items is fetched once per run), and the server's
verdict and response caches are emptied when a fingerprint moved, so the pages and the API
show the new status at once. A lookup that fails (the Hub unreachable) leaves the item's last
check as it was: an outage is not a change.

Several processes: each stored check is replaced by compare-and-set on its digest, so a change
is recorded (and delivered) once even when two processes recheck together; on SQLite the
workers of one server also take turns on `<db>.recheck-lock`, so only one of them does the work.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import hmac
import json
import logging
import os
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clearance.artifacts.ids import Ref
from clearance.engine.values import USES
from clearance.server import store
from clearance.server.models import utcnow
from clearance.util.times import span_seconds

if TYPE_CHECKING:
    from clearance.server.state import AppState

log = logging.getLogger("clearance.server")
SECRET_ENV = "CLEARANCE_WEBHOOK_SECRET"
SIGNATURE_HEADER = "X-Clearance-Signature"
EVENT = "inventory.changed"
BATCH = 100  # items whose checks are committed together


def parse_interval(text: str | float | int) -> float:
    """Seconds of `24h`, `30m`, `90s`, `7d` or a plain number of seconds (a span:
    util.times); 0 turns rechecks off."""
    if isinstance(text, (int, float)):
        seconds = float(text)
    else:
        seconds = span_seconds(text)
        if seconds is None:
            raise ValueError(f"--recheck-every {text!r}: give a duration such as 24h, 30m, 90s or 7d (0: off)")
    if seconds < 0:
        raise ValueError("--recheck-every must be 0 (off) or more")
    return seconds


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: `sha256=` and the hex HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Fingerprint:
    artifact: str  # `kind:id`, lower-cased (the lock key of the item's artifact)
    text: str  # clearance.lock text of the lineage
    digest: str  # its SHA-256


class Webhook:
    """Deliveries to one URL on a thread of their own, from a bounded queue: `send` never blocks
    (when the queue is full the event is dropped and logged; it stays in the audit history and at
    /api/v1/changes). Each event is tried `retries` more times after a failure (a transport
    error or a non-2xx answer), `backoff` seconds after the first failure, doubling each time."""

    def __init__(self, url: str, secret: str | None, retries: int = 5, backoff: float = 1.0, queue_size: int = 1000,
                 timeout: float = 10.0) -> None:
        self.url, self.secret = url, secret
        self.retries, self.backoff, self.timeout = retries, backoff, timeout
        self._queue: queue.Queue[tuple[str, bytes] | None] = queue.Queue(maxsize=queue_size)
        self._stop = threading.Event()
        self.delivered = self.failed = self.dropped = self.attempts = 0
        self._thread = threading.Thread(target=self._run, name="clearance-webhook", daemon=True)
        self._thread.start()

    def send(self, payload: dict[str, Any]) -> bool:
        body = json.dumps(payload, sort_keys=True, default=str).encode()
        try:
            self._queue.put_nowait((str(payload.get("change_id", "")), body))
            return True
        except queue.Full:
            self.dropped += 1
            log.warning("webhook queue full: change %s not delivered (it is at /api/v1/changes)", payload.get("change_id"))
            return False

    def pending(self) -> int:
        return self._queue.qsize()

    def headers(self, delivery: str, body: bytes) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "User-Agent": "clearance-server", "X-Clearance-Event": EVENT,
                   "X-Clearance-Delivery": delivery}
        if self.secret:
            headers[SIGNATURE_HEADER] = sign(self.secret, body)
        return headers

    def _run(self) -> None:
        import httpx

        with httpx.Client(timeout=self.timeout, follow_redirects=False) as client:
            while not self._stop.is_set():
                item = self._queue.get()
                if item is None:
                    return
                self._deliver(client, *item)

    def _deliver(self, client, delivery: str, body: bytes) -> None:
        reason = ""
        for attempt in range(self.retries + 1):
            if attempt and self._stop.wait(self.backoff * 2 ** (attempt - 1)):
                return  # shutting down
            self.attempts += 1
            try:
                answer = client.post(self.url, content=body, headers=self.headers(delivery, body))
                if 200 <= answer.status_code < 300:
                    self.delivered += 1
                    return
                reason = f"HTTP {answer.status_code}"
            except Exception as exc:  # noqa: BLE001 - httpx's transport errors, a bad URL: retried, then logged
                reason = f"{type(exc).__name__}: {str(exc)[:200]}"
        self.failed += 1
        log.warning("webhook: change %s not delivered after %d attempts (%s)", delivery, self.retries + 1, reason)

    def close(self) -> None:
        self._stop.set()
        try:
            self._queue.put_nowait(None)
        except queue.Full:
            pass
        self._thread.join(timeout=2)


class Watcher:
    """Rechecks of one process: on a schedule (a thread, when Settings.recheck_every > 0) and on
    demand (`recheck_now`)."""

    def __init__(self, st: "AppState") -> None:
        self.st = st
        self.every = st.settings.recheck_every
        self._stop = threading.Event()
        self._running = threading.Lock()  # one recheck at a time in this process
        self._thread: threading.Thread | None = None
        self.last: dict[str, Any] | None = None  # the last run's summary
        self.runs = 0
        self.webhook: Webhook | None = None
        if st.settings.webhook_url:
            secret = os.environ.get(SECRET_ENV) or None
            if not secret:
                log.warning("--webhook-url without $%s: deliveries are not signed", SECRET_ENV)
            self.webhook = Webhook(st.settings.webhook_url, secret, st.settings.webhook_retries, st.settings.webhook_backoff)
        self._lock_path: Path | None = None
        if st.store.dialect.name == "sqlite":
            self._lock_path = Path(str(Path(st.store.url.database).expanduser().resolve()) + ".recheck-lock")

    def start(self) -> None:
        if self.every > 0 and self._thread is None:
            self._thread = threading.Thread(target=self._schedule, name="clearance-recheck", daemon=True)
            self._thread.start()

    @property
    def scheduled(self) -> bool:
        return self._thread is not None

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self.webhook is not None:
            self.webhook.close()

    def _schedule(self) -> None:
        """Every min(every, 60 s): recheck the items whose last check is older than `every`
        (and those never checked). A restart or another worker therefore never rechecks early."""
        tick = min(self.every, 60.0)
        while not self._stop.wait(tick):
            try:
                self._recheck(utcnow() - dt.timedelta(seconds=self.every), wait=False)
            except Exception:  # noqa: BLE001 - the store is down: the next tick retries
                log.exception("recheck failed")

    def recheck_now(self) -> dict[str, Any]:
        """Recheck every item now (waiting for a recheck under way); the run's summary:
        checked, changed (items whose fingerprint moved), failed (left as they were), first
        (checked for the first time: a baseline, no change)."""
        return self._recheck(None, wait=True) or {}

    def _recheck(self, due_before: dt.datetime | None, wait: bool) -> dict[str, Any] | None:
        if not self._running.acquire(blocking=wait):
            return None
        try:
            lock_file = None
            if self._lock_path is not None:
                lock_file = open(self._lock_path, "a+b")  # noqa: SIM115 - closed below
                try:
                    fcntl.flock(lock_file, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
                except BlockingIOError:  # another worker is rechecking
                    lock_file.close()
                    return None
            try:
                rows = store.items_to_recheck(self.st.store, due_before)
                summary = self._run(rows) if rows else {"checked": 0, "changed": 0, "failed": 0, "first": 0}
            finally:
                if lock_file is not None:
                    lock_file.close()  # releases the flock
            self.runs += 1
            self.last = {**summary, "at": utcnow()}
            return summary
        finally:
            self._running.release()

    # -- one run ---------------------------------------------------------------------------------
    def _run(self, rows: list[Any]) -> dict[str, Any]:
        from clearance.policy.model import Policy
        from clearance.sources.hub import HubSource
        from clearance.usecases.check import Checker

        s, eng = self.st.settings, self.st.engine
        started = time.time()
        # answers fetched before this run are stale (ttl grows with the run: see _fingerprint)
        hub = HubSource(offline=s.offline, endpoint=s.hub_endpoint, cache_dir=s.hub_cache_dir, files=False, ttl=0)
        checker = Checker(eng.kb, eng.normalizer, [*eng.snapshots, hub], Policy(), detect_texts=False, progress=False)
        fresh: dict[str, Fingerprint | None] = {}
        summary = {"checked": 0, "changed": 0, "failed": 0, "first": 0}
        for start in range(0, len(rows), BATCH):
            if self._stop.is_set():
                break
            work: list[tuple[Any, Fingerprint]] = []
            for row in rows[start:start + BATCH]:
                ref = Ref(row.artifact_id, row.kind)
                if ref.key not in fresh:
                    hub.ttl = max(time.time() - started, 0.0)
                    fresh[ref.key] = self._fingerprint(checker, ref)
                fp = fresh[ref.key]
                if fp is None:
                    summary["failed"] += 1
                else:
                    work.append((row, fp))
            events, counts, changed_any = self._store(work)
            for k, v in counts.items():
                summary[k] += v
            if changed_any:  # only a batch that changed something empties the caches
                self._forget()
            if self.webhook is not None:
                for event in events:
                    self.webhook.send(event)
        return summary

    def _fingerprint(self, checker, ref: Ref) -> Fingerprint | None:
        """The fingerprint of `ref`'s lineage now; None when a source could not answer."""
        from clearance.lock.fileformat import dumps
        from clearance.lock.model import Lock
        from clearance.usecases.lock import entries_for

        try:
            subject, graph, lineage = checker.lineage(ref)
            failed = [p for p in graph.problems if p.code == "lookup_failed"]
            if failed:
                log.warning("recheck of %s %s: %s", ref.kind, ref.id, failed[0].message)
                return None
            evaluator = checker.evaluator(None)
            verdicts = {use: checker.result(subject, graph, lineage, use, evaluator).verdict for use in USES}
            text = dumps(Lock(tuple(USES), entries_for(graph, lineage, verdicts)))
        except Exception:  # noqa: BLE001 - one item's failure is not the run's
            log.warning("recheck of %s %s failed", ref.kind, ref.id, exc_info=True)
            return None
        return Fingerprint(ref.key, text, hashlib.sha256(text.encode()).hexdigest())

    def _store(self, work: list[tuple[Any, Fingerprint]]) -> tuple[list[dict[str, Any]], dict[str, int], bool]:
        """Compare and store a batch's checks in one transaction: (the events of the changes
        recorded, counts, whether any fingerprint moved)."""
        from clearance.lock.diff import changes
        from clearance.lock.fileformat import LockError, loads

        counts = {"checked": 0, "changed": 0, "first": 0}
        events: list[dict[str, Any]] = []
        moved = False
        now = utcnow()
        with self.st.writer.begin() as conn:
            same: list[int] = []
            for row, fp in work:
                counts["checked"] += 1
                if row.artifact != fp.artifact or row.digest is None:  # never checked, or the item names another artifact now
                    counts["first"] += 1
                    store.save_check(conn, row.id, fp.artifact, fp.digest, fp.text, now, None)
                    continue
                if row.digest == fp.digest:
                    same.append(row.id)
                    continue
                if not store.save_check(conn, row.id, fp.artifact, fp.digest, fp.text, now, row.digest):
                    continue  # another process stored a newer check (and recorded the change), or the item is gone
                moved = True
                try:
                    found = changes(loads(row.fingerprint, f"item {row.id}'s last check"), loads(fp.text))
                except LockError:
                    log.warning("item %s: its last check is unreadable; starting again from this one", row.id)
                    continue
                if not found:  # only a revision moved
                    continue
                counts["changed"] += 1
                detail = {"item_id": row.id, "id": row.artifact_id, "kind": row.kind, "project": row.project,
                          "changes": [c.to_json() for c in found]}
                target = f"{row.project}:{row.kind}:{row.artifact_id}"
                change_id = store.audit(conn, store.RECHECK_ACTOR, store.CHANGE_ACTION, target, detail)
                events.append({"event": EVENT, "change_id": change_id, "at": now.isoformat(), **detail})
            store.touch_checks(conn, same, now)
        return events, counts, moved

    def _forget(self) -> None:
        """Empty this process's verdict and answer caches: what they hold may predate a change."""
        st = self.st
        st.engine.forget()
        for cache in (st.rows, st.responses, st.warm_responses, st.pages):
            cache.clear()


def change_json(entry: Any) -> dict[str, Any]:
    """A recorded change as /api/v1/changes and the webhook show it."""
    detail = entry.detail or {}
    return {"change_id": entry.id, "at": entry.at, "item_id": detail.get("item_id"), "id": detail.get("id"),
            "kind": detail.get("kind"), "project": detail.get("project"), "changes": detail.get("changes", [])}
