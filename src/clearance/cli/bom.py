"""`clearance bom`: an AI bill of materials, CycloneDX 1.6 or SPDX 3.0."""

from __future__ import annotations

from pathlib import Path

import typer

from clearance.cli import run
from clearance.cli.common import BomFormat, offline_option, project, snapshots_option, write


def bom_cmd(
    argument: str = typer.Argument(..., metavar="PATH|TARGET", help="A project folder to scan, or a model (Hub id, URL, model folder)."),
    fmt: BomFormat = typer.Option(BomFormat.cyclonedx, "--format", "-f", help="cyclonedx (1.6 JSON) or spdx (3.0 JSON-LD)."),
    out_file: Path = typer.Option(None, "--out", "-o", help="Write to this file instead of standard output."),
    name: str = typer.Option(None, "--name", help="The BOM's subject name (default: the folder or target name)."),
    snapshots: list[Path] = snapshots_option(),
    offline: bool = offline_option(),
    lock_file: Path = typer.Option(None, "--lock", help="Revisions from this lock where no source gives one (default: clearance.lock beside PATH)."),
) -> None:
    """An AI bill of materials: every model and dataset, where the code uses it, their lineage,
    licenses and verdicts."""
    from clearance import bom
    from clearance.usecases.lock import locate

    found = project(argument)
    checked = run.run_targets(found.targets, list(run.USES), None, snapshots, offline)
    run.fail_unresolved(checked, found.targets if found.scan is None else [], "the BOM lists it with no license")
    label = name or Path(argument.rstrip("/")).name or "clearance-bom"
    # every reference, published ones included (the BOM marks them), and the lock's revisions
    refs = found.scan.references if found.scan is not None else None
    lock = locate(argument, lock_file)
    write_bom = bom.to_cyclonedx if fmt is BomFormat.cyclonedx else bom.to_spdx3
    write(write_bom(checked, name=label, references=refs, lock=lock), out_file)
