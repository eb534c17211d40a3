"""The server-rendered pages, without JavaScript: everything a reader needs is in the HTML."""

from __future__ import annotations

from serverkit import LLAMA2_FINETUNE


def test_home_has_a_search_form(client):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert 'action="/search"' in r.text and 'name="q"' in r.text
    assert "1,532 models and datasets" in r.text


def test_search_redirects_on_an_exact_id_and_lists_otherwise(client):
    r = client.get("/search", params={"q": LLAMA2_FINETUNE}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/models/{LLAMA2_FINETUNE}"
    r = client.get("/search", params={"q": "mathqa"})
    assert r.status_code == 200 and LLAMA2_FINETUNE in r.text


def test_search_escapes_what_it_echoes(client):
    r = client.get("/search", params={"q": '<script>alert("x")</script>'})
    assert r.status_code == 200
    assert "<script>alert" not in r.text and "&lt;script&gt;" in r.text


def test_search_offers_an_id_not_in_the_snapshots(client):
    r = client.get("/search", params={"q": "someorg/unlisted-model"})
    assert 'href="/models/someorg/unlisted-model"' in r.text


def test_model_page_reads_without_javascript(client):
    r = client.get(f"/models/{LLAMA2_FINETUNE}")
    assert r.status_code == 200
    html = r.text
    assert 'data-verdict="conditional"' in html and "CONDITIONAL" in html
    assert "What you must do" in html and "700,000,000" in html  # obligations
    assert "meta-llama/Llama-2-7b-chat-hf" in html and "finetune" in html  # the lineage table
    assert f'data-graph-url="/api/v1/models/{LLAMA2_FINETUNE}/graph"' in html
    assert '<script src="/static/graph.js"' in html


def test_model_page_per_use_and_bad_input(client):
    assert 'data-verdict="conditional"' in client.get(f"/models/{LLAMA2_FINETUNE}", params={"use": "research"}).text
    r = client.get(f"/models/{LLAMA2_FINETUNE}", params={"use": "war"})
    assert r.status_code == 400 and "text/html" in r.headers["content-type"]
    assert client.get("/models/a/b/c").status_code == 400


def test_unknown_model_page_says_so(client):
    r = client.get("/models/nobody/nothing-here")
    assert r.status_code == 200 and 'data-verdict="unknown"' in r.text and "no source knows" in r.text


def test_license_pages(client):
    r = client.get("/licenses")
    assert r.status_code == 200 and 'href="/licenses/llama2"' in r.text
    r = client.get("/licenses", params={"category": "non-commercial"})
    assert "cc-by-nc-4.0" in r.text and 'href="/licenses/llama2"' not in r.text
    r = client.get("/licenses/llama2")
    assert r.status_code == 200 and "Llama 2 Community License" in r.text and "Additional Commercial Terms" in r.text
    assert client.get("/licenses/not-a-license-zz").status_code == 404


def test_inventory_page_shows_policy_status(client, auth):
    client.post("/api/v1/inventory", json={"id": "nobody/page-missing", "project": "page-test"}, headers=auth)
    r = client.get("/inventory", params={"project": "page-test"})
    assert r.status_code == 200 and "nobody/page-missing" in r.text and "fails" in r.text
    assert client.get("/inventory", params={"policy": "nope"}).status_code == 404


def test_hub_page_has_server_side_svg_charts(client):
    r = client.get("/hub")
    assert r.status_code == 200
    assert r.text.count("<svg") >= 4 and "Models by license category" in r.text
    assert "meta-llama/Llama-2-7b-chat-hf" in r.text  # largest family
    assert client.get("/hub", params={"by": "year"}).status_code == 200


def test_the_server_speaks_the_engines_and_analytics_vocabulary(client):
    """Periods, uses and verdicts come from their one definition: the pages, the API's
    choices and the chart colours follow it."""
    from clearance.analytics.periods import PERIODS
    from clearance.engine.values import USES, VERDICTS
    from clearance.server.charts import VERDICT_COLORS
    from clearance.server.routes.hub import Period
    from clearance.server.routes.models import Use

    assert [p.value for p in Period] == list(PERIODS) and [u.value for u in Use] == list(USES)
    assert set(VERDICT_COLORS) == set(VERDICTS)
    page = client.get("/hub").text
    assert all(f'<option value="{p}"' in page for p in PERIODS)
    bad = client.get("/hub", params={"by": "week"})
    assert bad.status_code == 400 and ", ".join(PERIODS) in bad.text
    spec = client.get("/openapi.json").json()
    assert spec["components"]["schemas"]["Period"]["enum"] == list(PERIODS)


def test_audit_and_policies_pages(client):
    assert client.get("/audit").status_code == 200
    assert client.get("/policies").status_code == 200


def test_static_files_are_served_locally(client):
    assert "createElementNS" in client.get("/static/graph.js").text
    assert client.get("/static/app.css").status_code == 200
    for page in ("/", f"/models/{LLAMA2_FINETUNE}", "/hub"):
        html = client.get(page).text
        assert "https://" not in html.split("<main>")[0]  # nothing fetched from the internet in the head
