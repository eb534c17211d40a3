"""The REST API under /api/v1, offline, on a temp SQLite store and the bundled 2025 sample."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time

import pytest
from serverkit import LLAMA2_FINETUNE, SAMPLE

API = "/api/v1"


def test_health(client):
    r = client.get(f"{API}/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["store"] == "sqlite" and body["offline"] is True
    assert body["snapshots"] == [SAMPLE.name] and body["artifacts"] == 1532
    assert body["hub_endpoint"] is None  # offline: no Hub at all


def test_warm_up_computes_popular_verdicts_in_the_background(tmp_path):
    from fastapi.testclient import TestClient
    from serverkit import make_settings

    from clearance.server import create_app

    app = create_app(make_settings(f"sqlite:///{tmp_path / 'w.db'}", tmp_path, warm=5))
    with TestClient(app) as c:
        deadline = time.monotonic() + 60
        while not (health := c.get(f"{API}/health").json())["ready"] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert health["ready"] and health["warmed"] == {"done": 5, "total": 5}
        top = app.state.clearance.engine.entries[0].id
        from clearance.artifacts.ids import Ref

        assert app.state.clearance.engine.cached_clearance_json(Ref(top, "model"), "research") is not None
        # and asked the app for their answers (3 verdicts, graph, page): a first request is a hit
        assert app.state.clearance.prefetched == health["prefetched"] == 5 * 5
        hits = app.state.clearance.warm_responses.hits
        page = c.get(f"/models/{top}")
        assert page.status_code == 200 and top in page.text and app.state.clearance.warm_responses.hits == hits + 1


def test_cache_marks_never_leave_the_server(client):
    for url in (f"{API}/health", f"{API}/models/{LLAMA2_FINETUNE}/clearance", f"{API}/models/{LLAMA2_FINETUNE}/graph",
                f"{API}/licenses/mit", f"/models/{LLAMA2_FINETUNE}", "/licenses"):
        first, again = client.get(url), client.get(url)  # the second is answered from memory
        assert first.status_code == again.status_code == 200
        assert first.content == again.content and first.headers["content-type"] == again.headers["content-type"]
        assert "x-clearance-cache" not in again.headers and "x-clearance-cache" not in first.headers
        assert "content-security-policy" in again.headers


def test_openapi_lists_every_route(client):
    spec = client.get("/openapi.json").json()
    paths = set(spec["paths"])
    for path in ("/api/v1/health", "/api/v1/models/{model_id}/clearance", "/api/v1/models/{model_id}/graph",
                 "/api/v1/licenses", "/api/v1/licenses/{license_id}", "/api/v1/inventory", "/api/v1/inventory/{item_id}",
                 "/api/v1/scans", "/api/v1/policies", "/api/v1/policies/{name}", "/api/v1/audit",
                 "/api/v1/hub/stats", "/api/v1/hub/trends"):
        assert path in paths, path
    assert not any(p.startswith(("/models", "/licenses", "/static")) for p in paths)  # pages stay out of the API spec


def test_no_swagger_ui_from_a_cdn(client):
    assert client.get("/docs").status_code == 404


# -- clearance -----------------------------------------------------------------------------------
@pytest.mark.parametrize("use", ["commercial", "redistribution", "research"])
def test_clearance_is_one_element_of_check_json(client, use, _offline_env):
    """The same object as `clearance check --format json` (same engine, same sources)."""
    from clearance.formats.results import result_json
    from clearance.usecases.check import check

    r = client.get(f"{API}/models/{LLAMA2_FINETUNE}/clearance", params={"use": use})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    run = check([LLAMA2_FINETUNE], [use], snapshots=[SAMPLE], offline=True)
    assert r.json() == json.loads(json.dumps(result_json(run.outcomes[0])))
    assert r.json()["verdict"] == "conditional" and r.json()["use"] == use


def test_clearance_defaults_to_commercial(client):
    assert client.get(f"{API}/models/{LLAMA2_FINETUNE}/clearance").json()["use"] == "commercial"


def test_unknown_model_is_the_engines_unknown_verdict_not_an_error(client):
    r = client.get(f"{API}/models/nobody-here/no-such-model/clearance")
    assert r.status_code == 200
    body = r.json()
    assert body["verdict"] == "unknown" and body["policy"]["passed"] is False
    assert any(f["code"] == "CLR201" for f in body["findings"])


def test_legacy_id_without_org_is_accepted(client):
    r = client.get(f"{API}/models/gpt2/clearance")
    assert r.status_code == 200 and r.json()["subject"] == "gpt2"


@pytest.mark.parametrize("bad", [
    "a/b/c", "a%20b/c", "-x/y", "x/.hidden", "org/name@main", "org/na..me", "%2Fetc%2Fpasswd", "~root/x",
    "org/" + "n" * 300, "org/n%C3%A9", "org/name%00",
])
def test_bad_model_ids_are_400_with_a_message(client, bad):
    r = client.get(f"{API}/models/{bad}/clearance")
    assert r.status_code == 400, (bad, r.text)
    assert "Hub id" in r.json()["detail"] or "too long" in r.json()["detail"]


def test_bad_use_is_422_naming_the_choices(client):
    r = client.get(f"{API}/models/{LLAMA2_FINETUNE}/clearance", params={"use": "military"})
    assert r.status_code == 422
    assert "use" in r.json()["detail"] and "commercial" in r.json()["detail"]


def test_an_existing_local_folder_named_like_an_id_is_never_read(client, tmp_path, monkeypatch):
    """Ids are Hub ids only: a folder `org/name` in the working directory is not a target."""
    (tmp_path / "evil" / "model").mkdir(parents=True)
    (tmp_path / "evil" / "model" / "README.md").write_text("---\nlicense: mit\n---\n")
    monkeypatch.chdir(tmp_path)
    body = client.get(f"{API}/models/evil/model/clearance").json()
    assert body["verdict"] == "unknown" and body["declared_licenses"] == []
    graph = client.get(f"{API}/models/evil/model/graph").json()
    assert graph["nodes"][0]["source"] is None and graph["nodes"][0]["resolved"] is False


# -- graph ---------------------------------------------------------------------------------------
def test_graph_is_graph_to_json(client):
    from clearance.usecases.lineage import graph_for

    r = client.get(f"{API}/models/{LLAMA2_FINETUNE}/graph")
    assert r.status_code == 200
    body = r.json()
    expected = graph_for(LLAMA2_FINETUNE, snapshots=[SAMPLE], offline=True).to_json()
    for key in ("schema_version", "root", "direction", "nodes", "edges"):
        assert body[key] == expected[key], key
    assert {e["relation"] for e in body["edges"]} == {"finetune"}  # its card's only dataset is TRL's `generator`


def test_graph_of_bad_id_is_400(client):
    assert client.get(f"{API}/models/a/b/c/graph").status_code == 400


# -- search --------------------------------------------------------------------------------------
def test_search_finds_ids(client):
    r = client.get(f"{API}/search", params={"q": "llama-2-7b-chat-hf-mathqa"})
    ids = [e["id"] for e in r.json()["results"]]
    assert LLAMA2_FINETUNE in ids


# -- licenses ------------------------------------------------------------------------------------
def test_licenses_list_is_the_kb(client, kb):
    body = client.get(f"{API}/licenses").json()
    assert len(body["licenses"]) == len(kb)
    assert {lic["id"] for lic in body["licenses"]} == {lic.id for lic in kb}
    community = client.get(f"{API}/licenses", params={"category": "community"}).json()["licenses"]
    assert community and all(lic["category"] == "community" for lic in community)


def test_licenses_bad_category_is_400(client):
    r = client.get(f"{API}/licenses", params={"category": "nope"})
    assert r.status_code == 400 and "permissive" in r.json()["detail"]


def test_license_show_by_id_and_alias(client, kb):
    assert client.get(f"{API}/licenses/llama2").json() == kb.get("llama2").to_json()
    assert client.get(f"{API}/licenses/Apache-2.0").json()["id"] == "apache-2.0"


def test_license_unknown_is_404_and_bad_is_400(client):
    assert client.get(f"{API}/licenses/no-such-license-anywhere").status_code == 404
    assert client.get(f"{API}/licenses/bad%20id").status_code == 400


# -- hub -----------------------------------------------------------------------------------------
def test_hub_stats_and_trends(client):
    from clearance.analytics.hub import HubAnalysis

    stats = client.get(f"{API}/hub/stats").json()
    assert stats["schema_version"] == 1 and stats["models"] == 1532
    expected = HubAnalysis([SAMPLE])
    assert stats["by_category"] == expected.stats()["by_category"]
    trends = client.get(f"{API}/hub/trends", params={"by": "year"}).json()
    cli_trends = json.loads(subprocess.run([sys.executable, "-m", "clearance.cli", "hub", "trends", str(SAMPLE), "--by", "year",
                                            "--format", "json"], capture_output=True, text=True, check=True).stdout)
    assert trends["schema_version"] == cli_trends["schema_version"] == 2  # the same rows, the same version as the CLI's
    assert trends["by"] == "year" and trends["rows"] == json.loads(json.dumps(expected.trends("year"), default=str))
    assert client.get(f"{API}/hub/trends", params={"by": "decade"}).status_code == 422
    assert client.get(f"{API}/hub/families").json()["rows"][0]["root"] == "meta-llama/Llama-2-7b-chat-hf"


def test_an_answer_computed_once_is_looked_up_once(client, app):
    """A request the response cache does not answer (an unknown parameter bypasses it) costs
    one lookup of the process's own cache: a miss the first time, a hit then."""
    st = app.state.clearance
    for cache, url in ((st.memo, f"{API}/hub/families?top=7&nocache=1"), (st.pages, "/licenses/apache-2.0?nocache=1")):
        misses, hits = cache.misses, cache.hits
        first = client.get(url)
        assert first.status_code == 200 and (cache.misses, cache.hits) == (misses + 1, hits)
        assert client.get(url).content == first.content and (cache.misses, cache.hits) == (misses + 1, hits + 1)


def test_hub_without_snapshots_is_404_with_a_reason(tmp_path):
    from fastapi.testclient import TestClient
    from serverkit import make_settings

    from clearance.server import create_app

    app = create_app(make_settings(f"sqlite:///{tmp_path / 'x.db'}", tmp_path, snapshots=()))
    with TestClient(app) as c:
        r = c.get(f"{API}/hub/stats")
        assert r.status_code == 404 and "--snapshot" in r.json()["detail"]
        assert c.get("/hub").status_code == 200  # the page says so instead


# -- auth ----------------------------------------------------------------------------------------
WRITES = [
    ("post", "/inventory", {"id": "a/b"}),
    ("patch", "/inventory/1", {"note": "x"}),
    ("delete", "/inventory/1", None),
    ("post", "/scans?project=p", {"schema_version": 1, "references": []}),
    ("post", "/policies", {"name": "p", "toml": ""}),
    ("put", "/policies/p", {"toml": ""}),
    ("delete", "/policies/p", None),
]


@pytest.mark.parametrize("method,path,body", WRITES)
def test_every_write_needs_a_token(client, method, path, body):
    kwargs = {"json": body} if body is not None else {}
    r = client.request(method.upper(), API + path, **kwargs)
    assert r.status_code == 401, r.text
    assert r.headers["www-authenticate"] == "Bearer"
    for header in ("Bearer clr_notavalidtokenatallxxxxxxxxxxxxxxxx", "Basic abc", "Bearer", "clr_x"):
        r = client.request(method.upper(), API + path, headers={"Authorization": header}, **kwargs)
        assert r.status_code == 401, (header, r.text)


def test_tokens_are_stored_hashed(token, sqlite_url):
    from sqlalchemy import create_engine, text

    engine = create_engine(sqlite_url)
    with engine.connect() as conn:
        rows = conn.execute(text("select name, prefix, token_hash from tokens")).all()
    engine.dispose()
    assert any(r.token_hash == hashlib.sha256(token.encode()).hexdigest() for r in rows)
    for r in rows:
        assert token not in (r.name, r.prefix, r.token_hash)
        assert len(r.prefix) < len(token) // 3


def test_create_token_gives_a_new_token_each_time_and_checks_the_name(sqlite_url):
    from clearance.server import create_token

    a, b = create_token(sqlite_url, "ci"), create_token(sqlite_url, "ci")
    assert a != b and a.startswith("clr_") and len(a) > 40
    with pytest.raises(ValueError):
        create_token(sqlite_url, "bad\nname")


def test_revoked_token_is_refused(client, sqlite_url, app):
    """A revocation applies once the token's short in-memory trust (TOKEN_TTL) has run out."""
    from sqlalchemy import create_engine, text

    from clearance.server import create_token
    from clearance.server.state import TOKEN_TTL

    assert TOKEN_TTL <= 2

    tok = create_token(sqlite_url, "to-revoke")
    assert client.post(f"{API}/inventory", json={"id": "rev/oked", "project": "revoke"},
                       headers={"Authorization": f"Bearer {tok}"}).status_code == 201
    engine = create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(text("update tokens set revoked = 1 where name = 'to-revoke'"))
    engine.dispose()
    app.state.clearance.tokens.clear()  # as TOKEN_TTL seconds later
    assert client.post(f"{API}/inventory", json={"id": "rev/oked2", "project": "revoke"},
                       headers={"Authorization": f"Bearer {tok}"}).status_code == 401


# -- limits and validation -----------------------------------------------------------------------
def test_oversized_body_is_413(client, auth, app):
    limit = app.state.clearance.settings.max_body_bytes
    big = json.dumps({"id": "a/b", "note": "x" * (limit + 10)})
    r = client.post(f"{API}/inventory", content=big, headers={**auth, "Content-Type": "application/json"})
    assert r.status_code == 413 and "limit" in r.json()["detail"]


def test_oversized_chunked_body_is_413(client, auth, app):
    limit = app.state.clearance.settings.max_body_bytes

    def chunks():
        for _ in range(limit // 65536 + 2):
            yield b"x" * 65536

    r = client.post(f"{API}/scans?project=p", content=chunks(), headers={**auth, "Content-Type": "application/json"})
    assert r.status_code == 413


def test_bad_json_is_422(client, auth):
    r = client.post(f"{API}/inventory", content=b'{"id": "a/b",', headers={**auth, "Content-Type": "application/json"})
    assert r.status_code == 422 and "not valid JSON" in r.json()["detail"]


def test_unknown_fields_and_bad_values_are_422(client, auth):
    r = client.post(f"{API}/inventory", json={"id": "a/b", "colour": "red"}, headers=auth)
    assert r.status_code == 422 and "colour" in r.json()["detail"]
    r = client.post(f"{API}/inventory", json={"id": "../../etc/passwd"}, headers=auth)
    assert r.status_code == 422 and "Hub id" in r.json()["detail"]
    r = client.post(f"{API}/inventory", json={"id": "a/b", "kind": "space"}, headers=auth)
    assert r.status_code == 422
    r = client.post(f"{API}/inventory", json={"id": "a/b", "project": "has space"}, headers=auth)
    assert r.status_code == 422 and "project" in r.json()["detail"]


def test_security_headers(client):
    r = client.get("/")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
