"""Fixtures of the server tests: an app on a temp SQLite store and the bundled 2025 sample,
offline; a real PostgreSQL server (Debian's binaries) when there is one; a guard that fails
any connection to anything but this machine."""

from __future__ import annotations

import socket

import pytest
from serverkit import SCREENSHOTS, free_port, make_settings


@pytest.fixture(scope="session", autouse=True)
def _offline_env(tmp_path_factory):
    """HF_HUB_OFFLINE and empty caches for the whole session (the apps are session-scoped)."""
    mp = pytest.MonkeyPatch()
    base = tmp_path_factory.mktemp("server-env")
    mp.setenv("HF_HUB_OFFLINE", "1")
    mp.setenv("HF_HUB_CACHE", str(base / "hf-cache"))
    yield base
    mp.undo()


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _local_only(address) -> None:
    if isinstance(address, (str, bytes)):  # a unix socket
        return
    host = address[0]
    if host in ("127.0.0.1", "::1", "localhost") or str(host).startswith("127."):
        return
    raise AssertionError(f"a server test tried to reach {address!r}: tests never touch the network")


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    def connect(self, address):
        _local_only(address)
        return _real_connect(self, address)

    def connect_ex(self, address):
        _local_only(address)
        return _real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('store') / 'clearance.db'}"


@pytest.fixture(scope="session")
def app(sqlite_url, tmp_path_factory):
    from clearance.server import create_app

    return create_app(make_settings(sqlite_url, tmp_path_factory.mktemp("app")))


@pytest.fixture(scope="session")
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as c:  # runs the lifespan (Hub analytics warm up in the background)
        yield c


@pytest.fixture(scope="session")
def token(sqlite_url) -> str:
    from clearance.server import create_token

    return create_token(sqlite_url, "test-suite")


@pytest.fixture(scope="session")
def auth(token) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def postgres_url():
    """A real PostgreSQL server for the session, or a visible skip saying why there is none."""
    from pgserver import PgServer, PgUnavailable

    try:
        server = PgServer(free_port()).start()
    except (PgUnavailable, OSError, __import__("subprocess").TimeoutExpired) as exc:
        pytest.skip(f"PostgreSQL tests skipped: {exc}")
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def pg_client(postgres_url, tmp_path_factory):
    """(client, auth headers) of an app on the PostgreSQL server."""
    from fastapi.testclient import TestClient

    from clearance.server import create_app, create_token

    app = create_app(make_settings(postgres_url, tmp_path_factory.mktemp("pg-app")))
    token = create_token(postgres_url, "pg-suite")
    with TestClient(app) as c:
        yield c, {"Authorization": f"Bearer {token}"}


def pytest_configure(config):
    config.addinivalue_line("markers", "settings(**kw): more Settings for test_server_watch's app (receiver=: its webhook receiver)")


def pytest_terminal_summary(terminalreporter):
    if SCREENSHOTS.is_dir() and any(SCREENSHOTS.glob("*.png")):
        terminalreporter.write_line(f"server screenshots: {SCREENSHOTS}")
