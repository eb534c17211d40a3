"""The body of `clearance check` (and the rendering `scan` shares), with no CLI framework:
the Typer command in `cli.py` and the fast launcher (`launcher.py`) both call it, so the two
ways in always print the same thing and exit the same way."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from clearance.engine.values import USES  # noqa: F401 - the command's vocabulary, in one place

FORMATS = ("text", "json", "markdown", "sarif")
DATA_TERMS = ("strict", "lenient")


class CommandError(Exception):
    """A usage or input problem: one line on stderr, exit code 2."""


def load_policy(path: Path | None, start: Path | None = None):
    """The policy in `path`, else the one found from `start` (default: the working folder)
    up, else None."""
    from clearance.kb import default_kb
    from clearance.policy.load import PolicyError, find, load

    found = path or find(start or Path.cwd())
    if found is None:
        return None
    try:
        return load(found, default_kb())
    except PolicyError as exc:
        raise CommandError(str(exc)) from None


def render(run, fmt: str, locations: dict | None = None, extra: dict | None = None) -> None:
    from clearance.formats import results

    if fmt == "json":
        print(results.to_json(run.outcomes, run.warnings, extra))
    elif fmt == "markdown":
        sys.stdout.write(results.to_markdown(run.outcomes, run.warnings))
    elif fmt == "sarif":
        print(results.to_sarif(run.outcomes, locations))
    else:
        sys.stdout.write(results.to_text(run.outcomes, run.warnings, results.wants_color(sys.stdout)))


def run_targets(targets: Sequence[str], uses: Sequence[str], policy, snapshots: Sequence[Path],
                offline: bool, data_terms: str | None = None, depth: int | None = None):
    """`check()` for a command: a source problem becomes a CommandError."""
    from clearance.check import check
    from clearance.sources.interface import SourceError

    try:
        return check(list(targets), list(uses), policy, list(snapshots), offline or None, data_terms, depth=depth)
    except SourceError as exc:
        raise CommandError(str(exc)) from None


def run_check(targets: Sequence[str], use: str | None, policy_file: Path | None, snapshots: Sequence[Path],
              offline: bool, data_terms: str | None, depth: int | None, fmt: str) -> int:
    """Check, print, and return the exit code: 0 when every target passes the policy, 1 when
    any fails. Raises CommandError for what exits 2."""
    from clearance.policy.model import Policy

    policy = load_policy(policy_file) or Policy()
    run = run_targets(targets, [use] if use else policy.uses, policy, snapshots, offline, data_terms, depth)
    render(run, fmt)
    return 0 if run.passed else 1
