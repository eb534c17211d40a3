"""The store: an SQLAlchemy engine for a SQLite file or PostgreSQL, migrated at startup.

SQLite runs in WAL mode with synchronous=FULL: a write that was answered 2xx has been fsynced
and survives a kill -9 or a power cut. Migrations are Alembic's, kept in `migrations/` inside
the package and applied programmatically (no alembic.ini, no command to remember).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from clearance.util.errors import ClearanceError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class StoreError(ClearanceError):
    """The store cannot be opened or migrated: the message says which and why."""


def make_engine(db_url: str) -> Engine:
    try:
        url = make_url(db_url)
    except Exception as exc:  # noqa: BLE001 - SQLAlchemy raises ArgumentError, ValueError...
        raise StoreError(f"--db {db_url!r} is not a database URL ({exc})") from None
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            raise StoreError("an in-memory SQLite store would lose every write: give a file, sqlite:///path.db")
        folder = Path(url.database).expanduser().resolve().parent
        if not folder.is_dir():
            raise StoreError(f"--db {db_url}: folder {folder} does not exist")
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=20, max_overflow=20)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.get_backend_name() == "postgresql":
        if url.get_driver_name() not in ("psycopg", ""):
            raise StoreError(f"--db {db_url}: use the psycopg 3 driver, postgresql+psycopg://...")
        return create_engine(url.set(drivername="postgresql+psycopg"), pool_size=20, max_overflow=20, pool_pre_ping=True)
    raise StoreError(f"--db {db_url}: only sqlite:/// and postgresql+psycopg:// URLs are supported")


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")  # fsync on every commit, WAL included
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (a no-op when it is already there)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except Exception as exc:  # noqa: BLE001 - connection refused, permissions, a locked file...
        raise StoreError(f"cannot open or migrate the store at {engine.url.render_as_string(hide_password=True)}: "
                         f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}") from exc


def sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
