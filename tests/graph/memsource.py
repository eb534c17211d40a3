"""Sources made of records held in memory: real implementations of the Source interface, for
graphs whose shape matters more than where they came from (cycles, million-level chains)."""

from __future__ import annotations

from clearance.artifacts.ids import Ref
from clearance.artifacts.model import Artifact, Edge
from clearance.artifacts.signals import LicenseSignal
from clearance.sources.interface import Record, Source


def model(artifact_id: str, *parents: str | tuple[str, str], license: str | None = None, kind: str = "model") -> Record:
    """A record naming `parents` (an id, or (id, relation))."""
    edges = []
    for p in parents:
        pid, rel = (p, "finetune") if isinstance(p, str) else p
        edges.append(Edge(pid, artifact_id, rel, f"test record {artifact_id}"))  # type: ignore[arg-type]
    sigs = (LicenseSignal("card_license", license, f"test {artifact_id}"),) if license else ()
    return Record(Artifact(artifact_id, kind, sigs, source="memory"), tuple(edges))  # type: ignore[arg-type]


class MemorySource(Source):
    name = "memory"

    def __init__(self, *records: Record) -> None:
        self.records = {f"{r.artifact.kind}:{r.artifact.id.lower()}": r for r in records}
        self.lookups = 0

    def lookup(self, ref: Ref) -> Record | None:
        self.lookups += 1
        return None if ref.is_path else self.records.get(ref.key)


class ChainSource(Source):
    """m0 ← m1 ← … ← m{n-1}: each model's base is the next, made on demand (no memory up front)."""

    name = "chain"

    def __init__(self, n: int, loop: bool = False) -> None:
        self.n, self.loop = n, loop

    def lookup(self, ref: Ref) -> Record | None:
        if ref.is_path or not ref.id.startswith("chain/m"):
            return None
        i = int(ref.id[len("chain/m"):])
        if i >= self.n:
            return None
        nxt = i + 1
        if nxt == self.n:
            return model(ref.id, "chain/m0") if self.loop else model(ref.id, license="apache-2.0")
        return Record(Artifact(ref.id), (Edge(f"chain/m{nxt}", ref.id, "finetune"),))
