"""The values every layer shares about one artifact: what a source said of it (`Artifact`,
with raw license signals and where each field was read) and how it descends from another
(`Edge`, typed by `RELATIONS`). Frozen; no logic that reads a source or walks a graph."""

from __future__ import annotations

from clearance.artifacts.signals import LicenseSignal
from clearance.util import TYPE_CHECKING
from clearance.util.lean import value

if TYPE_CHECKING:
    from typing import Literal

    from clearance.artifacts.licensefile import LicenseFile
    Kind = Literal["model", "dataset"]
    Relation = Literal["finetune", "adapter", "merge", "quantized", "distilled", "trained_on"]


RELATIONS: tuple[str, ...] = ("finetune", "adapter", "merge", "quantized", "distilled", "trained_on")


@value
class Artifact:
    """One model or dataset as a source described it.

    `evidence` pairs each field that was read with where it was read (file:line, API field,
    header key). An artifact no source could find has `resolved=False` and only an id.
    """

    id: str
    kind: Kind = "model"
    licenses: tuple[LicenseSignal, ...] = ()
    created_at: str | None = None
    downloads: int | None = None
    likes: int | None = None
    pipeline_tag: str | None = None
    library_name: str | None = None
    gated: bool | str | None = None
    source: str = ""
    revision: str | None = None
    last_modified: str | None = None  # the source's lastModified: a revision when it gives no commit
    evidence: tuple[tuple[str, str], ...] = ()
    warnings: tuple[str, ...] = ()
    resolved: bool = True
    # License files a remote source looked at (the Hub's LICENSE, USE_POLICY.md ...), read or
    # not; the texts read are also `license_file` signals. Local files are signals only.
    license_files: tuple[LicenseFile, ...] = ()

    def where(self, field_name: str) -> str | None:
        """Where `field_name` was read, if it was."""
        for name, where in self.evidence:
            if name == field_name:
                return where
        return None


@value
class Edge:
    """`parent` is an ancestor of `child`: `relation` says how, `evidence` how we learnt it."""

    parent: str
    child: str
    relation: Relation
    evidence: str = ""
    parent_revision: str | None = None

    @property
    def parent_kind(self) -> Kind:
        return "dataset" if self.relation == "trained_on" else "model"

    def to_json(self) -> dict[str, str]:
        return {"parent": self.parent, "child": self.child, "relation": self.relation, "evidence": self.evidence}
