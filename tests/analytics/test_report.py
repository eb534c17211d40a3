"""`clearance hub report`: a self-contained HTML page with charts, on the bundled snapshot."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from clearance.analytics.report import ecosystem_by_category, permissive_share
from clearance.cli import app

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "hub-2025-sample.jsonl"


def test_report_writes_a_self_contained_page_with_charts(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    out = tmp_path / "report"
    res = CliRunner().invoke(app, ["hub", "report", str(SAMPLE), "--out", str(out)])
    assert res.exit_code == 0, res.output
    page = (out / "index.html").read_text()
    for chart in ("permissive_share", "categories", "top_licenses", "conflicts", "verdicts", "ecosystems"):
        assert (out / "charts" / f"{chart}.png").stat().st_size > 1000
        assert (out / "charts" / f"{chart}.svg").read_text().lstrip().startswith("<?xml")
    assert page.count("<svg") >= 6  # charts inlined: the page reads without the files
    assert not re.search(r"""(src|href)=["']https?://""", page), "nothing is fetched from the network"
    assert "1,532" in page and "apache-2.0 &lt;- llama2" in page


def test_permissive_share_per_period():
    rows = [{"period": "2024-01", "category": "permissive", "models": 3, "downloads": 10},
            {"period": "2024-01", "category": "community", "models": 1, "downloads": 30},
            {"period": "2024-04", "category": "none", "models": 2, "downloads": 0}]
    assert permissive_share(rows) == [
        {"period": "2024-01", "models": 4, "permissive_share": 0.75, "permissive_download_share": 0.25},
        {"period": "2024-04", "models": 2, "permissive_share": 0.0, "permissive_download_share": 0.0}]


def test_ecosystem_by_root_category():
    fams = [{"root_category": "permissive", "derivatives": 10}, {"root_category": "permissive", "derivatives": 2},
            {"root_category": "community", "derivatives": 7}]
    by = {r["root_category"]: r for r in ecosystem_by_category(fams)}
    assert by["permissive"] == {"root_category": "permissive", "roots": 2, "derivatives": 12, "mean_per_root": 6.0, "median_per_root": 6.0}
    assert by["community"]["median_per_root"] == 7


def test_hub_audit_stats_and_diff_commands(tmp_path, monkeypatch):
    import json

    import duckdb

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    runner = CliRunner()
    out = tmp_path / "audit.parquet"
    res = runner.invoke(app, ["hub", "audit", str(SAMPLE), "--out", str(out)])
    assert res.exit_code == 0, res.output
    rows = duckdb.sql(f"select verdict, count(*) from '{out}' group by 1").fetchall()
    assert sum(n for _, n in rows) == 1532 and {v for v, _ in rows} <= {"cleared", "conditional", "blocked", "unknown"}
    stats = json.loads(runner.invoke(app, ["hub", "stats", str(SAMPLE), "--format", "json"]).stdout)
    assert stats["models"] == 1532 and stats["declared"] + stats["undeclared"] == 1532
    # SDXL fine-tunes labelled with SD 1.x's CreativeML OpenRAIL-M drop OpenRAIL++-M, which must
    # travel with derivatives (its 4(b)): the most common relabelling in the sample
    assert stats["conflicts"]["pairs"][0] == {"declared": "creativeml-openrail-m", "inherited": "openrail++", "count": 146}
    assert {"declared": "apache-2.0", "inherited": "llama2", "count": 36} in stats["conflicts"]["pairs"]
    # a newer snapshot in which one model changed its license from llama2 to mit
    lines = SAMPLE.read_text().splitlines()
    changed = [ln.replace('"license": "llama2"', '"license": "mit"').replace("license:llama2", "license:mit")
               if '"id": "Vivian12300/llama-2-7b-chat-hf-mathqa-rationale-2"' in ln else ln for ln in lines]
    new = tmp_path / "new.jsonl"
    new.write_text("\n".join(changed) + "\n")
    diff = runner.invoke(app, ["hub", "diff", str(SAMPLE), str(new), "--format", "json"])
    assert diff.exit_code == 0, diff.output
    assert "Vivian12300/llama-2-7b-chat-hf-mathqa-rationale-2" in diff.stdout
