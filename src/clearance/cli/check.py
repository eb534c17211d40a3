"""`clearance check`: the Typer command. The console script runs a plain `check` without
Typer (fast.py); both call `run.run_check`, and a test keeps their options the same."""

from __future__ import annotations

from pathlib import Path

import typer

from clearance.cli import run
from clearance.cli.common import (
    DATA_TERMS_HELP,
    CheckFormat,
    DataTermsChoice,
    UseChoice,
    offline_option,
    policy_option,
    snapshots_option,
    use_option,
    value,
)


def check_cmd(
    targets: list[str] = typer.Argument(..., help="Hub ids (org/name), Hub URLs, or local model folders / GGUF files."),
    use: UseChoice = use_option(),
    policy_file: Path = policy_option("clearance.toml or pyproject.toml (default: found from here up)."),
    snapshots: list[Path] = snapshots_option(),
    offline: bool = offline_option(),
    data_terms: DataTermsChoice = typer.Option(None, "--data-terms", help=DATA_TERMS_HELP),
    depth: int = typer.Option(None, "--depth", help="Follow the lineage at most this many levels."),
    fmt: CheckFormat = typer.Option(CheckFormat.text, "--format", "-f"),
    locked: bool = typer.Option(False, "--locked", help="Compare with clearance.lock: any change since it was written fails."),
    lock_file: Path = typer.Option(None, "--lock", help="The lock to compare with (default: clearance.lock beside the target)."),
) -> None:
    """May you use these models as you intend? Exit 0 when all pass the policy, 1 when any fails."""
    code = run.run_check(targets, value(use), policy_file, snapshots, offline, value(data_terms), depth, fmt.value,
                         locked, lock_file)
    raise typer.Exit(code)
