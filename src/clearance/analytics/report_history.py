"""The history part of `clearance hub report` given several snapshots: charts and tables of the
series `hub history` computes (`analytics.history.history`); nothing is computed here.

Per snapshot: each license category's share by count and by downloads, the declared share and
the models with a conflict. Between consecutive snapshots: license changes by direction
(tighter, looser, lateral, added, removed), relabelled derivatives, conflicts new and resolved.
Snapshots sit at even steps on the x axis, labelled by date (their spacing need not be even).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from clearance.analytics.history import HistoryResult

DIRECTIONS = ("tighter", "looser", "lateral", "added", "removed")
SNAPSHOT_COLUMNS = ("date", "models", "declared", "undeclared", "undeclared_share", "downloads", "conflicts")
CHANGE_COLUMNS = ("previous", "date", "new_models", "deleted_models", "models_in_both", "changed", *DIRECTIONS,
                  "relabelled", "new_conflicts", "resolved_conflicts")


def _categories(key: str) -> Callable[..., Any]:
    """The chart of each license category's share per snapshot, by `key` ("share": of models,
    "download_share": of downloads)."""

    def chart(plt, title: str, result: HistoryResult, category_order: tuple[str, ...]):
        snaps = result.rows("snapshots")
        dates = [s["date"] for s in snaps]
        cats = result.rows("categories")
        names = [c for c in category_order if any(r["category"] == c for r in cats)]
        names += sorted({r["category"] for r in cats} - set(names))
        share = {(r["date"], r["category"]): r[key] * 100 for r in cats}
        fig, ax = plt.subplots(figsize=(8, 3.8))
        bottom = [0.0] * len(dates)
        for cat in names:
            vals = [share.get((d, cat), 0.0) for d in dates]
            ax.bar(range(len(dates)), vals, bottom=bottom, label=cat, width=0.7)
            bottom = [b + v for b, v in zip(bottom, vals)]
        totals = [s["models"] for s in snaps] if key == "share" else [s["downloads"] for s in snaps]
        for i, n in enumerate(totals):
            ax.text(i, 101, f"{n:,}", ha="center", va="bottom", fontsize=6.5, color="#555")
        _dates_axis(ax, dates)
        ax.set_ylim(0, 112)
        ax.set_ylabel("% of models" if key == "share" else "% of downloads")
        ax.set_title(title + (" (n above each bar)" if key == "share" else " (downloads above each bar)"), fontsize=9)
        ax.legend(fontsize=7, ncol=4, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.22))
        return fig

    return chart


def _declared(plt, title: str, result: HistoryResult, category_order: tuple[str, ...]):
    snaps = result.rows("snapshots")
    dates = [s["date"] for s in snaps]
    fig, (ax, axc) = plt.subplots(2, 1, figsize=(8, 4.6), sharex=True)
    declared = [100 * s["declared"] / s["models"] if s["models"] else 0.0 for s in snaps]
    ax.plot(range(len(dates)), declared, marker="o", markersize=4)
    for i, v in enumerate(declared):
        ax.text(i, v + 3, f"{v:.1f}%", ha="center", fontsize=7)
    ax.set_ylim(0, 110)
    ax.set_ylabel("declare a\nlicense (%)")
    ax.set_title(title, fontsize=9)
    conflicts = [s["conflicts"] for s in snaps]
    axc.bar(range(len(dates)), conflicts, width=0.6, color="#b03030")
    for i, n in enumerate(conflicts):
        axc.text(i, n, f"{n:,}", ha="center", va="bottom", fontsize=7)
    axc.set_ylabel("models with\na conflict")
    axc.set_ylim(0, max(conflicts + [1]) * 1.25)
    _dates_axis(axc, dates)
    return fig


def _steps(changes: list[dict[str, Any]]) -> list[str]:
    return [f"{c['previous']} → {c['date']}" for c in changes]


def _changes(plt, title: str, result: HistoryResult, category_order: tuple[str, ...]):
    changes = result.rows("changes")
    fig, ax = plt.subplots(figsize=(8, 3.6))
    bottom = [0] * len(changes)
    for d in DIRECTIONS:
        vals = [c[d] for c in changes]
        ax.bar(range(len(changes)), vals, bottom=bottom, label=d, width=0.6)
        bottom = [b + v for b, v in zip(bottom, vals)]
    for i, c in enumerate(changes):
        ax.text(i, c["changed"], f"{c['changed']:,}", ha="center", va="bottom", fontsize=7)
    ax.set_ylim(0, max(bottom + [1]) * 1.2)
    ax.set_ylabel("models whose\nlicense changed")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, ncol=5, frameon=False)
    _dates_axis(ax, _steps(changes))
    return fig


def _conflicts(plt, title: str, result: HistoryResult, category_order: tuple[str, ...]):
    changes = result.rows("changes")
    fig, ax = plt.subplots(figsize=(8, 3.6))
    series = (("relabelled", "relabelled derivatives", "#7a4ab5"), ("new_conflicts", "new conflicts", "#b03030"),
              ("resolved_conflicts", "resolved conflicts", "#4a9a5a"))
    width = 0.8 / len(series)
    top = 1
    for k, (key, label, color) in enumerate(series):
        xs = [i + (k - 1) * width for i in range(len(changes))]
        vals = [c[key] for c in changes]
        ax.bar(xs, vals, width=width, label=label, color=color)
        for x, v in zip(xs, vals):
            ax.text(x, v, f"{v:,}", ha="center", va="bottom", fontsize=6.5)
        top = max(top, *vals)
    ax.set_ylim(0, top * 1.25)
    ax.set_ylabel("models")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, ncol=3, frameon=False)
    _dates_axis(ax, _steps(changes))
    return fig


@dataclass(frozen=True)
class Chart:
    name: str  # charts/NAME.png and .svg
    title: str  # what it shows
    between: bool  # of the changes between consecutive snapshots: drawn only when there are some
    draw: Callable[..., Any]  # (plt, title, result, category_order) -> the matplotlib figure


# The charts, in the page's order: the one table that `draw` draws and `section` lists and inlines.
SPECS = (
    Chart("history_categories", "License categories per snapshot, by count of models", False, _categories("share")),
    Chart("history_download_categories", "License categories per snapshot, by downloads", False,
          _categories("download_share")),
    Chart("history_declared", "Share of models declaring a license, and models with a conflict, per snapshot", False,
          _declared),
    Chart("history_changes", "License changes between consecutive snapshots, by direction", True, _changes),
    Chart("history_conflicts", "Relabelled derivatives, new and resolved conflicts between consecutive snapshots",
          True, _conflicts),
)
CHARTS = {c.name: c.title for c in SPECS}  # name -> what it shows


def drawn(result: HistoryResult) -> list[Chart]:
    """The charts `result` has figures for, in the page's order."""
    return [c for c in SPECS if not c.between or result.changes]


def draw(plt, save: Callable[[str, Any], None], result: HistoryResult, category_order: tuple[str, ...]) -> None:
    """Draws the charts of `drawn(result)` with matplotlib's `plt` and hands each figure to `save(name, fig)`."""
    for chart in drawn(result):
        save(chart.name, chart.draw(plt, chart.title, result, category_order))


def _dates_axis(ax, labels: list[str]) -> None:
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, rotation=45 if len(labels) > 4 or any("→" in s for s in labels) else 0,
                       ha="right" if len(labels) > 4 or any("→" in s for s in labels) else "center", fontsize=7)


def section(result: HistoryResult, chart: Callable[[str], str], table: Callable[..., str]) -> list[str]:
    """The page's history section: each chart (inlined by `chart(name)`) and the figures drawn."""
    snaps = result.rows("snapshots")
    first, last = snaps[0], snaps[-1]
    charts = drawn(result)
    parts = [
        f"<h2>History: {len(snaps)} snapshots, {html.escape(first['date'])} to {html.escape(last['date'])}</h2>",
        "<p>From <code>clearance hub history</code> (the same figures as its <code>--format json</code>). "
        "Each snapshot is dated " + ", ".join(
            f"{html.escape(s['date'])} ({html.escape(s['dated_by'])}: {html.escape(s['snapshot'])})" for s in snaps)
        + ". The sections after this one describe the latest snapshot.</p>",
        "<ul>" + "".join(f"<li>charts/{c.name}.png: {html.escape(c.title)}</li>" for c in charts) + "</ul>",
        *(chart(c.name) for c in charts if not c.between),
        table(snaps, SNAPSHOT_COLUMNS),
    ]
    if result.changes:
        parts += [*(chart(c.name) for c in charts if c.between), table(result.rows("changes"), CHANGE_COLUMNS)]
    for w in result.warnings:
        parts.append(f"<p><em>warning: {html.escape(w)}</em></p>")
    return parts
