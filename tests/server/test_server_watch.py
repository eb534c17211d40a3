"""A server that watches (server/watch.py): rechecks of the inventory against the stand-in Hub
on 127.0.0.1, changes in the audit history and at /api/v1/changes, the signed webhook (a
receiver in the test), the schedule (1 s here) and --recheck-every 0."""

from __future__ import annotations

import hashlib
import hmac
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from serverkit import ROOT

sys.path.insert(0, str(ROOT / "tests" / "sources"))
from hubserver import HubServer  # noqa: E402

SECRET = "test-webhook-secret-not-a-real-one"
MODEL = "acme/flip"


class Receiver:
    """A webhook receiver: keeps (headers, body) of each POST; answers `statuses` in turn (then
    200), each after `delay` seconds."""

    def __init__(self, statuses=(), delay: float = 0.0) -> None:
        self.got: list[tuple[dict[str, str], bytes]] = []
        self.statuses = list(statuses)
        self.delay = delay
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.got.append((dict(self.headers), body))
                time.sleep(receiver.delay)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def publish(hub: HubServer, license: str, sha: str) -> None:
    hub.extra[("models", MODEL)] = {"id": MODEL, "sha": sha, "cardData": {"license": license},
                                    "tags": [f"license:{license}"], "createdAt": "2024-05-01T00:00:00.000Z"}


def wait_until(check, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.fixture()
def hub(monkeypatch, tmp_path):
    from huggingface_hub import constants
    from huggingface_hub.utils import close_session

    with HubServer() as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
        monkeypatch.setenv("CLEARANCE_WEBHOOK_SECRET", SECRET)
        monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
        close_session()
        yield server
        close_session()


@pytest.fixture()
def watched(hub, tmp_path, request):
    """(client, auth headers, state, hub, receiver) of an online app on the stand-in Hub, no
    snapshot (the model comes from the Hub), rechecks only when the test asks (recheck_every 0)
    unless the test's `settings` mark says otherwise."""
    from fastapi.testclient import TestClient

    from clearance.server import Settings, create_app, create_token

    marker = request.node.get_closest_marker("settings")
    wanted = dict(marker.kwargs) if marker else {}
    receiver = Receiver(**wanted.pop("receiver", {}))
    extra = {"recheck_every": 0, "webhook_url": receiver.url, "webhook_backoff": 0.05, **wanted}
    db_url = f"sqlite:///{tmp_path / 'w.db'}"
    app = create_app(Settings(db_url=db_url, offline=False, hub_endpoint=hub.url, hub_cache_dir=tmp_path / "hub-cache",
                              warm=0, **extra))
    auth = {"Authorization": f"Bearer {create_token(db_url, 'watch-suite')}"}
    publish(hub, "apache-2.0", "a" * 40)
    with TestClient(app) as client:
        yield client, auth, app.state.clearance, hub, receiver
    receiver.close()


def add_item(client, auth) -> int:
    r = client.post("/api/v1/inventory", json={"id": MODEL, "project": "chatbot"}, headers=auth)
    assert r.status_code == 201, r.text
    return r.json()["item_id"]


def commercial(client, item_id: int) -> str:
    uses = client.get(f"/api/v1/inventory/{item_id}").json()["status"]["uses"]
    return next(u["verdict"] for u in uses if u["use"] == "commercial")


def test_a_license_flip_between_two_rechecks_is_one_change_recorded_listed_and_delivered(watched):
    client, auth, st, hub, receiver = watched
    item_id = add_item(client, auth)
    before = commercial(client, item_id)  # now in the engine's caches (600 s): a recheck must not trust them
    assert st.watcher.recheck_now() == {"checked": 1, "changed": 0, "failed": 0, "first": 1}  # the baseline
    assert st.watcher.recheck_now()["changed"] == 0  # unchanged: nothing
    assert client.get("/api/v1/changes").json()["total"] == 0

    publish(hub, "cc-by-nc-4.0", "b" * 40)
    assert st.watcher.recheck_now() == {"checked": 1, "changed": 1, "failed": 0, "first": 0}
    assert st.watcher.recheck_now()["changed"] == 0  # found once

    page = client.get("/api/v1/changes").json()
    assert page["total"] == 1 and page["limit"] == 100 and page["offset"] == 0
    change = page["changes"][0]
    assert (change["item_id"], change["id"], change["kind"], change["project"]) == (item_id, MODEL, "model", "chatbot")
    fields = {c["field"]: c for c in change["changes"]}
    assert (fields["declared"]["before"], fields["declared"]["after"]) == ("apache-2.0", "cc-by-nc-4.0")
    assert fields["declared"]["revision_before"] == "a" * 40 and fields["declared"]["revision_after"] == "b" * 40
    assert "commercial: " in fields["verdicts"]["before"] and fields["verdicts"]["before"] != fields["verdicts"]["after"]

    audit = client.get("/api/v1/audit", params={"action": "inventory.changed"}).json()
    assert audit["total"] == 1
    entry = audit["entries"][0]
    assert entry["id"] == change["change_id"] and entry["actor"] == "(recheck)" and entry["target"] == f"chatbot:model:{MODEL}"

    # the caches were emptied: the item's status is the new one at once
    assert commercial(client, item_id) != before
    assert "cc-by-nc-4.0" in client.get("/inventory").text

    # ?since: ISO times, UTC when no offset is given
    assert client.get("/api/v1/changes", params={"since": "2000-01-01T00:00:00"}).json()["total"] == 1
    assert client.get("/api/v1/changes", params={"since": "2999-01-01T00:00:00+00:00"}).json()["total"] == 0
    assert client.get("/api/v1/changes", params={"since": "yesterday"}).status_code == 422

    # one delivery, signed with the secret over the exact body
    assert wait_until(lambda: st.watcher.webhook.delivered == 1)
    time.sleep(0.1)
    assert len(receiver.got) == 1
    headers, body = receiver.got[0]
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Clearance-Signature"], expected)
    event = json.loads(body)
    assert event["event"] == "inventory.changed" and event["change_id"] == change["change_id"]
    assert event["changes"] == change["changes"] and headers["X-Clearance-Delivery"] == str(change["change_id"])


def test_a_failed_lookup_is_not_a_change(watched):
    client, auth, st, hub, _ = watched
    add_item(client, auth)
    st.watcher.recheck_now()
    hub.fail.add(MODEL)  # the Hub answers 500
    assert st.watcher.recheck_now() == {"checked": 0, "changed": 0, "failed": 1, "first": 0}
    hub.fail.clear()
    assert st.watcher.recheck_now()["changed"] == 0
    assert client.get("/api/v1/changes").json()["total"] == 0


@pytest.mark.settings(receiver={"statuses": [500, 503], "delay": 0.5}, webhook_backoff=0.05)
def test_webhook_failures_are_retried_and_never_block_requests(watched):
    client, auth, st, hub, receiver = watched
    item_id = add_item(client, auth)
    st.watcher.recheck_now()
    publish(hub, "cc-by-nc-4.0", "b" * 40)
    started = time.monotonic()
    assert st.watcher.recheck_now()["changed"] == 1
    assert time.monotonic() - started < 1.0  # the run queued the delivery, it did not wait for it
    # while the receiver is slow and failing, the API answers at once
    assert wait_until(lambda: len(receiver.got) >= 1)
    started = time.monotonic()
    assert client.get(f"/api/v1/inventory/{item_id}").status_code == 200
    assert client.get("/api/v1/changes").json()["total"] == 1
    assert time.monotonic() - started < 0.4
    assert wait_until(lambda: st.watcher.webhook.delivered == 1)
    assert st.watcher.webhook.attempts == 3 and st.watcher.webhook.failed == 0
    assert len({h["X-Clearance-Delivery"] for h, _ in receiver.got}) == 1  # the same event, three times
    assert len({b for _, b in receiver.got}) == 1


@pytest.mark.settings(webhook_url="http://127.0.0.1:9/nobody-listens", webhook_retries=2, webhook_backoff=0.01)
def test_an_unreachable_webhook_gives_up_after_its_retries(watched):
    client, auth, st, hub, _ = watched
    add_item(client, auth)
    st.watcher.recheck_now()
    publish(hub, "mit", "c" * 40)
    assert st.watcher.recheck_now()["changed"] == 1
    assert wait_until(lambda: st.watcher.webhook.failed == 1)
    assert st.watcher.webhook.attempts == 3 and st.watcher.webhook.delivered == 0
    assert client.get("/api/v1/changes").json()["total"] == 1  # recorded all the same


@pytest.mark.settings(recheck_every=1)
def test_rechecks_run_on_their_schedule(watched):
    client, auth, st, hub, receiver = watched
    assert st.watcher.scheduled
    add_item(client, auth)
    assert wait_until(lambda: st.watcher.last is not None and st.watcher.last["first"] == 1, timeout=5)
    publish(hub, "cc-by-nc-4.0", "b" * 40)
    assert wait_until(lambda: client.get("/api/v1/changes").json()["total"] == 1, timeout=6)
    assert wait_until(lambda: len(receiver.got) == 1)


def test_recheck_every_0_turns_the_schedule_off(watched):
    client, auth, st, _, _ = watched
    add_item(client, auth)
    assert not st.watcher.scheduled
    time.sleep(1.2)
    assert st.watcher.runs == 0 and st.watcher.last is None


def test_recheck_intervals_parse():
    from clearance.server.watch import parse_interval

    assert [parse_interval(t) for t in ("24h", "30m", "90s", "7d", "0", "3600", 0)] == [86400, 1800, 90, 604800, 0, 3600, 0]
    for bad in ("soon", "-1h", "1w"):
        with pytest.raises(ValueError, match="recheck-every"):
            parse_interval(bad)


def test_serve_takes_the_options(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from clearance.cli import serve as serve_cli

    seen = {}
    monkeypatch.setattr("clearance.server.serve", lambda settings, **kw: seen.update(settings=settings))
    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'c.db'}"
    assert runner.invoke(serve_cli.app, ["--db", db, "--offline", "--recheck-every", "0"]).exit_code == 0
    assert seen["settings"].recheck_every == 0 and seen["settings"].webhook_url is None
    assert runner.invoke(serve_cli.app, ["--db", db, "--offline", "--webhook-url", "https://hooks.example/x"]).exit_code == 0
    assert seen["settings"].recheck_every == 86400 and seen["settings"].webhook_url == "https://hooks.example/x"
    assert runner.invoke(serve_cli.app, ["--db", db, "--recheck-every", "soon"]).exit_code != 0
    assert runner.invoke(serve_cli.app, ["--db", db, "--webhook-url", "ftp://x"]).exit_code != 0
