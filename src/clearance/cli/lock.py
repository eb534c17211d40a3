"""`clearance lock`: pin what a project cleared in clearance.lock."""

from __future__ import annotations

from pathlib import Path

import typer

from clearance.cli import run
from clearance.cli.common import (
    ShowFormat,
    UseChoice,
    fail,
    offline_option,
    out,
    policy_option,
    snapshots_option,
    use_option,
)


def lock_cmd(
    arguments: list[str] = typer.Argument(..., metavar="PATH|TARGET...", help="A project folder to scan, or models (Hub ids, URLs, model folders)."),
    out_file: Path = typer.Option(None, "--out", "-o", help="Where to write the lock (default: PATH/clearance.lock for one project folder)."),
    update: bool = typer.Option(False, "--update", help="Rewrite an existing lock and print what changed."),
    use: UseChoice = use_option("The use whose verdict is recorded (default: the policy's uses, else commercial)."),
    policy_file: Path = policy_option("clearance.toml or pyproject.toml (default: found from the first argument up)."),
    snapshots: list[Path] = snapshots_option(),
    offline: bool = offline_option(),
    fmt: ShowFormat = typer.Option(ShowFormat.text, "--format", "-f"),
) -> None:
    """Pin what the project cleared: every model and dataset it uses and every ancestor, with
    revision, licenses, license-file hashes, parents and verdicts, in clearance.lock."""
    import json

    from clearance.lock.diff import changes
    from clearance.lock.fileformat import read, write
    from clearance.policy.load import policy_for
    from clearance.policy.model import Policy
    from clearance.usecases.lock import lock_file_for, make_lock
    from clearance.util.envelope import envelope

    target = lock_file_for(arguments, out_file)
    old = read(target) if target.is_file() else None
    if old is not None and not update:
        fail(f"{target} exists: `clearance lock --update` rewrites it and says what changed")
    first = Path(arguments[0])
    policy = policy_for(policy_file, first if first.is_dir() else Path.cwd()) or Policy()
    uses = (use.value,) if use else tuple(policy.uses)
    run.warn_snapshots(snapshots)
    lock, checked = make_lock(arguments, uses, policy=policy, snapshots=snapshots, offline=offline or None)
    for w in checked.warnings:
        run.say("warning", w)
    found = changes(old, lock) if old is not None else []
    write(lock, target)
    referenced = sum(e.referenced for e in lock.entries.values())
    if fmt is ShowFormat.json:
        out.print_json(json.dumps(envelope(1, lock=str(target), artifacts=len(lock.entries), references=referenced,
                                           changes=[c.to_json() for c in found])))
        return
    out.print(f"{'updated' if old is not None else 'wrote'} {target}: {len(lock.entries)} artifacts "
              f"({referenced} referenced, the rest their ancestors)", highlight=False)
    if old is not None:
        out.print(f"{len(found)} change(s) since the previous lock" + (":" if found else ""), highlight=False)
        for c in found:
            out.print(f"  {c.message}", highlight=False, markup=False)
