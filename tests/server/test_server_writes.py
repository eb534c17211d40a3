"""Group commit: batched writes, refusals, a failing write replayed alone, durability order."""

from __future__ import annotations

import threading

import pytest
from fastapi import HTTPException
from sqlalchemy import text

from clearance.server import db
from clearance.server.writes import GroupCommit


@pytest.fixture(params=["sqlite", "postgresql"])
def writer(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'w.db'}" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    engine = db.make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS t")
        conn.exec_driver_sql("CREATE TABLE t (k VARCHAR(20) PRIMARY KEY)")
    gc = GroupCommit(engine, tmp_path / "lock" if request.param == "sqlite" else None, refusals=(HTTPException,))
    yield gc, engine
    gc.close()
    engine.dispose()


def insert(key):
    def job(conn):
        conn.execute(text("INSERT INTO t (k) VALUES (:k)"), {"k": key})
        return key
    return job


def keys(engine):
    with engine.connect() as conn:
        return sorted(r[0] for r in conn.exec_driver_sql("SELECT k FROM t"))


def refuse(conn):
    raise HTTPException(409, "no")


async def run_committed(gc, engine, key):
    """gc.run(insert(key)), checking that the row is committed (seen by another connection)
    by the time the answer comes."""
    result = await gc.run(insert(key))
    assert key in keys(engine)
    return result


def submit_together(gc, jobs):
    """Hold the writer busy so that the jobs land in one batch."""
    gate = threading.Event()
    blocker = gc.submit(lambda conn: gate.wait(5))
    futures = [gc.submit(job) for job in jobs]
    gate.set()
    blocker.result(5)
    return futures


def test_writes_are_batched_and_all_committed(writer):
    gc, engine = writer
    futures = submit_together(gc, [insert(f"k{i}") for i in range(20)])
    assert [f.result(5) for f in futures] == [f"k{i}" for i in range(20)]
    assert keys(engine) == sorted(f"k{i}" for i in range(20))
    assert gc.batches <= 3  # the blocker's batch, then one (or two) for the twenty


def test_a_refusal_leaves_its_neighbours_alone(writer):
    gc, engine = writer
    futures = submit_together(gc, [insert("a"), refuse, insert("b")])
    assert futures[0].result(5) == "a" and futures[2].result(5) == "b"
    with pytest.raises(HTTPException):
        futures[1].result(5)
    assert keys(engine) == ["a", "b"]


def test_a_store_error_is_replayed_alone(writer):
    gc, engine = writer
    gc.submit(insert("dup")).result(5)
    futures = submit_together(gc, [insert("x"), insert("dup"), insert("y")])  # the middle one violates the key
    assert futures[0].result(5) == "x" and futures[2].result(5) == "y"
    with pytest.raises(Exception) as info:
        futures[1].result(5)
    assert not isinstance(info.value, HTTPException)
    assert keys(engine) == ["dup", "x", "y"]


def test_an_answer_comes_only_after_the_commit(writer):
    """When a write's future resolves, its transaction is committed: another connection sees it."""
    gc, engine = writer
    for i in range(20):
        key = f"c{i}"
        assert gc.submit(insert(key)).result(5) == key
        assert key in keys(engine)


def test_requests_on_an_event_loop_are_answered_after_their_batch_commits(writer):
    """run() (what the API awaits): concurrent writes of one event loop share batches, each is
    answered once its batch has committed, and a refusal reaches only its own request."""
    import asyncio

    gc, engine = writer

    async def main():
        results = await asyncio.gather(*(run_committed(gc, engine, f"a{i}") for i in range(30)), gc.run(refuse), return_exceptions=True)
        assert results[:30] == [f"a{i}" for i in range(30)]
        assert isinstance(results[30], HTTPException)

    asyncio.run(main())
    assert keys(engine) == sorted(f"a{i}" for i in range(30))


# -- LoopGroupCommit (SQLite: statements on the event loop, the commit on the writer thread) ----
@pytest.fixture
def loop_writer(tmp_path):
    from clearance.server.writes import LoopGroupCommit

    url = f"sqlite:///{tmp_path / 'l.db'}"
    engine = db.make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (k VARCHAR(20) PRIMARY KEY)")
    writer = db.make_engine(url)
    from clearance.server.state import _immediate_transactions

    _immediate_transactions(writer)
    gc = LoopGroupCommit(writer, tmp_path / "lock", refusals=(HTTPException,))
    yield gc, engine, tmp_path / "lock"
    gc.close()
    writer.dispose()
    engine.dispose()


def test_loop_writes_are_batched_committed_before_the_answer_and_refusals_stay_alone(loop_writer):
    import asyncio

    gc, engine, _ = loop_writer

    async def main():
        results = await asyncio.gather(*(run_committed(gc, engine, f"k{i}") for i in range(40)), gc.run(refuse), return_exceptions=True)
        assert results[:40] == [f"k{i}" for i in range(40)] and isinstance(results[40], HTTPException)

    asyncio.run(main())
    assert keys(engine) == sorted(f"k{i}" for i in range(40))
    assert gc.on_loop >= 1 and gc.batches < 41  # the first ran on the loop; the others shared commits
    # the loop's connection commits as durably as any (WAL, fsync on commit) and never waits
    raw = gc._conn.connection.driver_connection
    assert raw.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert raw.execute("PRAGMA busy_timeout").fetchone()[0] == 0


def test_loop_store_error_is_replayed_alone(loop_writer):
    import asyncio

    gc, engine, _ = loop_writer

    async def main():
        await gc.run(insert("dup"))
        return await asyncio.gather(gc.run(insert("x")), gc.run(insert("dup")), gc.run(insert("y")), return_exceptions=True)

    results = asyncio.run(main())
    assert results[0] == "x" and results[2] == "y" and not isinstance(results[1], (str, HTTPException))
    assert keys(engine) == ["dup", "x", "y"]


def test_loop_writes_wait_for_another_process_holding_the_lock(loop_writer):
    """Another worker process holds the writers' flock: the batch goes to the writer thread,
    which waits for the lock, then commits; nothing blocks the event loop meanwhile."""
    import asyncio
    import fcntl

    gc, engine, lock_path = loop_writer
    other = open(lock_path, "a+b")  # noqa: SIM115 - another open file description: another process's lock
    fcntl.flock(other, fcntl.LOCK_EX)

    async def main():
        task = asyncio.ensure_future(gc.run(insert("late")))
        ticks = 0
        for _ in range(20):  # the loop keeps running while the write waits for the lock
            await asyncio.sleep(0.01)
            ticks += 1
        assert not task.done() and ticks == 20
        fcntl.flock(other, fcntl.LOCK_UN)
        return await asyncio.wait_for(task, 5)

    try:
        assert asyncio.run(main()) == "late"
    finally:
        other.close()
    assert keys(engine) == ["late"] and gc.handed_over == 1
