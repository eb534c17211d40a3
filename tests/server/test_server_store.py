"""The store: migrations at startup, SQLite durability settings, errors for bad URLs."""

from __future__ import annotations

import pytest

from clearance.server import db


def _diffs(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from clearance.server.models import Base

    with engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn), Base.metadata)


def test_migrations_build_the_models_schema_and_rerun_as_a_no_op(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 's.db'}")
    db.migrate(engine)
    db.migrate(engine)  # idempotent: startup runs it every time
    assert _diffs(engine) == []
    with engine.connect() as conn:
        assert conn.exec_driver_sql("select version_num from alembic_version").scalar() == "0003"
    engine.dispose()


def test_postgres_migrations_match_the_models(postgres_url):
    engine = db.make_engine(postgres_url)
    db.migrate(engine)
    assert _diffs(engine) == []
    engine.dispose()


def test_sqlite_is_wal_with_full_sync(app):
    with app.state.clearance.store.connect() as conn:
        assert conn.exec_driver_sql("pragma journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("pragma synchronous").scalar() == 2  # FULL
    with app.state.clearance.writer.connect() as conn:
        assert conn.exec_driver_sql("pragma synchronous").scalar() == 2


@pytest.mark.parametrize("url,message", [
    ("not a url", "not a database URL"),
    ("mysql://u@h/db", "only sqlite"),
    ("sqlite://", "in-memory"),
    ("sqlite:////no/such/folder/x.db", "does not exist"),
    ("postgresql+asyncpg://u@h/db", "psycopg"),
])
def test_bad_store_urls_say_why(url, message):
    with pytest.raises(db.StoreError, match=message):
        db.make_engine(url)


def test_unreachable_postgres_is_a_store_error():
    from serverkit import free_port

    engine = db.make_engine(f"postgresql+psycopg://u@127.0.0.1:{free_port()}/db?connect_timeout=2")
    with pytest.raises(db.StoreError, match="cannot open or migrate"):
        db.migrate(engine)


def test_a_missing_snapshot_fails_at_startup(tmp_path):
    from serverkit import make_settings

    from clearance.server import create_app
    from clearance.sources.interface import SourceError

    with pytest.raises(SourceError, match="no such snapshot"):
        create_app(make_settings(f"sqlite:///{tmp_path / 'x.db'}", tmp_path, snapshots=[tmp_path / "missing.jsonl"]))


def test_online_settings_use_only_the_configured_endpoint(tmp_path):
    from clearance.server.engine import Engine
    from clearance.server.settings import Settings
    from clearance.sources.hub import HubSource
    from clearance.sources.snapshot import SnapshotSource

    eng = Engine(Settings(snapshots=[], offline=False, hub_endpoint="https://hub.example.internal/", hub_cache_dir=tmp_path))
    assert [type(s) for s in eng.sources] == [HubSource]  # no local folder, no HF cache: nothing a request names is read
    assert eng.hub.endpoint == "https://hub.example.internal" and eng.hub.offline is False
    off = Engine(Settings(snapshots=[], offline=True, hub_cache_dir=tmp_path))
    assert off.hub.offline is True
    assert all(isinstance(s, (SnapshotSource, HubSource)) for s in off.sources)


def test_the_server_checks_through_the_one_checker(tmp_path):
    # usecases.check.Checker with the server's settings, each explicit: its own sources, no
    # LICENSE text (neither fetched from the Hub nor detected), no progress bar
    from clearance.server.engine import Engine
    from clearance.server.settings import Settings
    from clearance.usecases.check import Checker

    eng = Engine(Settings(snapshots=[], offline=True, hub_cache_dir=tmp_path))
    assert isinstance(eng.checker, Checker)
    assert eng.checker.sources is eng.sources and eng.checker.kb is eng.kb and eng.checker.normalizer is eng.normalizer
    assert eng.checker.detect_texts is False and eng.checker.progress is False and eng.checker.depth is None
    assert eng.hub.files is False


def test_routers_hold_no_sql_and_state_imports_no_router():
    import ast
    import subprocess
    import sys
    from pathlib import Path

    import clearance.server

    server = Path(clearance.server.__file__).parent
    for path in [*sorted((server / "routes").glob("*.py")), server / "pages.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
                # a write job's connection is typed, never queried here
                assert [a.name for a in node.names] == ["Connection"], f"{path.name} imports {ast.unparse(node)}"
            assert not (isinstance(node, ast.ImportFrom) and node.module == "clearance.server.models"
                        and any(a.name != "utcnow" for a in node.names)), f"{path.name} imports the tables"
    from fastapi.routing import APIRoute

    from clearance.server.routes import ROUTERS

    # side by side, each holding its routes: a router nested in another costs a second match per request
    assert all(isinstance(r, APIRoute) and r.path.startswith("/api/v1/") for router in ROUTERS for r in router.routes)
    code = "import sys, clearance.server.state; print(sorted(m for m in sys.modules if m.startswith('clearance.server.')))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "clearance.server.routes" not in loaded and "clearance.server.pages" not in loaded


def test_audit_pages_and_changes_pages(tmp_path):
    """The audit history newest first, the changes rechecks found oldest first (since a time,
    naive = UTC), each counted in all and paged by limit and offset."""
    import datetime as dt

    from clearance.server import store

    engine = db.make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    db.migrate(engine)
    with engine.begin() as conn:
        for n in range(5):
            store.audit(conn, "ci", "inventory.add", f"p:model:org/m{n}")
        for n in range(4):
            store.audit(conn, store.RECHECK_ACTOR, store.CHANGE_ACTION, f"proj{n % 2}:model:org/m{n}", {"n": n})
    sessions = db.sessions(engine)
    total, page = store.audit_entries(sessions, "inventory.add", None, 2, 1)
    assert total == 5 and [e.target for e in page] == ["p:model:org/m3", "p:model:org/m2"]
    total, page = store.audit_entries(sessions, None, store.RECHECK_ACTOR, 10, 0)
    assert total == 4 and [e.detail["n"] for e in page] == [3, 2, 1, 0]
    total, page = store.change_entries(engine, sessions, None, 2, 1)
    assert total == 4 and [e.detail["n"] for e in page] == [1, 2]
    later = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) + dt.timedelta(hours=1)
    assert store.change_entries(engine, sessions, later, 10, 0) == (0, [])
    assert [e.detail["n"] for e in store.recent_changes(sessions, "proj1", 10)] == [3, 1]
    assert len(store.recent_audit(sessions, 3)) == 3
    engine.dispose()
