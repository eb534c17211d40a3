"""What one server process holds: the store, the engine with its sources and caches, the Hub
analytics, and the active policy (re-read from the store at most every few seconds)."""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import HTTPException
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from clearance.kb.terms import LicenseTerms
from clearance.policy.model import Policy
from clearance.server import db, policies
from clearance.server.auth import FailedAuthentications
from clearance.server.cache import LRU
from clearance.server.engine import Engine as ClearanceEngine
from clearance.server.hubstats import HubStats
from clearance.server.settings import Settings
from clearance.server.store import active_policy_text, flush_audit, policy_text
from clearance.server.writes import GroupCommit, LoopGroupCommit

log = logging.getLogger("clearance.server")
ACTIVE_POLICY_TTL = 2.0  # seconds; other processes see a policy change within this time
TOKEN_TTL = 2.0  # seconds a valid token is trusted without a store read; a revocation applies within it


@dataclass(frozen=True)
class PolicyChoice:
    name: str  # the saved policy's name, or "(default)"
    key: str  # cache key: a hash of its text
    policy: Policy | None


@dataclass
class AppState:
    settings: Settings
    store: Engine
    writer: Engine
    sessions: sessionmaker[Session]
    engine: ClearanceEngine
    hub: HubStats
    writes: GroupCommit
    _active: tuple[float, PolicyChoice] | None = None
    memo: LRU[bytes] = field(default_factory=lambda: LRU(1024))  # answers no write changes (routes.common.memo_json)
    tokens: LRU[Any] = field(default_factory=lambda: LRU(256, ttl=TOKEN_TTL))  # token hash -> Actor
    auth_failures: FailedAuthentications = field(init=False)  # refused writes, to the audit history
    rows: LRU[bytes] = field(init=False)  # inventory rows with their status, serialized
    pages: LRU[bytes] = field(init=False)  # rendered pages that depend on no write but the policy
    responses: LRU[tuple[bytes, bytes]] = field(init=False)  # middleware.ResponseCache: clients' answers
    warm_responses: LRU[tuple[bytes, bytes]] = field(init=False)  # and the warm-up's
    _stop: threading.Event = field(default_factory=threading.Event)
    _warmed: threading.Event = field(default_factory=threading.Event)
    _loop_reader: Any = None
    prefetched: int = 0  # answers the warm-up put in the response cache
    watcher: Any = field(init=False)  # watch.Watcher: rechecks of the inventory, webhook deliveries

    def __post_init__(self) -> None:
        self.auth_failures = FailedAuthentications(self.writes)
        ttl = None if self.settings.offline else self.settings.cache_ttl
        self.rows = LRU(self.settings.cache_size * 2, ttl)
        self.pages = LRU(512, ttl)
        # capped in bytes too: a client chooses which answers land here (any model id)
        self.responses = LRU(self.settings.cache_size * 4, ttl, max_bytes=self.settings.response_cache_bytes,
                             weigh=_answer_bytes)
        # the warm-up's answers (5 per model, see warm_paths): the snapshot decides their number and size
        self.warm_responses = LRU(self.settings.warm * len(WARM_ANSWERS), ttl)
        from clearance.server.watch import Watcher

        self.watcher = Watcher(self)

    @classmethod
    def open(cls, settings: Settings) -> "AppState":
        store = db.make_engine(settings.db_url)
        db.migrate(store)
        writer, lock = store, None
        if store.dialect.name == "sqlite":
            writer = db.make_engine(settings.db_url)
            _immediate_transactions(writer)
            lock = Path(str(Path(store.url.database).expanduser().resolve()) + ".writer-lock")
        engine = ClearanceEngine(settings)
        # SQLite: statements on the event loop, the commit (fsync) on the writer thread;
        # PostgreSQL: every statement is a round trip, so all of a batch runs on the thread
        group = LoopGroupCommit if store.dialect.name == "sqlite" else GroupCommit
        return cls(settings, store, writer, db.sessions(store), engine, HubStats(settings.snapshots),
                   group(writer, lock, refusals=(HTTPException,), before_commit=flush_audit))

    def start_background(self, prefetch: Callable[[list[tuple[str, str]]], Any] | None = None) -> None:
        """Load the Hub analytics and warm up, each on its own thread; on SQLite, checkpoint the
        WAL in the background. The warm-up computes the verdicts of the `warm` most downloaded
        models, then, with `prefetch` (app.prefetch: GETs through the application in this
        process), asks for their answers as a client would — the verdict for each use, the
        lineage graph and the model page — so that those are in the response cache too."""
        if self.settings.warm:
            self.hub.warm()
        threading.Thread(target=_freeze_garbage_collector, args=(lambda: self.ready, self._stop), name="clearance-gc",
                         daemon=True).start()
        threading.Thread(target=self._refresh_policy, name="clearance-policy", daemon=True).start()
        self.watcher.start()  # rechecks on a schedule, when Settings.recheck_every > 0
        if self.store.dialect.name == "sqlite":
            threading.Thread(target=_checkpoints, args=(self.store, self._stop), name="clearance-checkpoint",
                             daemon=True).start()
        if self.settings.warm and self.engine.entries:
            def run() -> None:
                try:
                    choice = self.policy()
                    self.engine.warm(self.settings.warm, choice.policy, choice.key, self._stop)
                    if prefetch is not None and not self._stop.is_set():
                        self.prefetched = prefetch(warm_paths(self.engine.warm_ids))
                except Exception:  # noqa: BLE001 - warming is an optimisation: requests compute what it did not
                    log.exception("warming the verdict cache failed")
                    self.engine.warm_total = self.engine.warm_done
                finally:
                    self._warmed.set()

            threading.Thread(target=run, name="clearance-warm", daemon=True).start()
        else:
            self._warmed.set()

    def _refresh_policy(self) -> None:
        """Re-read the active policy in the background, well within its time to live, so that
        requests always find it in memory (a request that finds it stale reads the store)."""
        while not self._stop.wait(ACTIVE_POLICY_TTL / 3):
            try:
                self._read_active()
            except Exception:  # noqa: BLE001 - the store is down: requests will say so
                log.warning("reading the active policy failed", exc_info=True)

    @property
    def ready(self) -> bool:
        """Warmed up: the Hub analytics loaded (when there are snapshots) and the verdicts
        computed; always, when the warm-up is off (Settings.warm = 0)."""
        return not self.settings.warm or (self._warmed.is_set() and self.hub.loaded)

    def loop_reader(self):
        """SQLite: the event loop's own connection (the DB-API one), for reads short enough to
        run on the loop. Only the event loop's thread uses it."""
        if self._loop_reader is None:
            self._loop_reader = self.store.raw_connection()
        return self._loop_reader.driver_connection

    def close(self) -> None:
        self._stop.set()
        self.watcher.close()
        if self._loop_reader is not None:
            self._loop_reader.close()
        self.writes.close()
        self.store.dispose()
        if self.writer is not self.store:
            self.writer.dispose()

    # -- the policy inventory status and lookups use ---------------------------------------------
    def policy(self, name: str | None = None) -> PolicyChoice:
        """The named saved policy, else the active one, else Clearance's default policy.
        Raises KeyError for a name that is not saved."""
        if name is not None:
            row = policy_text(self.sessions, name)
            if row is None:
                raise KeyError(name)
            return PolicyChoice(row.name, policies.key(row.toml), policies.cached(row.toml, self.engine.kb))
        fresh = self.fresh_policy()
        return fresh if fresh is not None else self._read_active()

    def _read_active(self) -> PolicyChoice:
        now = time.monotonic()
        row = active_policy_text(self.sessions)
        if row is None:
            choice = PolicyChoice(policies.DEFAULT_NAME, policies.DEFAULT_NAME, None)
        else:
            choice = PolicyChoice(row.name, policies.key(row.toml), policies.cached(row.toml, self.engine.kb))
        self._active = (now, choice)
        return choice

    def fresh_policy(self) -> PolicyChoice | None:
        """The active policy when it was read recently (no store access), else None."""
        active = self._active
        return active[1] if active is not None and time.monotonic() - active[0] < ACTIVE_POLICY_TTL else None

    def policy_changed(self) -> None:
        self._active = None

    def license(self, alias: str) -> LicenseTerms | None:
        """A license by KB id or any alias, as `clearance license show` finds it."""
        return self.engine.normalizer.license(alias, "api")[0]


# What the warm-up asks for each popular model (see start_background): its verdict for each use,
# its lineage graph and its page (default use).
WARM_ANSWERS = (("/api/v1/models/{}/clearance", "use=commercial"), ("/api/v1/models/{}/clearance", "use=redistribution"),
                ("/api/v1/models/{}/clearance", "use=research"), ("/api/v1/models/{}/graph", ""), ("/models/{}", ""))


def _answer_bytes(answer: tuple[bytes, bytes]) -> int:
    return len(answer[1]) + 200  # the body, and roughly the entry, its key and the content type


def warm_paths(model_ids: list[str]) -> list[tuple[str, str]]:
    return [(path.format(mid), query) for mid in model_ids for path, query in WARM_ANSWERS]


def _freeze_garbage_collector(ready: Callable[[], bool], stop: threading.Event, every: float = 30.0) -> None:
    """Keep CPython's full garbage collections short. The snapshots, the knowledge base, the
    Hub analytics and the caches are hundreds of thousands of long-lived objects; a full
    collection walks them all (about 0.3 s here), stalling every request. Once warmed up, and
    then every `every` seconds, collect and move the survivors to the permanent generation
    (gc.freeze), so later collections only walk what was made since. Objects freed by
    reference counting (evicted cache entries) are still freed."""
    while not ready() and not stop.wait(0.5):
        pass
    while not stop.is_set():
        gc.collect()
        gc.freeze()
        stop.wait(every)


def _checkpoints(store: Engine, stop: threading.Event, every: float = 1.0) -> None:
    """SQLite: fold the WAL back into the database file here, in the background, instead of in
    the commit that crosses 1000 pages (the writer has wal_autocheckpoint=0): a checkpoint
    fsyncs the database file and would stall one batch of writes for a few hundred ms.
    PASSIVE never blocks readers or the writer; durability does not depend on it (each
    commit has fsynced the WAL already)."""
    while not stop.wait(every):
        try:
            with store.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        except Exception:  # noqa: BLE001 - retried next time; the WAL only grows meanwhile
            log.warning("WAL checkpoint failed", exc_info=True)


def _immediate_transactions(engine: Engine) -> None:
    """SQLite writes take the write lock when their transaction begins (BEGIN IMMEDIATE), so two
    writers queue on busy_timeout instead of one failing with 'database is locked' when its
    read turns into a write (SQLAlchemy's documented recipe for pysqlite)."""

    @event.listens_for(engine, "connect")
    def _no_pysqlite_begin(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        dbapi_conn.execute("PRAGMA wal_autocheckpoint=0")  # see _checkpoints

    @event.listens_for(engine, "begin")
    def _begin_immediate(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
