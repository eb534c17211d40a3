"""`clearance hub report --out DIR`: one self-contained HTML page with charts and tables.

Everything comes from `HubAnalysis` (and the leaderboard module when a CSV is given); this
module only draws. Given several snapshots, the page opens with the charts of their history
(`analytics.history`, drawn by `report_history`), and the rest describes the latest snapshot. Charts are written as PNG and SVG under DIR/charts/ and the SVG is inlined
into DIR/index.html, so the page reads offline, without a server and without the files.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import statistics
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from clearance.analytics import report_history
from clearance.analytics.history import HistoryResult, history
from clearance.analytics.hub import HubAnalysis
from clearance.analytics.periods import DEFAULT_PERIOD, MONTHS, period_days
from clearance.engine.compat import OPEN_CATEGORIES
from clearance.util.version import __version__

OPEN = OPEN_CATEGORIES
_CATEGORY_ORDER = ("permissive", "public-domain", "weak-copyleft", "copyleft", "responsible-ai", "community",
                   "non-commercial", "proprietary", "unknown", "unresolved", "none")


def _plt():
    import matplotlib

    matplotlib.use("Agg")  # files only: no display on a server or in CI
    import matplotlib.pyplot as plt

    plt.rcParams.update({"figure.dpi": 100, "svg.fonttype": "none", "axes.spines.top": False, "axes.spines.right": False})
    return plt


class _Charts:
    def __init__(self, out: Path) -> None:
        self.dir = out / "charts"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.svg: dict[str, str] = {}

    def save(self, name: str, fig) -> None:
        plt = _plt()
        fig.tight_layout()
        fig.savefig(self.dir / f"{name}.png")
        buf = io.StringIO()
        # Reproducible SVG (the committed docs/hub-report is regenerated, not hand-edited): no
        # date, and element ids salted with the chart's name instead of a random one, so they
        # are the same from run to run and still distinct between the charts inlined in one page.
        with plt.rc_context({"svg.hashsalt": f"clearance-{name}"}):
            fig.savefig(buf, format="svg", metadata={"Date": None})  # rendered once: written to the file and inlined
        text = buf.getvalue()
        (self.dir / f"{name}.svg").write_text(text, encoding="utf-8")
        self.svg[name] = text[text.index("<svg"):]  # drop the XML prologue to inline it
        plt.close(fig)


# A period with fewer models than this gives a share that swings between 0% and 100% on one or
# two models: the charts mark it (hollow, hatched) and print its n, the tables say so.
SMALL_PERIOD = 10
_SMALL_NOTE = f"fewer than {SMALL_PERIOD} models"


def permissive_share(trends: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per period: models created, the share of them declaring a permissive or public-domain
    license, and the same weighted by downloads; `note` marks a period too small to read."""
    per: dict[str, dict[str, Any]] = defaultdict(lambda: {"models": 0, "open": 0, "downloads": 0, "open_downloads": 0})
    for row in trends:
        p = per[row["period"]]
        p["start"] = row.get("period_start")
        p["models"] += row["models"]
        p["downloads"] += row["downloads"] or 0
        if row["category"] in OPEN:
            p["open"] += row["models"]
            p["open_downloads"] += row["downloads"] or 0
    return [{"period": k, "period_start": v["start"], "models": int(v["models"]),
             "permissive_share": round(v["open"] / v["models"], 4) if v["models"] else 0.0,
             "permissive_download_share": round(v["open_downloads"] / v["downloads"], 4) if v["downloads"] else 0.0,
             "note": _SMALL_NOTE if v["models"] < SMALL_PERIOD else ""}
            for k, v in sorted(per.items())]


def all_periods(starts: Sequence[dt.date], by: str) -> list[dt.date]:
    """Every period from the first start to the last, empty ones included: a true time axis."""
    if not starts:
        return []
    step = MONTHS[by]
    first, last = min(starts), max(starts)
    out, y, m = [], first.year, first.month
    while dt.date(y, m, 1) <= last:
        out.append(dt.date(y, m, 1))
        m += step
        y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
    return out


def ecosystem_by_category(families: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per root license category: roots, derivatives in all, mean and median per root."""
    groups: dict[str, list[int]] = defaultdict(list)
    for f in families:
        groups[f["root_category"]].append(int(f["derivatives"]))
    out = []
    for cat, sizes in groups.items():
        out.append({"root_category": cat, "roots": len(sizes), "derivatives": sum(sizes),
                    "mean_per_root": round(sum(sizes) / len(sizes), 2), "median_per_root": statistics.median(sizes)})
    return sorted(out, key=lambda r: -r["derivatives"])


def latest(snapshots: Sequence[Path], dates: Sequence[str | dt.date | None] | None = None
           ) -> tuple[list[Path], HistoryResult | None]:
    """What the report describes: one snapshot as given; of several, the latest by date (the
    history's dating: `dates`, else each file's newest record) and the history of them all."""
    if len(snapshots) < 2:
        return list(snapshots), None
    past = history(list(snapshots), dates=dates)
    return [Path(past.snapshots[-1]["snapshot"])], past


def build(snapshots: Sequence[Path], out: Path, *, leaderboard_csv: Path | None = None, by: str = DEFAULT_PERIOD,
          top: int = 20, analysis: HubAnalysis | None = None, past: HistoryResult | None = None) -> Path:
    """The report of `snapshots` in `out`. Several snapshots: pass the latest as `snapshots` and
    their history as `past` (`latest()` gives both), or pass them all and the history is run here."""
    if past is None and len(snapshots) > 1:
        snapshots, past = latest(snapshots)
    hub = analysis or HubAnalysis(list(snapshots))
    stats = hub.stats(top=top)
    trends = hub.trends(by)
    share = permissive_share(trends)
    families = hub.families(top=100_000)
    eco = ecosystem_by_category(families)
    board = None
    if leaderboard_csv is not None:
        from clearance.analytics.leaderboard import leaderboard

        board = leaderboard(leaderboard_csv, list(snapshots))
    out.mkdir(parents=True, exist_ok=True)
    charts = _Charts(out)
    verdicts = stats[hub.use]  # stats() reports the verdicts under the analysed use's name
    _draw(charts, stats, verdicts, trends, share, eco, board, by)
    if past is not None:
        report_history.draw(_plt(), charts.save, past, _CATEGORY_ORDER)
    page = _page(snapshots, stats, verdicts, share, families[:top], eco, board, charts.svg, by, past)
    index = out / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _draw(charts: _Charts, stats, verdicts, trends, share, eco, board, by: str = DEFAULT_PERIOD) -> None:
    plt = _plt()
    days = period_days(by) * 0.8  # a bar's width on the date axis
    if share:
        starts = all_periods([_as_date(r["period_start"]) for r in share], by)
        at = {_as_date(r["period_start"]): r for r in share}
        fig, (ax, axn) = plt.subplots(2, 1, figsize=(8, 4.6), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
        for key, marker, label in (("permissive_share", "o", "share of models"),
                                   ("permissive_download_share", "s", "share of downloads")):
            # an empty period breaks the line (NaN) instead of joining its neighbours
            ys = [at[d][key] * 100 if d in at else float("nan") for d in starts]
            line, = ax.plot(starts, ys, marker=marker, markersize=4, label=label)
            small = [(d, at[d][key] * 100) for d in starts if d in at and at[d]["models"] < SMALL_PERIOD]
            if small:
                ax.plot([d for d, _ in small], [y for _, y in small], linestyle="none", marker=marker, markersize=7,
                        markerfacecolor="white", markeredgecolor=line.get_color())
        ax.plot([], [], linestyle="none", marker="o", markerfacecolor="white", markeredgecolor="grey",
                label=f"hollow: {_SMALL_NOTE}")
        ax.set_ylabel("permissive or\npublic domain (%)")
        ax.set_ylim(0, 100)
        ax.legend(frameon=False, fontsize=7)
        ax.set_title("Permissive share of the models created per period")
        _counts(axn, starts, at, days)
        charts.save("permissive_share", fig)
    if trends:
        cats = [c for c in _CATEGORY_ORDER if any(r["category"] == c for r in trends)]
        cats += sorted({r["category"] for r in trends} - set(cats))
        by_period: dict[dt.date, dict[str, float]] = defaultdict(dict)
        n: dict[dt.date, int] = defaultdict(int)
        for r in trends:
            d = _as_date(r["period_start"])
            by_period[d][r["category"]] = by_period[d].get(r["category"], 0) + r["share"] * 100
            n[d] += r["models"]
        periods = sorted(by_period)
        from matplotlib.patches import Patch

        fig, ax = plt.subplots(figsize=(8, 3.8))
        bottom = [0.0] * len(periods)
        small = [n[d] < SMALL_PERIOD for d in periods]
        handles = []
        for cat in cats:
            vals = [by_period[d].get(cat, 0.0) for d in periods]
            bars = ax.bar(periods, vals, width=days, bottom=bottom)
            handles.append(Patch(facecolor=bars.patches[0].get_facecolor(), label=cat))  # unhatched, whatever the first bar
            for bar, is_small in zip(bars, small):
                if is_small:  # faded and hatched: too few models for the share to mean much
                    bar.set_alpha(0.35)
                    bar.set_hatch("///")
            bottom = [b + v for b, v in zip(bottom, vals)]
        for d, is_small in zip(periods, small):
            ax.text(d, 101, f"{n[d]:,}", ha="center", va="bottom", rotation=90, fontsize=5.5,
                    color="#b03030" if is_small else "#555")
        ax.set_ylim(0, 118)
        ax.set_ylabel("% of models created")
        ax.set_title(f"License categories of the models created per period (n above each bar; hatched: {_SMALL_NOTE})",
                     fontsize=9)
        ax.legend(handles=handles, fontsize=7, ncol=4, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.18))
        charts.save("categories", fig)
    _bars(charts, "top_licenses", "Declared licenses (as written on the card)",
          [(r["license"], r["count"]) for r in stats["top_licenses"]])
    _bars(charts, "conflicts", "License conflicts: declared <- inherited",
          [(f"{r['declared']} <- {r['inherited']}", r["count"]) for r in stats["conflicts"]["pairs"]])
    _bars(charts, "verdicts", "Commercial use, after following the lineage", list(verdicts.items()))
    _bars(charts, "ecosystems", "Mean derivatives per lineage root, by the root's license category",
          [(r["root_category"], r["mean_per_root"]) for r in eco])
    if board:
        _bars(charts, "leaderboard", "Open LLM Leaderboard: commercial use after lineage", list(board["commercial"].items()))


def _counts(ax, starts: Sequence[dt.date], at: dict, days: float) -> None:
    """Models created per period, on the same true time axis, small periods in red."""
    xs = [d for d in starts if d in at]
    ns = [at[d]["models"] for d in xs]
    ax.bar(xs, ns, width=days, color=["#b03030" if v < SMALL_PERIOD else "#4a7ab5" for v in ns])
    ax.set_yscale("log")
    ax.set_ylabel("models (n)")
    ax.tick_params(axis="x", labelrotation=45, labelsize=7)


def _bars(charts: _Charts, name: str, title: str, items: list[tuple[str, float]]) -> None:
    if not items:
        return
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(items) + 1.2))
    labels = [str(k) for k, _ in items][::-1]
    ax.barh(labels, [v for _, v in items][::-1], color="#4a7ab5")
    for i, (_, v) in enumerate(items[::-1]):
        ax.text(v, i, f" {v:,}" if isinstance(v, int) else f" {v:g}", va="center", fontsize=8)
    ax.tick_params(axis="y", labelsize=8)
    ax.set_title(title)
    charts.save(name, fig)


def _table(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    if not rows:
        return "<p><em>none</em></p>"
    cols = list(columns or rows[0].keys())
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_fmt(r.get(c)))}</td>" for c in cols) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.2%}" if 0 <= v <= 1 else f"{v:,.2f}"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, (list, tuple)):
        return ", ".join(map(str, v))
    return "" if v is None else str(v)


def _page(snapshots, stats, verdicts, share, families, eco, board, svg: dict[str, str], by: str,
          past: HistoryResult | None = None) -> str:
    def chart(name: str) -> str:
        return f'<figure>{svg[name]}<figcaption>charts/{name}.png, charts/{name}.svg</figcaption></figure>' if name in svg else ""

    undeclared_share = stats["undeclared"] / stats["models"] if stats["models"] else 0.0
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Clearance Hub report</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}"
        "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border-bottom:1px solid #ddd;padding:.25em .6em;text-align:left;font-size:.9em}"
        "figure{margin:1em 0}figure svg{max-width:100%;height:auto}figcaption{color:#777;font-size:.8em}"
        ".kpi{display:inline-block;margin:0 1.5em 1em 0}.kpi b{display:block;font-size:1.6em}</style></head><body>",
        "<h1>Hub license report</h1>",
        f"<p>{'Latest snapshot' if past else 'Snapshots'}: {html.escape(', '.join(str(p) for p in snapshots))}"
        f"{' (' + past.snapshots[-1]['date'].isoformat() + ')' if past else ''}. Generated by Clearance {__version__} on "
        f"{dt.date.today().isoformat()}. Verdicts are for commercial use by an organisation with no declared size.</p>",
        f"<div><span class='kpi'><b>{stats['models']:,}</b>models</span>"
        f"<span class='kpi'><b>{undeclared_share:.1%}</b>declare no license</span>"
        f"<span class='kpi'><b>{stats['conflicts']['total']:,}</b>declare a license their lineage does not allow</span>"
        f"<span class='kpi'><b>{verdicts['cleared'] + verdicts['conditional']:,}</b>usable commercially (cleared or conditional)</span></div>",
        *(report_history.section(past, chart, _table) if past else []),
        f"<h2>Permissive share by {html.escape(by)}</h2>", chart("permissive_share"),
        _table(share), chart("categories"),
        "<h2>Licenses</h2>", chart("top_licenses"),
        _table([{"category": k, "models": v} for k, v in stats["by_category"].items()]),
        "<h2>Commercial use after lineage</h2>", chart("verdicts"), _table([verdicts]),
        "<h2>Conflicts</h2>", chart("conflicts"), _table(stats["conflicts"]["pairs"]),
        "<h2>Ecosystems: derivatives per lineage root</h2>", chart("ecosystems"), _table(eco),
        _table(families, ["root", "root_license", "root_category", "derivatives", "finetunes", "quantized", "merges",
                          "adapters", "root_downloads", "derivative_downloads"]),
    ]
    if board:
        parts += ["<h2>Open LLM Leaderboard</h2>", chart("leaderboard"),
                  f"<p>{board['models']:,} models; {board['declared_license_allows_commercial']:,} declare a license that allows "
                  f"commercial use, and {board['declared_ok_but_lineage_blocked_or_unknown']:,} of those are blocked or unknown "
                  "once their lineage is followed.</p>", _table([board["commercial"]]), _table(board["examples"])]
    parts.append("</body></html>\n")
    return "\n".join(parts)
