"""Hostile requests against a started server (uvicorn in a subprocess, serverkit): policy TOML
that would blow up the parser, huge headers, slow senders, too many connections, out-of-range
numbers, NUL bytes, Host headers. Each must get a quick JSON 4xx and leave the server as it was.

The limits are set low for the test server (1 s deadlines, 8 connections) so that the deadline
tests take about a second each."""

from __future__ import annotations

import re
import socket
import time
import uuid

import pytest
from serverkit import server_process

from clearance.server.launch import LaunchError

API = "/api/v1"
LIMITS = {"header_timeout": 1.0, "body_timeout": 1.0, "max_connections": 8, "max_header_bytes": 16 * 1024}
INT64_MAX = 2**63 - 1


class Server:
    def __init__(self, process, token: str, tmp) -> None:
        self.process, self.proc, self.base, self.port, self.tmp = process, process.proc, process.url, process.port, tmp
        self.auth = {"Authorization": f"Bearer {token}"}

    def rss_mb(self) -> float:
        status = open(f"/proc/{self.proc.pid}/status").read()
        return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024

    def log(self) -> str:
        return (self.tmp / "server.log").read_text(errors="replace")


def _server(db_url: str, tmp):
    from clearance.server import create_token

    token = create_token(db_url, "hostile-suite")
    process = server_process(db_url, tmp, **LIMITS)
    try:
        process.start(timeout=60)
    except LaunchError as exc:
        pytest.fail(str(exc))
    return Server(process, token, tmp)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    srv = _server(f"sqlite:///{tmp / 'h.db'}", tmp)
    yield srv
    srv.process.stop(timeout=15)
    assert "Traceback" not in srv.log(), srv.log()[-3000:]


@pytest.fixture(scope="module")
def http(server):
    import httpx

    with httpx.Client(base_url=server.base, timeout=10) as c:
        yield c


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request):
    """(client, auth headers): HTTP to the started server on SQLite; on PostgreSQL, the app
    through TestClient, as the other PostgreSQL tests (it skips visibly without PostgreSQL)."""
    if request.param == "sqlite":
        return request.getfixturevalue("http"), request.getfixturevalue("server").auth
    return request.getfixturevalue("pg_client")


def _json_error(r, status: int) -> str:
    assert r.status_code == status, (r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers["x-content-type-options"] == "nosniff"
    return r.json()["detail"]


# -- policy TOML --------------------------------------------------------------------------------
def test_a_400_kb_dotted_key_is_refused_at_once_without_memory(server):
    import httpx

    toml = "a" + ".a" * 200_000 + " = 1"  # 400 KB: tomllib alone would need tens of GB for it
    before = server.rss_mb()
    for path in ("/policies/validate",):
        start = time.monotonic()
        r = httpx.post(f"{server.base}{API}{path}", json={"toml": toml}, timeout=10)
        assert time.monotonic() - start < 1.0
        assert "dotted parts" in _json_error(r, 422)
    r = httpx.post(f"{server.base}{API}/policies", json={"name": "hostile", "toml": toml}, headers=server.auth, timeout=10)
    assert "dotted parts" in _json_error(r, 422)
    r = httpx.put(f"{server.base}{API}/policies/hostile", json={"toml": toml}, headers=server.auth, timeout=10)
    assert "dotted parts" in _json_error(r, 422)
    assert server.rss_mb() - before < 50


@pytest.mark.parametrize("toml", [
    "x = " + "[" * 50_000 + "]" * 50_000,  # a RecursionError inside tomllib, unguarded
    "x = " + "{a = " * 5_000 + "1" + "}" * 5_000,
])
def test_deep_nesting_is_a_422(server, toml):
    import httpx

    r = httpx.post(f"{server.base}{API}/policies/validate", json={"toml": toml}, timeout=10)
    assert "nested" in _json_error(r, 422)


def test_an_integer_tomllib_cannot_convert_is_invalid_not_a_500(server):
    import httpx

    r = httpx.post(f"{server.base}{API}/policies/validate", json={"toml": "x = " + "9" * 6000}, timeout=10)
    assert r.status_code == 200 and r.json()["valid"] is False and "invalid TOML" in r.json()["error"]


def test_an_ordinary_policy_still_validates(server):
    import httpx

    toml = ('uses = ["commercial"]\ndeny = ["non-commercial"]\n# a.b.c.d [ { in a comment\n'
            '[[exceptions]]\nmodel = "org/model"\nreason = "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.e.f.g.h [[[["\n')
    r = httpx.post(f"{server.base}{API}/policies/validate", json={"toml": toml}, timeout=10)
    assert r.json() == {"valid": True, "error": None}


# -- the HTTP layer -------------------------------------------------------------------------------
def _raw(server, data: bytes, wait: float = 5.0) -> bytes:
    """Send `data` on a new connection; what comes back before the server closes it."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=wait) as s:
        try:
            s.sendall(data)
        except OSError:
            pass  # the server stopped reading: its answer is still there to read
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            out += chunk
    return out


def test_a_huge_header_is_431_and_others_are_not_slowed(server):
    import httpx

    start = time.monotonic()
    r = httpx.get(f"{server.base}{API}/health", headers={"x-big": "a" * 100_000}, timeout=10)
    assert "over the limit" in _json_error(r, 431)  # the answer is not lost to a reset (the server lingers)
    answer = _raw(server, b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 10_000_000)
    assert answer.startswith(b"HTTP/1.1 431") and b"over the limit" in answer
    assert time.monotonic() - start < 4
    assert httpx.get(f"{server.base}{API}/health", headers={"x-fine": "a" * 8000}, timeout=5).status_code == 200


def test_many_headers_count_too(server):
    import httpx

    r = httpx.get(f"{server.base}{API}/health", headers={f"x-h{i}": "v" * 100 for i in range(300)}, timeout=5)
    _json_error(r, 431)


def test_a_slow_sender_is_cut_off_with_408(server):
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        answer = b""
        try:
            for byte in b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"z" * 100:
                s.send(bytes([byte]))
                time.sleep(0.05)
        except OSError:
            pass  # closed by the server
        try:
            answer = s.recv(4096)
        except OSError:
            pass
    assert time.monotonic() - start < 3
    assert answer.startswith(b"HTTP/1.1 408") and b'"detail"' in answer


def test_a_connection_that_sends_nothing_is_closed(server):
    start = time.monotonic()
    answer = _raw(server, b"")
    assert 0.8 < time.monotonic() - start < 3
    assert answer.startswith(b"HTTP/1.1 408")


def test_a_body_that_never_comes_is_408(server):
    start = time.monotonic()
    answer = _raw(server, b"POST /api/v1/policies/validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                          b"Content-Length: 100\r\n\r\n{\"toml\"")
    assert time.monotonic() - start < 3
    assert answer.startswith(b"HTTP/1.1 408") and b"body" in answer


def test_connections_over_the_cap_get_503_and_the_server_recovers(server):
    import httpx

    idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(LIMITS["max_connections"])]
    try:
        time.sleep(0.2)
        r = httpx.get(f"{server.base}{API}/health", timeout=5)
        assert "too many open connections" in _json_error(r, 503)
    finally:
        for s in idle:
            s.close()
    time.sleep(0.3)
    assert httpx.get(f"{server.base}{API}/health", timeout=5).status_code == 200


def test_malformed_http_is_a_json_400(server):
    answer = _raw(server, b"NOT HTTP AT ALL\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400") and b'{"detail": "invalid HTTP request"}' in answer


def test_the_host_header_is_not_reflected_in_redirects(server):
    import httpx

    r = httpx.get(f"{server.base}{API}/inventory/", headers={"Host": "evil.example"}, timeout=5)
    assert r.status_code == 307 and r.headers["location"] == "/api/v1/inventory"
    r = httpx.get(f"{server.base}{API}/audit/?limit=5", headers={"Host": "evil.example"}, timeout=5)
    assert r.headers["location"] == "/api/v1/audit?limit=5"


# -- numbers and NUL bytes, on both stores -------------------------------------------------------
@pytest.mark.parametrize("path", [
    f"{API}/inventory/{2**64}", f"{API}/inventory/{INT64_MAX + 1}", f"{API}/inventory/-{2**64}",
    f"{API}/inventory?offset={2**64}", f"{API}/audit?offset={2**70}", f"{API}/inventory?limit={2**64}",
])
def test_numbers_beyond_int64_are_a_422(store, path):
    client, auth = store
    _json_error(client.get(path), 422)
    _json_error(client.patch(f"{API}/inventory/{2**64}", json={"note": "x"}, headers=auth), 422)
    _json_error(client.delete(f"{API}/inventory/{2**64}", headers=auth), 422)


def test_the_largest_int64_is_just_not_found(store):
    client, auth = store
    _json_error(client.get(f"{API}/inventory/{INT64_MAX}"), 404)
    _json_error(client.patch(f"{API}/inventory/{INT64_MAX}", json={"note": "x"}, headers=auth), 404)
    _json_error(client.delete(f"{API}/inventory/{INT64_MAX}", headers=auth), 404)
    for path in ("/inventory", "/audit"):
        r = client.get(f"{API}{path}", params={"offset": INT64_MAX})
        assert r.status_code == 200 and r.json()["items" if path == "/inventory" else "entries"] == []


def test_nul_bytes_are_refused(store):
    client, auth = store
    project = "nul-" + uuid.uuid4().hex[:8]
    r = client.post(f"{API}/inventory", json={"id": "org/model", "project": project, "note": "a\x00b"}, headers=auth)
    assert "NUL" in _json_error(r, 422)
    r = client.post(f"{API}/inventory", json={"id": "org/model", "project": project}, headers=auth)
    assert r.status_code == 201
    _json_error(client.patch(f"{API}/inventory/{r.json()['item_id']}", json={"note": "\x00"}, headers=auth), 422)
    for query in ("actor=%00", "action=a%00b"):
        assert "NUL" in _json_error(client.get(f"{API}/audit?{query}"), 400)
    r = client.post(f"{API}/scans", params={"project": project}, headers=auth,
                    json={"schema_version": 1, "references": [{"id": "org/other", "kind": "model", "file": "a\x00.py", "line": 1}]})
    assert r.status_code == 201, r.text
    items = client.get(f"{API}/inventory", params={"project": project}).json()["items"]
    assert [i["note"] for i in items if i["id"] == "org/other"] == ["from scan: a.py:1"]
    r = client.post(f"{API}/policies/validate", json={"toml": "allow = ['mit']\x00"})
    assert "NUL" in _json_error(r, 422)
    r = client.post(f"{API}/policies", json={"name": project, "toml": "allow = ['mit']\x00"}, headers=auth)
    assert "NUL" in _json_error(r, 422)


# -- in-process (TestClient): what needs the app's insides --------------------------------------
def test_an_unexpected_error_is_json_with_the_security_headers(client, app):
    def boom():
        raise RuntimeError("/secret/path/in/a/message")

    app.add_api_route(f"{API}/_test_boom", boom)
    app.add_api_route("/_test_boom_page", boom)
    client._transport.raise_server_exceptions = False  # answer as a server would, instead of raising here
    try:
        r = client.get(f"{API}/_test_boom")
        assert "internal error" in _json_error(r, 500) and "secret" not in r.text
        page = client.get("/_test_boom_page")
        assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
        assert page.headers["content-security-policy"].startswith("default-src 'self'") and "secret" not in page.text
    finally:
        client._transport.raise_server_exceptions = True
        app.router.routes[:] = [r for r in app.router.routes if "_test_boom" not in getattr(r, "path", "")]


def test_the_response_cache_keys_on_known_parameters_only(client, app):
    from serverkit import LLAMA2_FINETUNE

    st = app.state.clearance
    url = f"{API}/models/{LLAMA2_FINETUNE}/clearance"
    first = client.get(url, params={"use": "research"})
    held = len(st.responses)
    for i in range(50):  # junk parameters: same answer, nothing new kept
        r = client.get(f"{url}?use=research&junk={i}")
        assert r.status_code == 200 and r.content == first.content
    r = client.get(f"{url}?use=research&use=research")
    assert r.status_code == 200 and len(st.responses) == held
    hits = st.responses.hits
    assert client.get(f"{API}/hub/stats?top=3").status_code == 200
    assert client.get(f"{API}/hub/stats?top=%33").content == client.get(f"{API}/hub/stats?top=3").content
    assert st.responses.hits == hits + 2  # the same parameter, spelled differently: one entry


def test_the_response_cache_is_capped_in_bytes():
    from clearance.server.cache import LRU

    lru = LRU(1000, max_bytes=10_000, weigh=lambda v: len(v))
    for i in range(100):
        lru.put(i, b"x" * 1000)
    assert lru.bytes <= 10_000 and len(lru) == 10 and lru.get(99) is not None and lru.get(0) is None
    lru.put(99, b"y" * 5000)
    assert lru.bytes <= 10_000 and lru.get(99) == b"y" * 5000


def test_problem_lists_name_files_without_the_servers_folders(tmp_path):
    import json

    from fastapi.testclient import TestClient
    from serverkit import SAMPLE, make_settings

    from clearance.server import create_app

    lines = SAMPLE.read_text().splitlines()
    snapshot = tmp_path / "private-folder" / "snap.jsonl"
    snapshot.parent.mkdir()
    snapshot.write_text("\n".join([*lines[:20], "{not json", *lines[20:40]]) + "\n")
    model = json.loads(lines[0])["id"]
    app = create_app(make_settings(f"sqlite:///{tmp_path / 'p.db'}", tmp_path, snapshots=[snapshot]))
    with TestClient(app) as c:
        for path in (f"{API}/models/{model}/graph", f"/models/{model}", f"{API}/models/{model}/clearance"):
            r = c.get(path)
            assert r.status_code == 200 and str(tmp_path) not in r.text and "private-folder" not in r.text, path
        problems = c.get(f"{API}/models/{model}/graph").json()["problems"]
        assert any(p["artifact"] == "snap.jsonl" and "snap.jsonl:21" in p["message"] for p in problems)


def test_the_inventory_page_pages_and_counts_every_failure(client, auth):
    project = "paged-" + uuid.uuid4().hex[:8]
    ids = ["microsoft/phi-2", "nobody/fail-1", "nobody/fail-2", "nobody/fail-3", "nobody/fail-4"]
    for mid in ids:
        assert client.post(f"{API}/inventory", json={"id": mid, "project": project}, headers=auth).status_code == 201
    first = client.get("/inventory", params={"project": project, "limit": 2})
    assert first.status_code == 200
    assert "5 item(s) in " + project in first.text and "1–2 shown" in first.text and "4 fail" in first.text
    assert first.text.count('<span class="status ') == 2  # one per row shown
    assert "offset=2&amp;limit=2" in first.text and 'rel="prev"' not in first.text
    last = client.get("/inventory", params={"project": project, "limit": 2, "offset": 4})
    assert "5–5 shown" in last.text and "4 fail" in last.text and 'rel="next"' not in last.text and 'rel="prev"' in last.text
    assert client.get("/inventory", params={"offset": 2**64}).status_code == 422
