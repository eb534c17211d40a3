"""`clearance init`: a starter clearance.toml from what the project uses today."""

from __future__ import annotations

from pathlib import Path

import typer

from clearance.cli import run
from clearance.cli.common import fail, offline_option, out, project, snapshots_option, write


def init_cmd(
    path: Path = typer.Argument(Path("."), help="The project folder to scan (default: here)."),
    out_file: Path = typer.Option(None, "--out", "-o", help="Where to write the policy (default: PATH/clearance.toml)."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing policy file."),
    snapshots: list[Path] = snapshots_option(),
    offline: bool = offline_option(),
) -> None:
    """Write a starter clearance.toml from the models and datasets the project uses today."""
    import tomllib

    from clearance.kb import default_kb
    from clearance.usecases.starter import starter_policy

    target = out_file or (path / "clearance.toml" if path.is_dir() else Path("clearance.toml"))
    if target.exists() and not force:
        fail(f"{target} exists: edit it, or pass --force to replace it")
    found = project(str(path))
    if not found.targets:
        run.say("warning", f"no model or dataset references found under {path}: the policy written is a generic starter")
    checked = run.run_targets(found.targets, ["commercial"], None, snapshots, offline)
    missing = run.unresolved(checked)
    if found.targets and len(missing) == len(checked.graphs):
        fail(f"none of the {len(found.targets)} model(s)/dataset(s) {path} uses could be found "
             f"({next(iter(missing.values()))}): a policy written from nothing means nothing; give --snapshot, or run online")
    for message in missing.values():
        run.say("warning", f"{message}; listed as failing")
    text = starter_policy(checked, default_kb(), str(path), found.targets)
    tomllib.loads(text)  # what we write must parse: a bug here must not leave a broken file
    write(text, target)
    out.print(f"{len(found.targets)} model(s)/dataset(s) found; review {target}, then run `clearance scan {path}`", highlight=False)
