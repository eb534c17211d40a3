"""Inventory, scans, saved policies and the audit history — on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from serverkit import LLAMA2_FINETUNE, SAMPLE

from clearance.formats.scanreport import READABLE_VERSIONS

API = "/api/v1"
MIT_MODEL = "microsoft/phi-2"  # declares mit in the sample


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request):
    """(client, auth headers) on each store; PostgreSQL skips visibly when it cannot start."""
    if request.param == "sqlite":
        return request.getfixturevalue("client"), request.getfixturevalue("auth")
    return request.getfixturevalue("pg_client")


def project() -> str:
    return "p-" + uuid.uuid4().hex[:10]


def test_store_backend(store):
    client, _ = store
    assert client.get(f"{API}/health").json()["store"] in ("sqlite", "postgresql")


def test_inventory_crud(store):
    client, auth = store
    p = project()
    r = client.post(f"{API}/inventory", json={"id": LLAMA2_FINETUNE, "project": p, "note": "chat bot"}, headers=auth)
    assert r.status_code == 201, r.text
    item = r.json()
    assert item["id"] == LLAMA2_FINETUNE and item["kind"] == "model" and item["project"] == p and item["created_by"]
    iid = item["item_id"]

    got = client.get(f"{API}/inventory/{iid}").json()
    assert got["note"] == "chat bot"
    assert got["status"]["policy"] == "(default)" and got["status"]["passed"] is True
    assert got["status"]["uses"] == [{"use": "commercial", "verdict": "conditional", "passed": True, "failures": [], "waived_by": None}]

    r = client.post(f"{API}/inventory", json={"id": LLAMA2_FINETUNE, "project": p}, headers=auth)
    assert r.status_code == 409 and p in r.json()["detail"]

    r = client.patch(f"{API}/inventory/{iid}", json={"note": "retired"}, headers=auth)
    assert r.status_code == 200 and r.json()["note"] == "retired"
    assert client.get(f"{API}/inventory/{iid}").json()["note"] == "retired"

    r = client.delete(f"{API}/inventory/{iid}", headers=auth)
    assert r.status_code == 204
    assert client.get(f"{API}/inventory/{iid}").status_code == 404
    assert client.delete(f"{API}/inventory/{iid}", headers=auth).status_code == 404
    assert client.patch(f"{API}/inventory/{iid}", json={"note": "x"}, headers=auth).status_code == 404


def test_inventory_list_filters_by_project_and_shows_status(store):
    client, auth = store
    p1, p2 = project(), project()
    for pid, mid, kind in ((p1, LLAMA2_FINETUNE, "model"), (p1, "nobody/missing-model", "model"),
                           (p1, "yahma/alpaca-cleaned", "dataset"), (p2, MIT_MODEL, "model")):
        assert client.post(f"{API}/inventory", json={"id": mid, "project": pid, "kind": kind}, headers=auth).status_code == 201
    body = client.get(f"{API}/inventory", params={"project": p1}).json()
    assert body["total"] == 3 and {i["project"] for i in body["items"]} == {p1}
    status = {i["id"]: i["status"] for i in body["items"]}
    assert status[LLAMA2_FINETUNE]["passed"] is True
    assert status["nobody/missing-model"]["passed"] is False
    assert status["nobody/missing-model"]["uses"][0]["verdict"] == "unknown"
    only_models = client.get(f"{API}/inventory", params={"project": p1, "kind": "model"}).json()
    assert only_models["total"] == 2
    page = client.get(f"{API}/inventory", params={"project": p1, "limit": 1, "offset": 1}).json()
    assert len(page["items"]) == 1 and page["total"] == 3
    assert client.get(f"{API}/inventory", params={"project": "bad project"}).status_code == 400
    assert client.get(f"{API}/inventory", params={"limit": 0}).status_code == 422


def test_inventory_list_and_item_answer_the_same_bytes(store):
    """On SQLite the list reads on the event loop's raw connection, the item through SQLAlchemy:
    both must give the same item (times in UTC ISO format), before and after a change."""
    client, auth = store
    p = project()
    iid = client.post(f"{API}/inventory", json={"id": LLAMA2_FINETUNE, "project": p, "note": "a"}, headers=auth).json()["item_id"]
    for _ in range(2):  # the second list is answered from the serialized rows
        listed = client.get(f"{API}/inventory", params={"project": p}).json()["items"]
        assert listed == [client.get(f"{API}/inventory/{iid}").json()]
    assert listed[0]["created_at"].endswith("+00:00")
    client.patch(f"{API}/inventory/{iid}", json={"note": "b"}, headers=auth)
    listed = client.get(f"{API}/inventory", params={"project": p}).json()["items"]
    assert listed[0]["note"] == "b" and listed == [client.get(f"{API}/inventory/{iid}").json()]


def test_inventory_patch_to_a_duplicate_is_409(store):
    client, auth = store
    p = project()
    a = client.post(f"{API}/inventory", json={"id": "x/one", "project": p}, headers=auth).json()
    client.post(f"{API}/inventory", json={"id": "x/two", "project": p}, headers=auth)
    r = client.patch(f"{API}/inventory/{a['item_id']}", json={"id": "x/two"}, headers=auth)
    assert r.status_code == 409


def test_scan_report_ingest(store):
    client, auth = store
    p = project()
    scan = {"schema_version": 1, "root": ".", "files_scanned": 3, "warnings": [], "references": [
        {"id": LLAMA2_FINETUNE, "kind": "model", "file": "app.py", "line": 3, "via": "transformers"},
        {"id": LLAMA2_FINETUNE, "kind": "model", "file": "train.py", "line": 9, "via": "transformers"},
        {"id": "yahma/alpaca-cleaned", "kind": "dataset", "file": "train.py", "line": 12, "via": "datasets"},
        {"id": "gpt2", "kind": "model", "file": "x.py", "line": 1, "via": "transformers"},
        {"id": "./local/model", "kind": "model", "file": "y.py", "line": 2, "via": "transformers"},
    ]}
    r = client.post(f"{API}/scans", params={"project": p}, json=scan, headers=auth)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["format"] == "scan" and body["project"] == p
    assert {(a["id"], a["kind"]) for a in body["added"]} == {(LLAMA2_FINETUNE, "model"), ("yahma/alpaca-cleaned", "dataset"), ("gpt2", "model")}
    assert [s["ref"] for s in body["skipped"]] == ["./local/model"]
    items = client.get(f"{API}/inventory", params={"project": p}).json()["items"]
    assert len(items) == 3
    note = next(i["note"] for i in items if i["id"] == LLAMA2_FINETUNE)
    assert "app.py:3" in note and "train.py:9" in note

    again = client.post(f"{API}/scans", params={"project": p}, json=scan, headers=auth).json()
    assert again["added"] == [] and len(again["already_present"]) == 3

    audit = client.get(f"{API}/audit", params={"action": "scan.ingest"}).json()["entries"]
    mine = [e for e in audit if e["target"] == p]
    assert len(mine) == 2 and mine[0]["detail"]["added"] == 0 and mine[1]["detail"]["added"] == 3
    assert mine[0]["id"] == again["audit_id"]


def test_cyclonedx_bom_ingest(store, _offline_env):
    """A BOM that `clearance bom` writes (cyclonedx-python-lib) is read back into the inventory."""
    from clearance.bom.cyclonedx import to_cyclonedx
    from clearance.usecases.check import check

    client, auth = store
    p = project()
    import json

    bom = json.loads(to_cyclonedx(check([LLAMA2_FINETUNE], ["commercial"], snapshots=[SAMPLE], offline=True)))
    r = client.post(f"{API}/scans", params={"project": p}, json=bom, headers=auth)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["format"] == "cyclonedx"
    added = {(a["id"].lower(), a["kind"]) for a in body["added"]}
    assert (LLAMA2_FINETUNE.lower(), "model") in added
    assert ("meta-llama/llama-2-7b-chat-hf", "model") in added


@pytest.mark.parametrize("doc,message", [
    ([1, 2], "JSON object"),
    ({"hello": "world"}, "neither a scan report"),
    ({"schema_version": max(READABLE_VERSIONS) + 1, "references": []}, "schema_version"),  # one the reader does not know
    ({"schema_version": 1, "references": "x"}, "list"),
    ({"schema_version": 1, "references": [{"id": 3}]}, "references[0].id"),
    ({"schema_version": 1, "references": [{"id": "a/b", "kind": "space"}]}, "kind"),
    ({"bomFormat": "CycloneDX", "components": "x"}, "components"),
])
def test_bad_scan_documents_are_422(client, auth, doc, message):
    r = client.post(f"{API}/scans", params={"project": "p"}, json=doc, headers=auth)
    assert r.status_code == 422 and message in r.json()["detail"], r.text


def test_scan_needs_a_valid_project(client, auth):
    assert client.post(f"{API}/scans", json={"schema_version": 1, "references": []}, headers=auth).status_code == 422
    assert client.post(f"{API}/scans", params={"project": "../x"}, json={"schema_version": 1, "references": []},
                       headers=auth).status_code == 400


DENY_COMMUNITY = 'uses = ["commercial", "research"]\ndeny = ["community"]\n'


def test_policies_crud_and_inventory_status(store):
    client, auth = store
    name = "strict-" + uuid.uuid4().hex[:6]
    p = project()
    client.post(f"{API}/inventory", json={"id": LLAMA2_FINETUNE, "project": p}, headers=auth)

    r = client.post(f"{API}/policies", json={"name": name, "toml": DENY_COMMUNITY}, headers=auth)
    assert r.status_code == 201 and r.json()["active"] is False
    assert client.post(f"{API}/policies", json={"name": name, "toml": ""}, headers=auth).status_code == 409
    assert name in [x["name"] for x in client.get(f"{API}/policies").json()["policies"]]
    assert client.get(f"{API}/policies/{name}").json()["toml"] == DENY_COMMUNITY

    # named explicitly: the llama2 fine-tune fails (llama2 is a community license)
    item = client.get(f"{API}/inventory", params={"project": p, "policy": name}).json()["items"][0]
    assert item["status"]["policy"] == name and item["status"]["passed"] is False
    assert [u["use"] for u in item["status"]["uses"]] == ["commercial", "research"]
    assert any("denied" in f for f in item["status"]["uses"][0]["failures"])
    clr = client.get(f"{API}/models/{LLAMA2_FINETUNE}/clearance", params={"policy": name}).json()
    assert clr["policy"]["passed"] is False and clr["verdict"] == "conditional"
    assert client.get(f"{API}/inventory", params={"policy": "no-such-policy"}).status_code == 404

    # made active: it is the default for inventory status and lookups
    r = client.put(f"{API}/policies/{name}", json={"active": True}, headers=auth)
    assert r.status_code == 200 and r.json()["active"] is True
    assert client.get(f"{API}/inventory", params={"project": p}).json()["policy"] == name
    assert client.get(f"{API}/models/{LLAMA2_FINETUNE}/clearance").json()["policy"]["passed"] is False
    other = "other-" + uuid.uuid4().hex[:6]
    client.post(f"{API}/policies", json={"name": other, "toml": "", "active": True}, headers=auth)
    actives = [x["name"] for x in client.get(f"{API}/policies").json()["policies"] if x["active"]]
    assert actives == [other]  # at most one active

    r = client.put(f"{API}/policies/{name}", json={"toml": 'deny = ["non-commercial"]\n'}, headers=auth)
    assert r.status_code == 200
    item = client.get(f"{API}/inventory", params={"project": p, "policy": name}).json()["items"][0]
    assert item["status"]["passed"] is True  # new text, new verdicts: not a stale cache

    for n in (name, other):
        assert client.delete(f"{API}/policies/{n}", headers=auth).status_code == 204
    assert client.get(f"{API}/policies/{name}").status_code == 404
    assert client.delete(f"{API}/policies/{name}", headers=auth).status_code == 404
    assert client.get(f"{API}/inventory", params={"project": p}).json()["policy"] == "(default)"


@pytest.mark.parametrize("text,message", [
    ("uses = [", "invalid TOML"),
    ('uses = ["military"]', "uses.0"),
    ('colour = "red"', "colour"),
    ('allow = ["not-a-license-xyz"]', "allow"),
    ('[severity]\nnot-a-finding = "off"', "severity"),
    ('[organization]\nterritories = ["XYZ"]', "territories"),
])
def test_policy_validation_errors_are_422_with_the_key(client, auth, text, message):
    r = client.post(f"{API}/policies", json={"name": "bad-" + uuid.uuid4().hex[:6], "toml": text}, headers=auth)
    assert r.status_code == 422 and message in r.json()["detail"], r.text
    v = client.post(f"{API}/policies/validate", json={"toml": text}).json()
    assert v["valid"] is False and message in v["error"]


def test_policy_validate_accepts_a_pyproject_table(client):
    v = client.post(f"{API}/policies/validate", json={"toml": '[tool.clearance]\nallow = ["permissive"]\n'}).json()
    assert v == {"valid": True, "error": None}


def test_policy_bad_names(client, auth):
    assert client.post(f"{API}/policies", json={"name": "../x", "toml": ""}, headers=auth).status_code == 422
    assert client.get(f"{API}/policies/bad%20name").status_code == 400


def test_audit_history_records_every_write(store):
    client, auth = store
    p = project()
    iid = client.post(f"{API}/inventory", json={"id": "audit/me", "project": p}, headers=auth).json()["item_id"]
    client.patch(f"{API}/inventory/{iid}", json={"note": "n"}, headers=auth)
    client.delete(f"{API}/inventory/{iid}", headers=auth)
    entries = [e for e in client.get(f"{API}/audit", params={"limit": 1000}).json()["entries"] if e["target"].startswith(p)]
    assert [e["action"] for e in entries] == ["inventory.delete", "inventory.update", "inventory.add"]
    assert all(e["actor"] in ("test-suite", "pg-suite") for e in entries)
    assert entries[1]["detail"]["changes"] == {"note": "n"}
    assert entries[0]["at"].endswith("+00:00")
