"""`clearance hub` reports rendered: the JSON schemas' versions and the text summaries."""

from __future__ import annotations

import io
import json
from pathlib import Path

from rich.console import Console

from clearance.formats import hub


def _text(parts) -> str:
    console = Console(width=200, record=True, file=io.StringIO(), soft_wrap=True)
    for part in parts:
        console.print(part)
    return console.export_text()


def test_json_schema_versions():
    assert json.loads(hub.stats_json({"models": 1}))["schema_version"] == 1
    assert json.loads(hub.leaderboard_json({"models": 1}))["schema_version"] == 2
    assert list(json.loads(hub.diff_json({"changed": 0}))) == ["schema_version", "changed"]


def test_leaderboard_text():
    report = {"models": 4, "commercial": {"cleared": 1, "blocked": 1, "unknown": 2},
              "commercial_share": {"cleared": 0.25, "blocked": 0.25, "unknown": 0.5},
              "unknown_reasons": {"no license declared": 2}, "declared_license_allows_commercial": 2,
              "declared_ok_but_lineage_blocked_or_unknown": 1}
    assert _text(hub.leaderboard_text(report)).splitlines() == [
        "4 leaderboard models, commercial use after lineage: 1 cleared (25.0%), 1 blocked (25.0%), 2 unknown (50.0%)",
        "unknown, because: no license declared: 2",
        "2 (50.0%) declare a license that allows commercial use; 1 of them (50.0%) are blocked or unknown once lineage is followed",
        "every model with its verdict and reason: --format csv or --format json"]


def test_diff_text_cuts_the_changed_models_at_top():
    changed = [{"id": f"m/{i}", "before": ["mit"], "after": [], "direction": "removed"} for i in range(3)]
    report = {"models_in_both": 5, "changed": 3, "by_direction": {"removed": 3}, "new_conflicts": 0,
              "changed_models": changed, "new_conflict_examples": [], "transitions": []}
    text = _text(hub.diff_text(report, top=2))
    assert text.startswith("5 models in both snapshots; 3 changed their declared license (3 removed); 0 have new conflicts\n")
    assert "Models that changed (first 2 of 3; --top or --format json for all)" in text
    assert "m/1" in text and "m/2" not in text


def test_pull_summary():
    from clearance.hubpull import PullReport

    report = PullReport(out=Path("hub.parquet"), kind="models", mode="since", merged=True, since="2026-01-01T00:00:00.000Z",
                        rows=10, fetched=3, kept=7, replaced=2, removed=1, restored=0, duplicates=0, skipped=0, pages=2,
                        requests=4, retries=0, resumed=False, seconds=1.25)
    assert hub.pull_summary(report) == ("updated hub.parquet: 10 rows (3 fetched since 2026-01-01T00:00:00.000Z, 7 kept, "
                                        "1 newly marked deleted); 2 pages, 4 requests, 0 retries, 1.2 s")
