"""Write tokens: `clearance serve token create --expires / list / revoke`, expiry and revocation
as a running app sees them, and refused writes in the audit history."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from typer.testing import CliRunner

API = "/api/v1"


def _cli(*args: str):
    from clearance.cli import app

    return CliRunner().invoke(app, ["serve", "token", *args])


def test_token_commands_create_list_revoke(tmp_path):
    db = f"sqlite:///{tmp_path / 't.db'}"
    made = _cli("create", "ci", "--db", db)
    assert made.exit_code == 0 and made.stdout.strip().startswith("clr_")
    short = _cli("create", "short-lived", "--expires", "1d", "--db", db)
    assert short.exit_code == 0
    listed = _cli("list", "--db", db)
    assert listed.exit_code == 0
    lines = listed.stdout.splitlines()
    assert len(lines) == 2 and "active" in lines[0] and "no expiry" in lines[0] and "ci" in lines[0]
    assert "expires " in lines[1] and "short-lived" in lines[1]
    assert made.stdout.strip() not in listed.stdout  # never the secret
    assert _cli("revoke", made.stdout.strip()[:10], "--db", db).exit_code == 0  # by prefix
    assert "revoked" in _cli("list", "--db", db).stdout.splitlines()[0]
    assert _cli("revoke", "2", "--db", db).exit_code == 0  # by id
    missing = _cli("revoke", "99", "--db", db)
    assert missing.exit_code != 0 and "no token" in missing.output


def test_token_changes_from_the_command_line_are_audited(tmp_path):
    from clearance.server import create_token, db, revoke_token, store

    url = f"sqlite:///{tmp_path / 'a.db'}"
    token = create_token(url, " ci-bot ", "2d")
    gone = revoke_token(url, token[:10])
    engine = db.make_engine(url)
    try:
        _, entries = store.audit_entries(db.sessions(engine), None, None, 10, 0)
    finally:
        engine.dispose()
    made, revoked = sorted(entries, key=lambda e: e.id)
    assert (made.actor, made.action, made.target) == ("(command line)", "token.create", "ci-bot")
    assert made.detail["prefix"] == token[:10] and made.detail["expires_at"].endswith("+00:00")
    assert (revoked.actor, revoked.action, revoked.target) == ("(command line)", "token.revoke", "ci-bot")
    assert revoked.detail == {"token_id": gone["id"], "prefix": token[:10]}


@pytest.mark.parametrize("text", ["yesterday", "2001-01-01", "0d", "-5d"])
def test_bad_expiry_is_refused(tmp_path, text):
    res = _cli("create", "x", "--expires", text, "--db", f"sqlite:///{tmp_path / 't.db'}")
    assert res.exit_code != 0 and "expiry" in res.output


def test_parse_expiry():
    from clearance.server.auth import parse_expiry

    now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    assert parse_expiry("90d", now) == now + dt.timedelta(days=90)
    assert parse_expiry("12h", now) == now + dt.timedelta(hours=12)
    assert parse_expiry("2027-01-31", now) == dt.datetime(2027, 1, 31, tzinfo=dt.timezone.utc)
    assert parse_expiry("2027-01-31T10:00:00+02:00", now) == dt.datetime(2027, 1, 31, 8, tzinfo=dt.timezone.utc)
    assert parse_expiry("20270131", now) == dt.datetime(2027, 1, 31, tzinfo=dt.timezone.utc)  # a date, not seconds
    assert parse_expiry("30m", now) == now + dt.timedelta(minutes=30)
    with pytest.raises(ValueError, match="too far in the future"):
        parse_expiry("9999999d", now)


def _audit_failures(client, since: int, want: int, timeout: float = 5.0) -> list[dict]:
    """The auth.failed entries newer than `since`, once there are `want` of them (they are
    written in batches, about a second after the refusals)."""
    deadline = time.monotonic() + timeout
    while True:
        entries = [e for e in client.get(f"{API}/audit", params={"action": "auth.failed", "limit": 1000}).json()["entries"]
                   if e["id"] > since]
        if len(entries) >= want or time.monotonic() > deadline:
            return entries
        time.sleep(0.1)


def _last_audit_id(client) -> int:
    entries = client.get(f"{API}/audit", params={"limit": 1}).json()["entries"]
    return entries[0]["id"] if entries else 0


def test_refused_writes_are_in_the_audit_history_counted_not_flooded(client, sqlite_url):
    from clearance.server import create_token, revoke_token

    since = _last_audit_id(client)
    body = {"id": "org/audit-auth", "project": "auth-test"}
    for _ in range(25):
        assert client.post(f"{API}/inventory", json=body, headers={"Authorization": "Bearer clr_" + "x" * 43}).status_code == 401
    assert client.post(f"{API}/inventory", json=body).status_code == 401
    revoked = create_token(sqlite_url, "gone")
    revoke_token(sqlite_url, revoked[:10])
    r = client.post(f"{API}/inventory", json=body, headers={"Authorization": f"Bearer {revoked}"})
    assert r.status_code == 401 and r.json()["detail"] == "invalid, revoked or expired token"
    entries = _audit_failures(client, since, 3)
    by_reason = {e["detail"]["reason"]: e for e in entries}
    assert set(by_reason) == {"unknown", "missing", "revoked"}
    assert sum(e["detail"]["count"] for e in entries if e["detail"]["reason"] == "unknown") == 25
    assert len([e for e in entries if e["detail"]["reason"] == "unknown"]) <= 2  # one per second at most
    assert by_reason["revoked"]["actor"] == "gone" and by_reason["revoked"]["detail"]["token_prefix"] == revoked[:10]
    assert by_reason["unknown"]["target"] == "POST /api/v1/inventory"
    assert all(revoked not in str(e) for e in entries)  # the secret is never recorded


def test_an_expired_token_is_refused(client, app, sqlite_url):
    from sqlalchemy import update

    from clearance.server import create_token, db
    from clearance.server.models import Token

    token = create_token(sqlite_url, "soon-gone", "1h")
    h = {"Authorization": f"Bearer {token}"}
    assert client.post(f"{API}/inventory", json={"id": "org/expiry", "project": "expiry-test"}, headers=h).status_code == 201
    engine = db.make_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(update(Token).where(Token.prefix == token[:10])
                     .values(expires_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)))
    engine.dispose()
    since = _last_audit_id(client)
    app.state.clearance.tokens.clear()  # a valid token is trusted from memory for 2 s (state.TOKEN_TTL)
    assert client.post(f"{API}/inventory", json={"id": "org/expiry2", "project": "expiry-test"}, headers=h).status_code == 401
    entries = _audit_failures(client, since, 1)
    assert [(e["actor"], e["detail"]["reason"]) for e in entries] == [("soon-gone", "expired")]
