"""Server-rendered pages (Jinja2). Every page reads without JavaScript; the lineage graph is
drawn by static/graph.js from the graph API, over a table of the same edges."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from clearance.analytics.periods import DEFAULT_PERIOD, PERIODS
from clearance.engine.values import USES
from clearance.kb import CATEGORIES
from clearance.server import charts, ids, store
from clearance.server.cache import get_or_compute
from clearance.server.hubstats import NoSnapshots
from clearance.server.ids import InvalidInput
from clearance.server.state import AppState
from clearance.util.version import __version__

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals.update(version=__version__, uses=USES, periods=tuple(PERIODS))
templates.env.filters["q"] = lambda s: quote(str(s), safe="/")
router = APIRouter(include_in_schema=False)
STATIC = {"x-clearance-cache": "static"}  # see middleware.ResponseCache


def _st(request: Request) -> AppState:
    return request.app.state.clearance


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def html(request: Request, name: str, **context: Any) -> bytes:
    return templates.get_template(name).render(request=request, **context).encode()


async def cached(request: Request, key: tuple, build: Callable[[], bytes]) -> HTMLResponse:
    """A page that changes with no write (but the policy, when `key` names it): rendered once
    per process, then served from memory without a thread."""
    return HTMLResponse(await get_or_compute(_st(request).pages, key, build), headers=STATIC)


def error_page(request: Request, status: int, detail: str) -> HTMLResponse:
    return render(request, "error.html", status, title=f"Error {status}", status=status, detail=detail)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    st = _st(request)
    return await cached(request, ("home",), lambda: html(
        request, "home.html", title="Clearance", q="", results=st.engine.search("", 15), searched=False,
        artifacts=len(st.engine.entries), snapshots=[p.name for p in st.settings.snapshots]))


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, q: str = Query("", max_length=400)) -> Response:
    st = _st(request)
    q = q.strip()
    results = st.engine.search(q, 50)
    exact = [e for e in results if e.id.lower() == q.lower() and e.kind == "model"]
    if exact:
        return RedirectResponse(f"/models/{quote(exact[0].id, safe='/')}", status_code=303)
    valid = None
    if q:
        try:
            valid = ids.hub_id(q)
        except InvalidInput:
            valid = None
    return render(request, "home.html", title=f"Search: {q}" if q else "Clearance", q=q, results=results, searched=True,
                  valid_id=valid, artifacts=len(st.engine.entries), snapshots=[p.name for p in st.settings.snapshots])


async def _artifact_page(request: Request, artifact_id: str, kind: str, use: str) -> HTMLResponse:
    st = _st(request)
    if use not in USES:
        raise InvalidInput(f"use {use[:40]!r} is not one of: {', '.join(USES)}")
    ref = ids.hub_ref(artifact_id, kind)
    fresh = st.fresh_policy()
    looked_up = None  # the key already looked up (and missed), under the fresh policy
    if fresh is not None:
        looked_up = ("artifact", ref.key, artifact_id, use, fresh.key)
        found = st.pages.get(looked_up)
        if found is not None:
            return HTMLResponse(found, headers={"x-clearance-cache": f"policy:{fresh.key}"})

    def build() -> tuple[bytes, str]:
        choice = st.policy()
        key = ("artifact", ref.key, artifact_id, use, choice.key)

        def render() -> bytes:
            return _render_artifact(request, st, ref, artifact_id, kind, use, choice)

        return (st.pages.put(key, render()) if key == looked_up else st.pages.get_or(key, render)), choice.key

    body, key = await run_in_threadpool(build)
    return HTMLResponse(body, headers={"x-clearance-cache": f"policy:{key}"})


def _render_artifact(request: Request, st: AppState, ref, artifact_id: str, kind: str, use: str, choice) -> bytes:
    outcomes = {u: st.engine.outcome(ref, u, choice.policy, choice.key) for u in USES}
    graph = st.engine.graph(ref)
    root = graph.artifact(graph.root) if graph.root else None
    api_id = quote(artifact_id, safe="/")
    nodes = graph.to_json()["nodes"]
    return html(request, "model.html", title=artifact_id, id=artifact_id, kind=kind, use=use, outcome=outcomes[use],
                outcomes=outcomes, policy=choice.name, graph=graph, nodes=nodes, root=root,
                graph_url=f"/api/v1/models/{api_id}/graph" if kind == "model" else None,
                json_url=f"/api/v1/models/{api_id}/clearance?use={use}" if kind == "model" else None)


@router.get("/models/{model_id:path}", response_class=HTMLResponse)
async def model_page(request: Request, model_id: str, use: str = Query("commercial", max_length=40)) -> HTMLResponse:
    return await _artifact_page(request, model_id, "model", use)


@router.get("/datasets/{dataset_id:path}", response_class=HTMLResponse)
async def dataset_page(request: Request, dataset_id: str, use: str = Query("commercial", max_length=40)) -> HTMLResponse:
    return await _artifact_page(request, dataset_id, "dataset", use)


@router.get("/licenses", response_class=HTMLResponse)
async def license_list(request: Request, category: str | None = Query(None, max_length=40)) -> HTMLResponse:
    if category and category not in CATEGORIES:
        raise InvalidInput(f"category {category!r} is not one of: {', '.join(CATEGORIES)}")

    def build() -> bytes:
        lics = sorted((lic for lic in _st(request).engine.kb if not category or lic.category == category), key=lambda lic: lic.id)
        return html(request, "licenses.html", title="Licenses", licenses=lics, category=category or "", categories=CATEGORIES)

    return await cached(request, ("licenses", category or ""), build)


@router.get("/licenses/{license_id}", response_class=HTMLResponse)
async def license_page(request: Request, license_id: str) -> HTMLResponse:
    ids.license_id(license_id)
    st = _st(request)

    def build() -> bytes | None:
        lic = st.license(license_id)
        return None if lic is None else _render_license(request, lic)

    found = await get_or_compute(st.pages, ("license", license_id.lower()), build)
    if found is None:
        return error_page(request, 404, f"no license in the knowledge base answers to {license_id!r}")
    return HTMLResponse(found, headers=STATIC)


def _render_license(request: Request, lic) -> bytes:
    terms = []
    for term, ev in lic.evidence.items():
        value = getattr(lic, term, None)
        if not ev.stated and value in (False, None, (), []) and term != "commercial_use":
            continue
        if isinstance(value, tuple):
            value = "; ".join(getattr(v, "territory", None) and (v.territory + ("" if v.applies_to == "all" else f" ({v.applies_to})"))
                              or str(v) for v in value)
        terms.append({"term": term.replace("_", " "), "value": value, "section": ev.section, "note": ev.note,
                      "url": ev.url, "stated": ev.stated})
    return html(request, "license.html", title=lic.name, lic=lic, terms=terms)


PAGE = 200  # inventory items per page


@router.get("/inventory", response_class=HTMLResponse)
def inventory_page(request: Request, project: str | None = Query(None, max_length=100),
                   policy: str | None = Query(None, max_length=100),
                   offset: int = Query(0, ge=0, le=2**63 - 1), limit: int = Query(PAGE, ge=1, le=1000)) -> HTMLResponse:
    """One page of the items (`limit` from `offset`), with the counts of every item the filter
    matches: how many, and how many fail the policy (not only those on the page)."""
    st = _st(request)
    project = project or None
    policy = policy or None
    if project:
        ids.name(project, "project")
    if policy:
        ids.name(policy, "policy")
    try:
        choice = st.policy(policy)
    except KeyError:
        return error_page(request, 404, f"no saved policy named {policy!r}")
    # counts: every matching artifact once, with how many items name it: the fail count covers them all
    projects, names, rows, counts = store.inventory_overview(st.sessions, project, limit, offset)

    def status(artifact_id: str, kind: str) -> dict[str, Any]:
        return st.engine.status(ids.hub_ref(artifact_id, kind), choice.policy, choice.key, choice.name)

    total = sum(n for _, _, n in counts)
    failing = sum(n for artifact_id, kind, n in counts if not status(artifact_id, kind)["passed"])
    items = [(r, status(r.artifact_id, r.kind)) for r in rows]
    pages = {"first": offset + 1 if items else offset, "last": offset + len(items),
             "previous": max(0, offset - limit) if offset else None,
             "next": offset + limit if offset + limit < total else None, "limit": limit}
    changes = store.recent_changes(st.sessions, project, 20)
    return render(request, "inventory.html", title="Inventory", items=items, projects=projects, project=project or "",
                  policies=names, policy=choice.name, selected_policy=policy or "", failing=failing, total=total,
                  pages=pages, changes=changes, recheck=st.watcher)


@router.get("/hub", response_class=HTMLResponse)
async def hub_page(request: Request, by: str = Query(DEFAULT_PERIOD, max_length=10)) -> HTMLResponse:
    if by not in PERIODS:
        raise InvalidInput(f"by {by!r} is not one of: {', '.join(PERIODS)}")
    return await cached(request, ("hub", by), lambda: _render_hub(request, by))


def _render_hub(request: Request, by: str) -> bytes:
    st = _st(request)
    try:
        stats = st.hub.stats(20)
        trends = st.hub.trends(by)
        families = st.hub.families(15)
    except NoSnapshots as exc:
        return html(request, "hub.html", title="Hub analytics", missing=str(exc))
    verdicts = stats.get("commercial", {})
    figures = {
        "categories": charts.bars(sorted(stats["by_category"].items(), key=lambda kv: -kv[1]), "Models by license category"),
        "verdicts": charts.bars(list(verdicts.items()), "Commercial use after following lineage"),
        "licenses": charts.bars([(r["license"], r["count"]) for r in stats["by_resolved_license"][:15]],
                                "Most common licenses (resolved)", color_by_label=False),
        "trends": charts.stacked_shares(trends, f"Share of license categories among models created, by {by}"),
        "trends_downloads": charts.stacked_shares(trends, f"The same, weighted by downloads, by {by}", value="download_share"),
    }
    return html(request, "hub.html", title="Hub analytics", stats=stats, figures=figures, families=families, by=by,
                snapshots=[p.name for p in st.settings.snapshots], missing=None)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request) -> HTMLResponse:
    return render(request, "audit.html", title="Audit history", entries=store.recent_audit(_st(request).sessions, 200))


@router.get("/policies", response_class=HTMLResponse)
def policies_page(request: Request) -> HTMLResponse:
    return render(request, "policies.html", title="Policies", policies=store.saved_policies(_st(request).sessions))
