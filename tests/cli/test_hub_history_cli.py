"""`clearance hub history` through the command: the bundled drift pair, dated by hand."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from clearance.cli import app

runner = CliRunner()


def test_history_of_two_dated_snapshots(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    res = runner.invoke(app, ["hub", "history", "data/drift/before.jsonl", "data/drift/after.jsonl",
                              "--date", "2025-04-01", "--date", "2025-05-01", "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["schema_version"] == 1 and doc["engine"] == "duckdb"
    assert [s["date"] for s in doc["snapshots"]] == ["2025-04-01", "2025-05-01"]
    (change,) = doc["changed_models"]
    assert change["id"] == "Falconsai/nsfw_image_detection" and change["direction"] == "tighter"
    assert change["before"] == ["apache-2.0"] and change["after"] == ["cc-by-nc-4.0"]
    csv = runner.invoke(app, ["hub", "history", "data/drift/before.jsonl", "data/drift/after.jsonl", "--format", "csv"])
    assert csv.exit_code == 0 and csv.stdout.splitlines()[0].startswith("date,snapshot,")


def test_history_usage_errors_are_one_line():
    bad = runner.invoke(app, ["hub", "history", "data/drift/before.jsonl", "--date", "2025-01-01", "--date", "2025-02-01"])
    assert bad.exit_code == 2 and "one per snapshot" in bad.output
    table = runner.invoke(app, ["hub", "history", "data/drift/before.jsonl", "--table", "nope"])
    assert table.exit_code == 2 and "--table 'nope'" in table.output
