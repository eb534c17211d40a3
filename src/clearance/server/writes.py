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
import collections
import concurrent.futures
import fcntl
import logging
import os
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


def _still_wanted(fut: Any) -> bool:
    """Mark a write as started unless its request has gone (a concurrent future, a _Waiter or,
    from LoopGroupCommit, an asyncio future — only read here, the loop owns it)."""
    if isinstance(fut, asyncio.Future):
        return not fut.cancelled()
    return fut.set_running_or_notify_cancel()


def _settle(outcomes: list[tuple[asyncio.Future, Any, BaseException | None]]) -> None:
    for fut, result, exc in outcomes:
        if fut.done():  # cancelled: its request is gone
            continue
        try:
            if exc is None:
                fut.set_result(result)
            else:
                fut.set_exception(exc)
        except RuntimeError:  # its event loop is closed: nobody is waiting any more
            pass


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

    async def run(self, job: Callable[[Connection], T], heavy: bool = False) -> T:
        """Run `job(connection)` (SQLAlchemy Core: the ORM's unit of work would cost more than the
        fsync) in the next batch; return its result once the batch has committed. (`heavy`: see
        LoopGroupCommit; here every job runs on the writer thread.)"""
        waiter = _Waiter(asyncio.get_running_loop())
        self._jobs.put((job, waiter))
        return await waiter.future

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join(timeout=10)
        if self._lock_file is not None:
            self._lock_file.close()

    def _run(self) -> None:
        carry = None
        while True:
            first = carry if carry is not None else self._jobs.get()
            carry = None
            if first is None:
                return
            if callable(first):  # LoopGroupCommit: a commit (or a whole batch) handed over by the loop
                first()
                continue
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    nxt = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if nxt is None or callable(nxt):
                    carry = nxt  # finish this batch first
                    break
                batch.append(nxt)
            self._commit(batch)

    def _commit(self, batch: list[tuple[Callable[[Connection], Any], Any]]) -> None:
        _deliver(self._locked_batch(batch))

    def _locked_batch(self, batch: list[tuple[Callable[[Connection], Any], Any]]) -> list[tuple[Any, Any, BaseException | None]]:
        """Run and commit a batch under the writers' lock; the outcome of each write."""
        return self._locked(lambda: self._commit_batch(batch))

    def _locked(self, work: Callable[[], T]) -> T:
        """`work()` holding the writers' lock (waiting for it), when there is one."""
        if self._lock_file is None:
            return work()
        fcntl.flock(self._lock_file, fcntl.LOCK_EX)
        try:
            return work()
        finally:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)

    def _run_jobs(self, conn: Connection, batch) -> list[tuple[Any, Any, BaseException | None]]:
        """Each job of a batch on `conn`, in order, then the pre-commit hook: (future, result,
        refusal) per job. A refused job wrote nothing, so its neighbours go on."""
        conn.info.pop(PENDING, None)
        outcomes: list[tuple[Any, Any, BaseException | None]] = []
        for job, fut in batch:
            try:
                outcomes.append((fut, job(conn), None))
            except self.refusals as exc:
                outcomes.append((fut, None, exc))
        self.before_commit(conn)
        return outcomes

    def _commit_batch(self, batch: list[tuple[Callable[[Connection], Any], Any]]) -> list[tuple[Any, Any, BaseException | None]]:
        running = [(job, fut) for job, fut in batch if _still_wanted(fut)]
        try:
            with self.engine.connect() as conn, conn.begin():
                outcomes = self._run_jobs(conn, running)
        except BaseException as exc:  # noqa: BLE001 - a store error: nothing of the batch was committed
            log.warning("a batch of %d writes failed (%s); replaying them one by one", len(running), exc)
            return self._one_by_one(running)
        self.batches += 1
        self.writes += len(outcomes)
        return outcomes

    def _one_by_one(self, running: list[tuple[Callable[[Connection], Any], Any]]) -> list[tuple[Any, Any, BaseException | None]]:
        """Each write in its own transaction: the one at fault fails alone."""
        outcomes: list[tuple[Any, Any, BaseException | None]] = []
        for job, fut in running:
            try:
                with self.engine.connect() as conn, conn.begin():
                    conn.info.pop(PENDING, None)
                    result = job(conn)
                    self.before_commit(conn)
            except BaseException as exc:  # noqa: BLE001 - handed to the request that sent it
                outcomes.append((fut, None, exc))
            else:
                self.writes += 1
                outcomes.append((fut, result, None))
        return outcomes


class LoopGroupCommit(GroupCommit):
    """Group commit for SQLite with the statements on the event loop and only the commit — the
    fsync — on the writer thread.

    Under load the thread-only design paid for every statement twice: each SQLite call releases
    the GIL, and getting it back from a busy event loop (and getting the CPU back from a busy
    machine) took up to a switch interval or a scheduler slice each time, so a batch of two
    inserts took several milliseconds for a fraction of a millisecond of work. Here a write
    that finds the writer idle runs at once, on the loop, in the request's own step: the
    writers' flock (non-blocking), BEGIN IMMEDIATE (on a connection that never waits for
    SQLite's lock), the job, the audit rows; then the open transaction goes to the writer
    thread, which commits it (fsync), releases the lock and answers. Writes that arrive while a
    commit is under way wait in `pending` and run together, on the loop, as the next
    transaction as soon as that commit is done — one transaction and one fsync for all of them.
    Durability is the same: each request is answered after the commit of the transaction that
    holds its write.

    When the lock is taken (another worker process is committing) or SQLite is busy (another
    program writes), the batch goes to the writer thread instead, which waits for the lock and
    runs it as GroupCommit does. One event loop at a time uses it (the server's)."""

    def __init__(self, engine: Engine, lock_path: Path | None = None, refusals: tuple[type[BaseException], ...] = (),
                 before_commit: Callable[[Connection], None] | None = None, name: str = "clearance-writer") -> None:
        super().__init__(engine, lock_path, refusals, before_commit, name)
        self._conn: Connection | None = None  # the loop's connection (busy_timeout 0)
        self._pending: list[tuple[Callable[[Connection], Any], asyncio.Future]] = []
        self._busy = False  # a batch is with the writer thread; only the loop reads and sets this
        self._heavy: set[asyncio.Future] = set()
        self.on_loop = self.handed_over = 0  # batches run on the loop / sent whole to the thread
        # The thread wakes the loop through a pipe the loop watches, not call_soon_threadsafe:
        # a reader's callback runs in the loop's I/O phase, right after the callbacks being run,
        # so the requests it answers are resumed in the very next round; a call_soon_threadsafe
        # callback waits for the next round, and the requests it answers for the one after —
        # under load each round is ~10 ms (every connection's ready request).
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._finished: collections.deque = collections.deque()  # (loop, outcomes) from the thread
        self._watching: asyncio.AbstractEventLoop | None = None

    async def run(self, job: Callable[[Connection], T], heavy: bool = False) -> T:
        """As GroupCommit.run. `heavy`: a job that may take long (thousands of rows) runs on the
        writer thread, not on the loop."""
        loop = asyncio.get_running_loop()
        if loop is not self._watching:
            self._watch(loop)
        fut: asyncio.Future = loop.create_future()
        self._pending.append((job, fut))
        if heavy:
            self._heavy.add(fut)
        if not self._busy:
            self._start(loop)
        return await fut

    def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        """On the loop: run what is pending in a new transaction, then hand its commit over."""
        batch = [(job, fut) for job, fut in self._pending if not fut.cancelled()]
        self._pending = []
        heavy = any(fut in self._heavy for _, fut in batch)
        self._heavy.clear()
        if not batch:
            return
        self._busy = True
        trans = None if heavy else self._begin()
        if trans is None:  # a heavy job, or the lock or the database is taken: the thread waits for it
            self.handed_over += 1
            self._hand_over(loop, batch, lambda: self._locked_batch(batch))
            return
        conn = self._conn
        try:
            outcomes = self._run_jobs(conn, batch)
        except BaseException as exc:  # noqa: BLE001 - a store error: roll back, replay each alone
            log.warning("a batch of %d writes failed (%s); replaying them one by one", len(batch), exc)
            self._rollback(trans)
            self._hand_over(loop, batch, lambda: self._locked(lambda: self._one_by_one(batch)))
            return
        self.on_loop += 1
        self._hand_over(loop, batch, lambda: self._commit_open(trans, batch, outcomes))

    def _hand_over(self, loop: asyncio.AbstractEventLoop, batch: list, work: Callable[[], list]) -> None:
        """Queue `work` (returning the batch's outcomes) for the writer thread; whatever happens
        there, every write of the batch gets an answer and the loop can start the next batch."""

        def item() -> None:
            try:
                outcomes = work()
            except BaseException as exc:  # noqa: BLE001 - unforeseen: fail the batch, keep the writer alive
                log.exception("the writer failed a batch of %d writes", len(batch))
                outcomes = [(fut, None, exc) for _, fut in batch]
            self._answer(loop, outcomes)

        self._jobs.put(item)

    def _begin(self):
        """The writers' lock without waiting, then BEGIN IMMEDIATE without waiting; None if
        either is taken."""
        if self._lock_file is not None:
            try:
                fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return None
        try:
            if self._conn is None:
                self._conn = self.engine.connect()
                # never wait on the loop (on the DB-API connection: through SQLAlchemy the pragma
                # would begin a transaction)
                self._conn.connection.driver_connection.execute("PRAGMA busy_timeout=0")
            return self._conn.begin()
        except Exception as exc:  # noqa: BLE001 - SQLITE_BUSY (another program writes), or a broken connection
            log.debug("the writer's transaction could not begin on the event loop: %s", exc)
            self._drop_connection()
            self._unlock()
            return None

    def _commit_open(self, trans, batch, outcomes) -> list[tuple[Any, Any, BaseException | None]]:
        """On the writer thread: commit the transaction the loop filled, release the lock."""
        try:
            trans.commit()  # the fsync
        except BaseException as exc:  # noqa: BLE001 - nothing of the batch was committed
            log.warning("committing a batch of %d writes failed (%s); replaying them one by one", len(batch), exc)
            self._rollback(trans)  # and unlock
            return self._locked(lambda: self._one_by_one(batch))
        self._unlock()
        self.batches += 1
        self.writes += len(outcomes)
        return outcomes

    def _rollback(self, trans) -> None:
        try:
            trans.rollback()
        except Exception:  # noqa: BLE001 - the connection is broken: a new one next time
            self._drop_connection()
        self._unlock()

    def _drop_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.invalidate()
            except Exception:  # noqa: BLE001
                pass

    def _unlock(self) -> None:
        if self._lock_file is not None:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)

    def _watch(self, loop: asyncio.AbstractEventLoop) -> None:
        """Watch the wake-up pipe from this loop (the server has one; a test may make another)."""
        old, self._watching = self._watching, None
        if old is not None and not old.is_closed():
            try:
                old.remove_reader(self._wake_r)
            except Exception:  # noqa: BLE001 - another thread's loop: it will not be woken any more
                pass
        try:
            loop.add_reader(self._wake_r, self._on_wake)
            self._watching = loop
        except NotImplementedError:  # a loop without readers: call_soon_threadsafe then
            pass

    def _answer(self, loop: asyncio.AbstractEventLoop, outcomes: list[tuple[Any, Any, BaseException | None]]) -> None:
        """On the writer thread, once the batch is durable (or failed): back to the loop."""
        if loop is self._watching:
            self._finished.append((loop, outcomes))  # before the byte: the loop reads the byte, then the queue
            try:
                os.write(self._wake_w, b"\0")
            except BlockingIOError:  # the pipe is full of wake-ups already
                pass
            return
        try:
            loop.call_soon_threadsafe(self._done, loop, outcomes)
        except RuntimeError:  # the loop is closed: nobody is waiting any more
            self._busy = False

    def _on_wake(self) -> None:
        try:
            os.read(self._wake_r, 4096)
        except BlockingIOError:
            pass
        while self._finished:
            loop, outcomes = self._finished.popleft()
            self._done(loop, outcomes)

    def _done(self, loop: asyncio.AbstractEventLoop, outcomes: list[tuple[Any, Any, BaseException | None]]) -> None:
        """On the loop: start the next batch (its commit overlaps with answering this one), then
        answer this one."""
        self._busy = False
        if self._pending:
            self._start(loop)
        _settle(outcomes)

    def close(self) -> None:
        super().close()
        self._drop_connection()
        loop, self._watching = self._watching, None
        if loop is not None and not loop.is_closed():
            try:
                loop.remove_reader(self._wake_r)
            except Exception:  # noqa: BLE001 - closed from another thread: the loop is going away
                pass
        os.close(self._wake_r)
        os.close(self._wake_w)


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
