"""Group commit: every write of this process runs on one writer thread, and the writes that
arrive while a commit is under way are committed together in one transaction.

Durability is unchanged — a request is answered only after the transaction that holds its
write has committed (on SQLite with synchronous=FULL: after the fsync) — but concurrent
writers share one fsync instead of queueing for one each, and no request thread waits on a
lock (SQLite's busy handler sleeps in steps of up to 100 ms).

The contract of a job: it may refuse (raise one of `refusals`, e.g. a 404 or a 409) only
before it has written anything — check first (INSERT ... ON CONFLICT DO NOTHING and look at
the row count, UPDATE and look at the row count), write after. Its neighbours in the batch
then go on. Any other error (a store error, a constraint the job did not foresee) rolls the
whole batch back and replays its jobs one by one, each in its own transaction, so the one at
fault fails alone. No savepoints: they would double the statements of every write.

Latency: a request waiting on the event loop is answered with one `call_soon_threadsafe` per
batch (not one per write through `asyncio.wrap_future`, which costs two hops each), and the
writer thread holds the GIL as little as it can — under load every release of the GIL inside a
batch (each SQLite statement releases it) is a hand-off to the event loop and back, which is
why the server also shortens the interpreter's switch interval (see app.py).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import fcntl
import logging
import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine

T = TypeVar("T")
MAX_BATCH = 128
PENDING = "clearance.pending"  # conn.info key: rows a job leaves for before_commit
log = logging.getLogger("clearance.server")


class _Waiter:
    """A request awaiting its write on an event loop: answered from the writer thread with the
    other waiters of its batch, in one call_soon_threadsafe."""

    __slots__ = ("loop", "future")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.future: asyncio.Future = loop.create_future()

    def set_running_or_notify_cancel(self) -> bool:
        return not self.future.cancelled()  # its request is gone: skip the write if not begun


def _settle(outcomes: list[tuple[asyncio.Future, Any, BaseException | None]]) -> None:
    for fut, result, exc in outcomes:
        if fut.cancelled():
            continue
        if exc is None:
            fut.set_result(result)
        else:
            fut.set_exception(exc)


class GroupCommit:
    def __init__(self, engine: Engine, lock_path: Path | None = None, refusals: tuple[type[BaseException], ...] = (),
                 before_commit: Callable[[Connection], None] | None = None, name: str = "clearance-writer") -> None:
        self.engine = engine
        self.refusals = refusals
        # run in each transaction just before it commits: rows jobs queued to write together
        self.before_commit = before_commit or (lambda conn: None)
        # SQLite: the writer threads of several worker processes take turns on an flock before
        # BEGIN IMMEDIATE. The kernel wakes the next one the moment the lock is released, where
        # SQLite's busy handler would poll with sleeps of up to 100 ms.
        self._lock_file = open(lock_path, "a+b") if lock_path is not None else None  # noqa: SIM115
        self._jobs: queue.SimpleQueue[tuple[Callable[[Connection], Any], concurrent.futures.Future | _Waiter] | None] = \
            queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()
        self.batches = self.writes = 0

    def submit(self, job: Callable[[Connection], T]) -> concurrent.futures.Future[T]:
        fut: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._jobs.put((job, fut))
        return fut

    async def run(self, job: Callable[[Connection], T]) -> T:
        """Run `job(connection)` (SQLAlchemy Core: the ORM's unit of work would cost more than the
        fsync) in the next batch; return its result once the batch has committed."""
        waiter = _Waiter(asyncio.get_running_loop())
        self._jobs.put((job, waiter))
        return await waiter.future

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join(timeout=10)
        if self._lock_file is not None:
            self._lock_file.close()

    def _run(self) -> None:
        while True:
            first = self._jobs.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    nxt = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self._jobs.put(None)  # finish this batch, then stop
                    break
                batch.append(nxt)
            self._commit(batch)

    def _commit(self, batch: list[tuple[Callable[[Connection], Any], Any]]) -> None:
        if self._lock_file is None:
            self._commit_batch(batch)
            return
        fcntl.flock(self._lock_file, fcntl.LOCK_EX)
        try:
            self._commit_batch(batch)
        finally:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)

    def _commit_batch(self, batch: list[tuple[Callable[[Connection], Any], Any]]) -> None:
        running = [(job, fut) for job, fut in batch if fut.set_running_or_notify_cancel()]
        outcomes: list[tuple[Any, Any, BaseException | None]] = []
        try:
            with self.engine.connect() as conn, conn.begin():
                conn.info.pop(PENDING, None)
                for job, fut in running:
                    try:
                        outcomes.append((fut, job(conn), None))
                    except self.refusals as exc:  # refused before writing: its neighbours go on
                        outcomes.append((fut, None, exc))
                self.before_commit(conn)
        except BaseException as exc:  # noqa: BLE001 - a store error: nothing of the batch was committed
            log.warning("a batch of %d writes failed (%s); replaying them one by one", len(running), exc)
            self._one_by_one(running)
            return
        self.batches += 1
        self.writes += len(outcomes)
        _deliver(outcomes)

    def _one_by_one(self, running: list[tuple[Callable[[Connection], Any], Any]]) -> None:
        """Each write in its own transaction: the one at fault fails alone."""
        for job, fut in running:
            try:
                with self.engine.connect() as conn, conn.begin():
                    conn.info.pop(PENDING, None)
                    result = job(conn)
                    self.before_commit(conn)
            except BaseException as exc:  # noqa: BLE001 - handed to the request that sent it
                _deliver([(fut, None, exc)])
            else:
                self.writes += 1
                _deliver([(fut, result, None)])


def _deliver(outcomes: list[tuple[Any, Any, BaseException | None]]) -> None:
    """Answer each write: a concurrent future directly, the waiters of each event loop together."""
    by_loop: dict[asyncio.AbstractEventLoop, list] = {}
    for fut, result, exc in outcomes:
        if isinstance(fut, _Waiter):
            by_loop.setdefault(fut.loop, []).append((fut.future, result, exc))
        elif exc is None:
            fut.set_result(result)
        else:
            fut.set_exception(exc)
    for loop, settled in by_loop.items():
        try:
            loop.call_soon_threadsafe(_settle, settled)
        except RuntimeError:  # the loop is closed: nobody is waiting any more
            pass
