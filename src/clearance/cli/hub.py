"""`clearance hub ...`: Hub-wide analytics over snapshots, and `hub pull` to make one."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path

import typer

from clearance.cli import run
from clearance.cli.common import ShowFormat, TableFormat, analysis, err, fail, out

app = typer.Typer(help="Hub-wide analytics over snapshots (JSON Lines or Parquet).", no_args_is_help=True)

SnapshotsArg = typer.Argument(..., help="Snapshot files: JSON Lines or Parquet in the Hub API's shape.")


def _emit_rows(rows: list[dict], fmt: TableFormat, title: str, schema_version: int) -> None:
    from clearance.formats import tables as render

    if fmt is TableFormat.json:
        print(render.rows_json(rows, schema_version))
    elif fmt is TableFormat.csv:
        sys.stdout.write(render.rows_csv(rows))
    else:
        out.print(render.rows_table(rows, title))


def _print(parts) -> None:
    for part in parts:
        out.print(part)


def _check_period(by: str) -> None:
    from clearance.analytics.periods import PERIODS

    if by not in PERIODS:
        fail(f"--by {by!r} is not one of: {', '.join(PERIODS)}")


@app.command("stats")
def hub_stats(snapshots: list[Path] = SnapshotsArg, fmt: TableFormat = typer.Option(TableFormat.table, "--format", "-f"),
              top: int = typer.Option(20, help="How many licenses and conflict pairs to list.")) -> None:
    """Models, declared and undeclared licenses, categories, conflicts, commercial verdicts."""
    from clearance.formats import hub as render_hub
    from clearance.formats import tables as render

    stats = analysis(snapshots).stats(top=top)
    if fmt is TableFormat.json:
        print(render_hub.stats_json(stats))
    elif fmt is TableFormat.csv:
        sys.stdout.write(render.rows_csv(render.flatten_stats(stats)))
    else:
        out.print(render.stats_tables(stats))


@app.command("trends")
def hub_trends(snapshots: list[Path] = SnapshotsArg, by: str = typer.Option("quarter", help="month, quarter or year"),
               fmt: TableFormat = typer.Option(TableFormat.table, "--format", "-f")) -> None:
    """Share of each license category among models created per period, also weighted by downloads."""
    _check_period(by)
    # schema 2: periods labelled 2024Q1 (quarters) and 2024 (years); period_start, period_models added
    from clearance.formats.hub import TRENDS_SCHEMA

    _emit_rows(analysis(snapshots).trends(by), fmt, f"License categories by {by} of creation", schema_version=TRENDS_SCHEMA)


@app.command("families")
def hub_families(snapshots: list[Path] = SnapshotsArg, top: int = typer.Option(50),
                 fmt: TableFormat = typer.Option(TableFormat.table, "--format", "-f")) -> None:
    """Per lineage root: derivatives by relation, downloads, and the root's license category."""
    from clearance.formats.hub import FAMILIES_SCHEMA

    _emit_rows(analysis(snapshots).families(top), fmt, "Families by ecosystem size", FAMILIES_SCHEMA)


class LeaderboardFormat(str, Enum):
    text = "text"
    json = "json"
    csv = "csv"


@app.command("leaderboard")
def hub_leaderboard(csv_file: Path = typer.Argument(..., help="An Open LLM Leaderboard CSV export."),
                    snapshots: list[Path] = typer.Option([], "--snapshot", help="Snapshots that describe base models too."),
                    fmt: LeaderboardFormat = typer.Option(LeaderboardFormat.text, "--format", "-f",
                                                          help="text (summary), json (summary and every model) or csv (every model).")) -> None:
    """Commercial usability of leaderboard models after following their lineage."""
    from clearance.analytics.leaderboard import leaderboard
    from clearance.formats import hub as render_hub
    from clearance.formats import tables as render

    if not csv_file.is_file():
        fail(f"{csv_file}: no such file")
    run.warn_snapshots(snapshots)
    with err.status("following leaderboard lineages…"):
        report = leaderboard(csv_file, snapshots)
    if fmt is LeaderboardFormat.json:
        print(render_hub.leaderboard_json(report))
    elif fmt is LeaderboardFormat.csv:
        sys.stdout.write(render.rows_csv(report["models_list"]))
    else:
        _print(render_hub.leaderboard_text(report))


@app.command("diff")
def hub_diff(old: Path = typer.Argument(..., help="The earlier snapshot."), new: Path = typer.Argument(..., help="The later snapshot."),
             top: int = typer.Option(50), fmt: ShowFormat = typer.Option(ShowFormat.text, "--format", "-f")) -> None:
    """License changes between two snapshots: tighter, looser, lateral; and new conflicts."""
    from clearance.analytics.diff import diff
    from clearance.formats import hub as render_hub

    run.warn_snapshots([old, new])
    with err.status("comparing snapshots…"):
        report = diff(old, new, top)
    for w in report["warnings"]:
        run.say("warning", w)
    if fmt is ShowFormat.json:
        print(render_hub.diff_json(report))
    else:
        _print(render_hub.diff_text(report, top))


@app.command("report")
def hub_report(snapshots: list[Path] = SnapshotsArg,
               out_dir: Path = typer.Option(..., "--out", help="Directory to write index.html and charts/ into."),
               leaderboard_csv: Path = typer.Option(None, "--leaderboard", help="An Open LLM Leaderboard CSV to include."),
               by: str = typer.Option("quarter", help="month, quarter or year"),
               dates: list[str] = typer.Option([], "--date", help="Several snapshots: each one's date, in order (default: its newest record's).")) -> None:
    """A self-contained HTML report with charts (PNG and SVG) and tables, readable offline.
    Several snapshots: the charts of their history (as `hub history`), then the latest one's report."""
    from clearance.analytics import report

    _check_period(by)
    if dates and len(snapshots) < 2:
        fail("--date dates the snapshots of a history: give it with two snapshots or more")
    past = None
    if len(snapshots) > 1:  # an empty snapshot is an error here: the history has no date for it
        with err.status("reading the snapshots' history…"):
            snapshots, past = report.latest(snapshots, dates or None)
        for w in past.warnings:  # the latest snapshot's own are said again when it is loaded below
            if not w.startswith(f"{snapshots[0]}:"):
                run.say("warning", w)
    loaded = analysis(snapshots)  # under its own progress line
    try:
        with err.status("drawing charts…"):
            index = report.build(snapshots, out_dir, leaderboard_csv=leaderboard_csv, by=by, analysis=loaded, past=past)
    except OSError as exc:
        fail(f"{out_dir}: cannot write the report ({exc.strerror or exc})")
    out.print(f"wrote {index}")


class AnalyticsEngine(str, Enum):
    duckdb = "duckdb"
    spark = "spark"


EngineOption = typer.Option(AnalyticsEngine.duckdb, "--engine", help="duckdb (embedded) or spark (pip install 'clearance\\[spark]').")
MasterOption = typer.Option(None, "--master", help="Spark master URL (default local[2]).")


@app.command("audit")
def hub_audit(snapshots: list[Path] = SnapshotsArg,
              out_file: Path = typer.Option(..., "--out", help="Parquet file to write, one row per model."),
              engine: AnalyticsEngine = EngineOption, master: str = MasterOption) -> None:
    """One row per model (id, verdict, declared and inherited licenses, findings) for commercial use."""
    # The body is the fast path's too (cli/fast.py): `hub audit` is what runs at Hub scale.
    run.run_hub_audit(snapshots, out_file, engine.value, master, status=err.status)


class PullKind(str, Enum):
    models = "models"
    datasets = "datasets"
    both = "both"


@app.command("pull")
def hub_pull(out_file: Path = typer.Argument(..., metavar="OUT.parquet", help="The Parquet snapshot to write, or to update when it exists."),
             kind: PullKind = typer.Option(PullKind.models, "--kind", help="Which listings: models, datasets or both."),
             since: str = typer.Option(None, "--since", metavar="DATE",
                                       help="Only what changed since DATE (YYYY-MM-DD or an ISO time); "
                                            "default: since the previous pull into OUT, when it exists."),
             resume: bool = typer.Option(False, "--resume", help="Go on with an interrupted pull into OUT from its last saved page."),
             full: bool = typer.Option(False, "--full", help="Read every listing whole, even when OUT exists (rows gone are still marked).")) -> None:
    """Pull the Hub's model (and dataset) listings into a Parquet snapshot, resumably.

    Progress goes to stderr, one line per page; the finished file is replaced only once whole.
    Respects HF_ENDPOINT and HF_TOKEN; refuses to start under HF_HUB_OFFLINE."""
    from clearance.formats.hub import pull_summary
    from clearance.hubpull import pull

    if since is not None and full:
        fail("--since and --full: a full pull reads everything; give one of them")
    when = _moment(since) if since is not None else None
    try:
        report = pull(out_file, kind=kind.value, since=when, resume=resume, full=full,
                      progress=lambda p: err.print(str(p), highlight=False, markup=False))
    except KeyboardInterrupt:
        err.print(f"interrupted: `clearance hub pull {out_file} --resume` goes on from the last saved page", highlight=False)
        raise typer.Exit(130) from None
    err.print(pull_summary(report), highlight=False, markup=False)


def _moment(text: str):
    """--since: a date (YYYY-MM-DD) or an ISO time (a trailing Z is UTC)."""
    from datetime import date, datetime

    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        fail(f"--since {text!r}: expected a date (2025-01-31) or an ISO time (2025-01-31T12:00:00Z)")


@app.command("history")
def hub_history(snapshots: list[Path] = SnapshotsArg,
                engine: AnalyticsEngine = EngineOption, master: str = MasterOption,
                dates: list[str] = typer.Option([], "--date", help="Each snapshot's date, in order (default: its newest record's)."),
                table: str = typer.Option("summary", "--table", help="summary, snapshots, categories, changes, changed_models or conflict_changes (table and csv)."),
                fmt: TableFormat = typer.Option(TableFormat.table, "--format", "-f")) -> None:
    """Licenses over dated snapshots: per snapshot, models, declared and undeclared, category shares
    by count and by downloads, conflicts; between consecutive ones, license changes (tighter,
    looser, lateral), relabelled derivatives, new and resolved conflicts."""
    import json

    from clearance.analytics.history import SCHEMA_VERSION as HISTORY_SCHEMA
    from clearance.analytics.history import TABLES, history

    if table not in TABLES:
        fail(f"--table {table!r} is not one of: {', '.join(TABLES)}")
    result = history(snapshots, engine.value, master, dates or None)
    for w in result.warnings:
        run.say("warning", w)
    if fmt is TableFormat.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        _emit_rows(result.rows(table), fmt, f"Hub history: {table} ({result.engine})", HISTORY_SCHEMA)
