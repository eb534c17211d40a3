"""`clearance hub report` given several snapshots: the charts and tables of their history, with
the figures `clearance hub history --format json` gives, above the latest snapshot's report."""

from __future__ import annotations

import json
import re

import pytest
from test_history import SAMPLE, handmade
from typer.testing import CliRunner

from clearance.analytics.report_history import CHARTS, DIRECTIONS
from clearance.cli import app


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def report_and_history(paths, out, *extra):
    runner = CliRunner()
    res = runner.invoke(app, ["hub", "report", *map(str, paths), "--out", str(out), *extra])
    assert res.exit_code == 0, res.output
    doc = runner.invoke(app, ["hub", "history", *map(str, paths), "--format", "json", *extra])
    assert doc.exit_code == 0, doc.output
    return (out / "index.html").read_text(), json.loads(doc.stdout)


def snapshot_row(s: dict) -> str:
    """A snapshot's row of the page's table, formatted here independently of the report."""
    return (f"<tr><td>{s['date']}</td><td>{s['models']:,}</td><td>{s['declared']:,}</td><td>{s['undeclared']:,}</td>"
            f"<td>{s['undeclared_share']:.2%}</td><td>{s['downloads']:,}</td><td>{s['conflicts']:,}</td></tr>")


def svg_text(path) -> str:
    return re.sub(r"\s+", "", path.read_text())


def test_real_snapshots_chart_the_history_and_report_the_latest(shared_data, tmp_path):
    out = tmp_path / "report"
    old = shared_data / "hub-2022-02.jsonl"
    page, doc = report_and_history([SAMPLE, old], out)  # given out of order: the history sorts them by date
    assert [s["date"] for s in doc["snapshots"]] == ["2022-02-15", "2025-04-24"]
    for name in CHARTS:
        assert f"<li>charts/{name}.png: " in page
        assert (out / "charts" / f"{name}.png").stat().st_size > 1000
        assert f'<figcaption>charts/{name}.png, charts/{name}.svg</figcaption>' in page  # inlined
    assert "<h2>History: 2 snapshots, 2022-02-15 to 2025-04-24</h2>" in page
    for s in doc["snapshots"]:
        assert snapshot_row(s) in page
    declared = svg_text(out / "charts" / "history_declared.svg")
    for s in doc["snapshots"]:
        assert f">{100 * s['declared'] / s['models']:.1f}%<" in declared and f">{s['conflicts']:,}<" in declared
    shares = svg_text(out / "charts" / "history_categories.svg")
    assert all(f">{s['models']:,}<" in shares for s in doc["snapshots"])
    # The sections below the history describe the latest snapshot alone: the 2025 sample's 1,532 models.
    assert f"Latest snapshot: {SAMPLE} (2025-04-24)" in page
    assert "<b>1,532</b>models" in page and "<b>30,964</b>" not in page


def test_changes_between_snapshots_are_charted_with_historys_figures(tmp_path):
    out = tmp_path / "report"
    page, doc = report_and_history(handmade(tmp_path), out)
    changes = doc["changes"]
    assert len(changes) == 2 and any(c["relabelled"] for c in changes) and any(c["resolved_conflicts"] for c in changes)
    for c in changes:
        cells = [c["previous"], c["date"], *(f"{c[k]:,}" for k in ("new_models", "deleted_models", "models_in_both",
                 "changed", *DIRECTIONS, "relabelled", "new_conflicts", "resolved_conflicts"))]
        assert "<tr>" + "".join(f"<td>{v}</td>" for v in cells) + "</tr>" in page
    drawn = svg_text(out / "charts" / "history_changes.svg")
    conflicts = svg_text(out / "charts" / "history_conflicts.svg")
    for c in changes:
        assert f"{c['previous']}→{c['date']}" in drawn and f">{c['changed']}<" in drawn
        assert all(f">{c[k]}<" in conflicts for k in ("relabelled", "new_conflicts", "resolved_conflicts"))


def test_one_snapshot_has_no_history_and_bad_dates_are_one_line(tmp_path):
    runner = CliRunner()
    out = tmp_path / "one"
    assert runner.invoke(app, ["hub", "report", str(SAMPLE), "--out", str(out)]).exit_code == 0
    assert not list((out / "charts").glob("history_*")) and "History:" not in (out / "index.html").read_text()
    res = runner.invoke(app, ["hub", "report", str(SAMPLE), "--out", str(out), "--date", "2025-01-01"])
    assert res.exit_code == 2 and "--date" in res.output and "Traceback" not in res.output
    paths = handmade(tmp_path)
    res = runner.invoke(app, ["hub", "report", *map(str, paths), "--out", str(out), "--date", "2024-01-31"])
    assert res.exit_code == 2 and "1 date(s) for 3 snapshot(s)" in res.output and "Traceback" not in res.output
