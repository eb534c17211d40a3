"""The server's errors: every exception class it defines is a ClearanceError, and the app
answers each kind with its status, as JSON under /api/ and as an error page elsewhere."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

API = "/api/v1"


def test_every_server_exception_is_a_clearance_error():
    import clearance.server
    from clearance.util.errors import ClearanceError

    found = []
    for info in pkgutil.walk_packages(clearance.server.__path__, "clearance.server."):
        if ".migrations" in info.name:
            continue
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseException) and cls.__module__ == module.__name__:
                found.append(cls)
    assert {c.__name__ for c in found} >= {"StoreError", "AuthError", "InvalidInput", "IngestError", "NoSnapshots",
                                           "TooComplex", "Unparseable"}
    assert [c.__name__ for c in found if not issubclass(c, ClearanceError)] == []


def _errors():
    from clearance.analytics.tables import SnapshotError
    from clearance.policy.load import PolicyError
    from clearance.server.auth import AuthError
    from clearance.server.db import StoreError
    from clearance.server.hubstats import NoSnapshots
    from clearance.server.ids import InvalidInput
    from clearance.server.ingest import IngestError
    from clearance.server.routes.policies import Unparseable
    from clearance.sources.interface import SourceError

    # (error, status, the answer's detail)
    return [(InvalidInput("model id 'x y' is not a Hub id"), 400, "model id 'x y' is not a Hub id"),
            (SourceError("gone.jsonl: no such snapshot file"), 400, "gone.jsonl: no such snapshot file"),
            (PolicyError("policy: unknown key"), 400, "policy: unknown key"),
            (AuthError("invalid token"), 401, "invalid token"),
            (NoSnapshots("no snapshot configured"), 404, "no snapshot configured"),
            (IngestError("components: expected a list"), 422, "components: expected a list"),
            (Unparseable("policy: nested too deep"), 422, "policy: nested too deep"),
            (SnapshotError("x.jsonl is not a snapshot"), 503, "Hub analytics unavailable: x.jsonl is not a snapshot"),
            (StoreError("cannot open sqlite:///x.db"), 503, "the store is unavailable; try again")]


@pytest.mark.parametrize("case", range(9))
def test_each_kind_of_error_has_its_status(client, app, case):
    exc, status, detail = _errors()[case]

    def fail():
        raise exc

    path = f"_test_error_{case}"
    app.add_api_route(f"{API}/{path}", fail)
    app.add_api_route(f"/{path}", fail)
    try:
        r = client.get(f"{API}/{path}")
        assert (r.status_code, r.json()) == (status, {"detail": detail})
        assert (r.headers.get("www-authenticate") == "Bearer") == (status == 401)
        page = client.get(f"/{path}")
        assert page.status_code == status and page.headers["content-type"].startswith("text/html")
        assert detail.replace("'", "&#39;") in page.text
    finally:
        app.router.routes[:] = [r for r in app.router.routes if path not in getattr(r, "path", "")]
