"""End to end in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) against a
real uvicorn server: search a model, open its page, see the verdict and the lineage graph.
Screenshots of the main pages are kept in test-artifacts/screenshots/ at the repository root."""

from __future__ import annotations

from pathlib import Path

import pytest
from serverkit import LLAMA2_FINETUNE, SCREENSHOTS, server_process

from clearance.server.launch import LaunchError

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        # belt and braces: the browser resolves nothing but this machine
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="browser tests skipped: /usr/bin/chromium is missing "
                                                              "(run scripts/system_deps.sh)")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A uvicorn server in a subprocess on a free port, with a few inventory items."""
    import httpx

    from clearance.server import create_token

    tmp = tmp_path_factory.mktemp("e2e")
    db_url = f"sqlite:///{tmp / 'e2e.db'}"
    token = create_token(db_url, "e2e")
    server = server_process(db_url, tmp)
    try:
        server.start(timeout=60)
    except LaunchError as exc:
        pytest.fail(str(exc))
    base = server.url
    h = {"Authorization": f"Bearer {token}"}
    for mid, project in ((LLAMA2_FINETUNE, "chatbot"), ("microsoft/phi-2", "chatbot"), ("nobody/unknown-model", "research")):
        httpx.post(f"{base}/api/v1/inventory", json={"id": mid, "project": project}, headers=h, timeout=30).raise_for_status()
    yield base
    server.stop(timeout=15)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        except Exception as exc:  # noqa: BLE001 - a Chromium that cannot start on this machine
            pytest.skip(f"browser tests skipped: Chromium did not start ({str(exc).splitlines()[0][:200]})")
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server)
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    foreign: list[str] = []
    pg.on("request", lambda req: foreign.append(req.url) if not req.url.startswith((server, "data:")) else None)
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert foreign == [], f"the page fetched from outside the server: {foreign}"
    assert errors == [], f"JavaScript errors: {errors}"


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_search_a_model_open_its_page_see_verdict_and_graph(page):
    page.goto("/")
    shot(page, "01-home")
    page.fill("#q", LLAMA2_FINETUNE)
    page.press("#q", "Enter")
    page.wait_for_url(f"**/models/{LLAMA2_FINETUNE}")
    verdict = page.locator("#verdict")
    assert verdict.inner_text().strip() == "CONDITIONAL"
    assert verdict.get_attribute("data-verdict") == "conditional"
    # the graph, drawn by graph.js from the graph API: one SVG node per artifact, edges between them
    page.wait_for_selector("#lineage-svg g.gnode")
    nodes = page.locator("#lineage-svg g.gnode")
    assert nodes.count() == 2
    ids = {nodes.nth(i).get_attribute("data-id") for i in range(nodes.count())}
    assert ids == {LLAMA2_FINETUNE, "meta-llama/Llama-2-7b-chat-hf"}
    assert page.locator("#lineage-svg g.gedge").count() == 1
    assert page.locator("#lineage-svg g.gnode.root").get_attribute("data-id") == LLAMA2_FINETUNE
    shot(page, "03-model")


def test_graph_is_interactive(page):
    page.goto(f"/models/{LLAMA2_FINETUNE}")
    page.wait_for_selector("#lineage-svg g.gnode")
    svg = page.locator("#lineage-svg")
    before = svg.get_attribute("viewBox")
    page.get_by_role("button", name="Zoom in").click()
    assert svg.get_attribute("viewBox") != before
    page.get_by_role("button", name="Fit").click()
    assert svg.get_attribute("viewBox") == before
    base = page.locator('#lineage-svg g.gnode[data-id="meta-llama/Llama-2-7b-chat-hf"]')
    base.hover()
    assert page.locator("#lineage-svg g.gedge.hl").count() >= 1  # its edges light up
    base.locator("a").click()  # clicking an ancestor opens its page
    page.wait_for_url("**/models/meta-llama/Llama-2-7b-chat-hf")
    assert page.locator("#verdict").get_attribute("data-verdict") in ("conditional", "cleared", "blocked", "unknown")


def test_search_results_page(page):
    page.goto("/")
    page.fill("#q", "gemma")
    page.press("#q", "Enter")
    page.wait_for_selector("table.results")
    assert page.locator("table.results tbody tr").count() > 5
    shot(page, "02-search")


def test_license_pages(page):
    page.goto("/licenses")
    assert page.locator("table.list tbody tr").count() > 50
    shot(page, "04-licenses")
    page.click('a[href="/licenses/llama2"]')
    page.wait_for_url("**/licenses/llama2")
    assert "Llama 2 Community License" in page.locator("h1").inner_text()
    shot(page, "05-license-llama2")


def test_inventory_page(page):
    page.goto("/inventory")
    rows = page.locator("table.inventory tbody tr")
    assert rows.count() == 3
    assert page.locator("span.status.fail").count() == 1  # the unknown model fails the default policy
    shot(page, "06-inventory")


def test_hub_page(page):
    page.goto("/hub")
    assert page.locator("svg.chart").count() >= 4
    shot(page, "07-hub")


def test_model_page_without_javascript(browser, server):
    context = browser.new_context(java_script_enabled=False, base_url=server)
    pg = context.new_page()
    pg.goto(f"/models/{LLAMA2_FINETUNE}")
    assert pg.locator("#verdict").inner_text().strip() == "CONDITIONAL"
    assert pg.locator("#lineage-table tbody tr").count() == 1  # the lineage, as a table
    context.close()
