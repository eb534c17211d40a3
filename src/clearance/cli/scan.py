"""`clearance scan`: the models and datasets a codebase uses, checked. The report's JSON is
`formats.scanreport`'s."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from clearance.cli import run
from clearance.cli.common import (
    DATA_TERMS_HELP,
    CheckFormat,
    DataTermsChoice,
    UseChoice,
    fail,
    offline_option,
    policy_option,
    snapshots_option,
    use_option,
    value,
)


def scan_cmd(
    path: Path = typer.Argument(..., help="A project folder (or one file) to find model and dataset references in."),
    diff: str = typer.Option(None, "--diff", help="Only references on lines added since this git revision (for pull requests)."),
    use: UseChoice = use_option(),
    policy_file: Path = policy_option("clearance.toml or pyproject.toml (default: found from PATH up)."),
    snapshots: list[Path] = snapshots_option(),
    offline: bool = offline_option(),
    data_terms: DataTermsChoice = typer.Option(None, "--data-terms", help=DATA_TERMS_HELP),
    fmt: CheckFormat = typer.Option(CheckFormat.text, "--format", "-f"),
    locked: bool = typer.Option(False, "--locked", help="Compare with PATH/clearance.lock: any change since it was written fails."),
    lock_file: Path = typer.Option(None, "--lock", help="The lock to compare with (default: PATH/clearance.lock)."),
) -> None:
    """Find the models and datasets a codebase uses, then check them. Exit codes as `check`."""
    from clearance.formats import results, scanreport
    from clearance.policy.load import policy_for
    from clearance.policy.model import Policy
    from clearance.scan import added_lines, scan_path
    from clearance.usecases.check import CheckRun
    from clearance.usecases.project import from_scan

    if not path.exists():
        fail(f"{path}: no such file or folder")
    only = added_lines(path, diff) if diff else None
    report = scan_path(path, only_lines=only)
    locations = from_scan(report).locations
    policy = policy_for(policy_file, path if path.is_dir() else path.parent) or Policy()
    uses = [use.value] if use else list(policy.uses)
    lock = run.load_lock(locked, lock_file, str(path))
    checked = run.run_targets(list(locations), uses, policy, snapshots, offline, value(data_terms),
                              lock=lock) if locations else CheckRun([], [])
    checked.warnings[:0] = report.warnings
    if fmt is CheckFormat.json:
        for w in checked.warnings:
            run.say("warning", w)
        print(scanreport.to_json(report, checked.outcomes, checked.warnings))
    elif fmt is CheckFormat.text:
        sys.stdout.write(results.to_plain(scanreport.summary_lines(report, len(locations), str(path), diff),
                                          results.wants_color(sys.stdout)))
        missing = run.unresolved(checked)
        if checked.outcomes and len(missing) == len(checked.graphs):
            # nothing resolved: one hint, not one identical UNKNOWN block per reference
            for w in checked.warnings:
                run.say("warning", w)
            run.say("error", f"none of the {len(missing)} model(s) and dataset(s) could be resolved"
                    + ("; offline, pass --snapshot FILE (a Hub snapshot) or go online" if offline or not snapshots
                       else f" from {', '.join(str(s) for s in snapshots)}"))
        else:
            run.render(checked, fmt.value, locations)
        print(results.summary_line(checked.outcomes, len(report.references)))
    else:
        run.render(checked, fmt.value, locations)
    raise typer.Exit(0 if checked.passed else 1)
