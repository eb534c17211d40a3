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
        assert conn.exec_driver_sql("select version_num from alembic_version").scalar() == "0002"
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
