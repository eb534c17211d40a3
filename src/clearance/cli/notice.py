"""`clearance notice`: what every upstream license requires you to ship."""

from __future__ import annotations

from pathlib import Path

import typer

from clearance.cli import run
from clearance.cli.common import NoticeFormat, offline_option, project, snapshots_option, write


def notice_cmd(
    targets: list[str] = typer.Argument(..., metavar="PATH|TARGET...", help="Project folders to scan, or models you ship (Hub ids, URLs, model folders)."),
    snapshots: list[Path] = snapshots_option(),
    offline: bool = offline_option(),
    fmt: NoticeFormat = typer.Option(NoticeFormat.text, "--format", "-f"),
    out_file: Path = typer.Option(None, "--out", "-o", help="Write to this file instead of standard output."),
) -> None:
    """The notices, license copies, attribution and restrictions every upstream license requires."""
    from clearance.kb import default_kb
    from clearance.usecases import notice

    found = [project(argument) for argument in targets]
    expanded = [t for f in found for t in f.targets]
    checked = run.run_targets(list(dict.fromkeys(expanded)), ["redistribution"], None, snapshots, offline)
    run.fail_unresolved(checked, [t for f in found if f.scan is None for t in f.targets], "the notice lacks its terms")
    built = notice.build_notice(checked, default_kb())
    write(notice.render(built, fmt.value), out_file)
