"""`clearance hub report`: a self-contained HTML page with charts, on the bundled snapshot."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from clearance.analytics.report import all_periods, ecosystem_by_category, permissive_share
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
    rows = [{"period": "2024Q1", "period_start": "2024-01-01", "category": "permissive", "models": 30, "downloads": 10},
            {"period": "2024Q1", "period_start": "2024-01-01", "category": "community", "models": 10, "downloads": 30},
            {"period": "2024Q2", "period_start": "2024-04-01", "category": "none", "models": 2, "downloads": 0}]
    assert permissive_share(rows) == [
        {"period": "2024Q1", "period_start": "2024-01-01", "models": 40, "permissive_share": 0.75,
         "permissive_download_share": 0.25, "note": ""},
        {"period": "2024Q2", "period_start": "2024-04-01", "models": 2, "permissive_share": 0.0,
         "permissive_download_share": 0.0, "note": "fewer than 10 models"}]


def test_the_time_axis_keeps_empty_periods():
    import datetime as dt

    d = dt.date
    assert all_periods([d(2022, 1, 1), d(2023, 1, 1)], "quarter") == [
        d(2022, 1, 1), d(2022, 4, 1), d(2022, 7, 1), d(2022, 10, 1), d(2023, 1, 1)]
    assert all_periods([d(2024, 11, 1), d(2025, 2, 1)], "month") == [d(2024, 11, 1), d(2024, 12, 1), d(2025, 1, 1), d(2025, 2, 1)]
    assert all_periods([d(2021, 1, 1), d(2023, 1, 1)], "year") == [d(2021, 1, 1), d(2022, 1, 1), d(2023, 1, 1)]


def test_trends_label_quarters_and_the_report_marks_small_periods(tmp_path, monkeypatch):
    import json

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    runner = CliRunner()
    res = runner.invoke(app, ["hub", "trends", str(SAMPLE), "--by", "quarter", "--format", "json"])
    doc = json.loads(res.stdout)
    assert res.exit_code == 0 and doc["schema_version"] == 2
    first = doc["rows"][0]
    # the sample's first models: one in 2022Q1, two in 2022Q2, none in 2022Q3
    assert (first["period"], first["period_start"], first["period_models"]) == ("2022Q1", "2022-01-01", 1)
    assert {r["period"] for r in doc["rows"]} >= {"2022Q1", "2022Q2", "2022Q4", "2025Q1"}
    assert "2022Q3" not in {r["period"] for r in doc["rows"]}
    years = json.loads(runner.invoke(app, ["hub", "trends", str(SAMPLE), "--by", "year", "--format", "json"]).stdout)
    assert [r["period"] for r in years["rows"]][0] == "2022"
    out = tmp_path / "report"
    assert runner.invoke(app, ["hub", "report", str(SAMPLE), "--out", str(out)]).exit_code == 0
    page = (out / "index.html").read_text()
    assert "<td>2022Q1</td><td>2022-01-01</td><td>1</td>" in page and "fewer than 10 models" in page
    svg = (out / "charts" / "categories.svg").read_text()
    assert "hatched: fewer than 10 models" in svg and ">495<" in svg.replace(" ", "")  # every bar's n, 2025Q1's too
    assert "models (n)" in (out / "charts" / "permissive_share.svg").read_text()


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
