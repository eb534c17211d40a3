"""Render the reports of `clearance hub`: stats, leaderboard and diff as JSON (versioned
schemas, docs/commands/hub.md) and as text for a terminal; a pull's summary line.

Renderers only arrange what analytics computed. Text comes as a list of Rich renderables,
printed one after the other (`Console.print(*parts)` would join them on one line).
"""

from __future__ import annotations

from typing import Any

from rich.console import RenderableType
from rich.text import Text

from clearance.formats.tables import rows_table
from clearance.util.envelope import dumps

# schema 2 of leaderboard: commercial_share, unknown_reasons and models_list (every model) added;
# examples not cut at 20. Schema 2 of diff: changed_models (every model whose declared license
# changed) and warnings added. Schema 2 of trends: periods labelled 2024Q1 / 2024, period_start and
# period_models added. The server's /api/v1/hub/* answers carry the same versions.
STATS_SCHEMA, LEADERBOARD_SCHEMA, DIFF_SCHEMA, TRENDS_SCHEMA, FAMILIES_SCHEMA = 1, 2, 2, 2, 1


def _json(schema_version: int, report: dict[str, Any]) -> str:
    return dumps(schema_version, report, default=str)


def stats_json(stats: dict[str, Any]) -> str:
    return _json(STATS_SCHEMA, stats)


def leaderboard_json(report: dict[str, Any]) -> str:
    return _json(LEADERBOARD_SCHEMA, report)


def diff_json(report: dict[str, Any]) -> str:
    return _json(DIFF_SCHEMA, report)


def leaderboard_text(report: dict[str, Any]) -> list[RenderableType]:
    """The summary: verdicts after lineage, why the unknown are unknown, how many declared
    licenses that allow commercial use do not once the lineage is followed."""
    c, share = report["commercial"], report["commercial_share"]
    parts: list[RenderableType] = [
        Text(f"{report['models']:,} leaderboard models, commercial use after lineage: "
             + ", ".join(f"{c[v]:,} {v} ({share[v]:.1%})" for v in c))]
    if report["unknown_reasons"]:
        parts.append(Text("unknown, because: " + "; ".join(f"{reason}: {n:,}" for reason, n in report["unknown_reasons"].items())))
    ok = report["declared_license_allows_commercial"]
    flipped = report["declared_ok_but_lineage_blocked_or_unknown"]
    parts.append(Text(f"{ok:,} ({ok / report['models']:.1%}) declare a license that allows commercial use; "
                      f"{flipped:,} of them ({flipped / ok if ok else 0:.1%}) are blocked or unknown once lineage is followed"))
    parts.append(Text("every model with its verdict and reason: --format csv or --format json", style="dim"))
    return parts


def diff_text(report: dict[str, Any], top: int) -> list[RenderableType]:
    """The summary line, the models that changed (the first `top`), new conflicts, transitions."""
    parts: list[RenderableType] = [
        Text(f"{report['models_in_both']:,} models in both snapshots; {report['changed']:,} changed their declared license "
             f"({', '.join(f'{n:,} {d}' for d, n in report['by_direction'].items()) or 'none'}); "
             f"{report['new_conflicts']:,} have new conflicts")]
    changed = report["changed_models"]
    if changed:
        rows = [{"model": c["id"], "before": " ".join(c["before"]) or "(none)", "after": " ".join(c["after"]) or "(none)",
                 "direction": c["direction"]} for c in changed[:top]]
        title = "Models that changed" + (f" (first {top} of {len(changed):,}; --top or --format json for all)"
                                         if len(changed) > top else "")
        parts.append(rows_table(rows, title))
    if report["new_conflict_examples"]:
        parts.append(rows_table([{"model": c["id"], "new conflicts": c["new_conflicts"]}
                                 for c in report["new_conflict_examples"]], "New conflicts"))
    if report["transitions"]:
        parts.append(rows_table(report["transitions"], "License transitions"))
    return parts


def pull_summary(report: Any) -> str:
    """One line for a finished `hubpull.PullReport`."""
    how = "updated" if report.merged else "wrote"
    since = f" since {report.since}" if report.since else ""
    gone = f", {report.removed:,} newly marked deleted" if report.removed else ""
    restored = f", {report.restored:,} listed again" if report.restored else ""
    resumed = ", resumed" if report.resumed else ""
    return (f"{how} {report.out}: {report.rows:,} rows ({report.fetched:,} fetched{since}, {report.kept:,} kept"
            f"{gone}{restored}); {report.pages:,} pages, {report.requests:,} requests, {report.retries:,} retries"
            f"{resumed}, {report.seconds:.1f} s")
