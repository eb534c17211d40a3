"""AI bills of materials for `clearance bom`: CycloneDX 1.6 JSON and SPDX 3.0.1 JSON-LD.

    run = clearance.usecases.check.check(targets, uses, snapshots=[...], offline=True)
    text = to_cyclonedx(run, name="my-product")     # or to_spdx3(run, name=...)

Both list every model and dataset of every subject's lineage, each once (see `inventory`),
with its licenses, its lineage and, for the subjects, Clearance's verdict per use, findings and
obligations. Nothing here decides anything: the BOM only arranges what the run found. What no
source could resolve is listed with what is known (its id and kind), never dropped.

The writers import their libraries (cyclonedx-python-lib, spdx-python-model) only when called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clearance.usecases.check import CheckRun

__all__ = ["FORMATS", "to_cyclonedx", "to_spdx3"]

FORMATS = ("cyclonedx", "spdx")


def to_cyclonedx(run: CheckRun, *, name: str = "clearance-bom") -> str:
    """The run as a CycloneDX 1.6 JSON BOM (text)."""
    from clearance.bom.cyclonedx import to_cyclonedx as write

    return write(run, name=name)


def to_spdx3(run: CheckRun, *, name: str = "clearance-bom") -> str:
    """The run as an SPDX 3.0.1 JSON-LD document (text) with the AI and Dataset profiles."""
    from clearance.bom.spdx3 import to_spdx3 as write

    return write(run, name=name)
