"""AI bills of materials for `clearance bom`: CycloneDX 1.6 JSON and SPDX 3.0.1 JSON-LD.

    found = clearance.usecases.project.resolve("examples/support-bot")
    run = clearance.usecases.check.check(found.targets, uses, snapshots=[...], offline=True)
    text = to_cyclonedx(run, name="my-product",      # or to_spdx3(run, name=..., ...)
                        references=found.scan.references if found.scan else None,
                        lock=clearance.usecases.lock.locate("examples/support-bot"))

Both list every model and dataset of every subject's lineage, each once (see `inventory`),
with its licenses, its lineage and, for the subjects, Clearance's verdict per use, findings and
obligations. Nothing here decides anything: the BOM only arranges what the run found. What no
source could resolve is listed with what is known (its id and kind), never dropped.

`references` (optional): the project scan's references; each becomes an occurrence (file,
line) of the artifact it names, and what the project only publishes (`role: produced`) is
listed apart from the dependencies. `lock` (optional): a `clearance.lock` (`Lock` or path)
whose revisions stand in where no source gave one.

The writers import their libraries (cyclonedx-python-lib, spdx-python-model) only when called.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from clearance.formats import names

if TYPE_CHECKING:
    from clearance.lock.model import Lock
    from clearance.scan import Reference
    from clearance.usecases.check import CheckRun

__all__ = ["FORMATS", "to_cyclonedx", "to_spdx3"]

FORMATS = names.BOM


def to_cyclonedx(run: CheckRun, *, name: str = "clearance-bom", references: Iterable[Reference] | None = None,
                 lock: Lock | str | Path | None = None) -> str:
    """The run as a CycloneDX 1.6 JSON BOM (text)."""
    from clearance.bom.cyclonedx import to_cyclonedx as write

    return write(run, name=name, references=references, lock=lock)


def to_spdx3(run: CheckRun, *, name: str = "clearance-bom", references: Iterable[Reference] | None = None,
             lock: Lock | str | Path | None = None) -> str:
    """The run as an SPDX 3.0.1 JSON-LD document (text) with the AI and Dataset profiles."""
    from clearance.bom.spdx3 import to_spdx3 as write

    return write(run, name=name, references=references, lock=lock)
