"""The engine's values: what goes in (the lineage, the organisation) and what comes out
(findings, obligations, verdicts). Frozen, so results can be cached and shared."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import field

from clearance.artifacts.model import RELATIONS, Edge
from clearance.kb.normalizer import Resolution
from clearance.util import TYPE_CHECKING
from clearance.util.lean import value

if TYPE_CHECKING:
    from typing import Literal, Protocol
    Use = Literal["commercial", "redistribution", "research"]
    VerdictName = Literal["cleared", "conditional", "blocked", "unknown"]
    DataTerms = Literal["strict", "lenient"]

    class Lineage(Protocol):
        """What the engine needs from a lineage graph: nodes with resolved licenses, and the
        graph's own typed `Edge`s. `graph/` provides it; the engine never imports `sources/`."""

        def node(self, artifact_id: str) -> Node | None: ...

        def parents(self, artifact_id: str) -> Sequence[Edge]: ...


# The vocabulary every layer reads from here (or from artifacts.model.RELATIONS), never retypes.
USES: tuple[str, ...] = ("commercial", "redistribution", "research")
VERDICTS: tuple[str, ...] = ("cleared", "conditional", "blocked", "unknown")  # the order reports list them in
DATA_TERMS: tuple[str, ...] = ("strict", "lenient")  # how training data's terms bind (see clear.py)
# The verdicts under which the use may go ahead (conditional: once its duties are met).
ALLOWING: tuple[str, ...] = ("cleared", "conditional")
# Worst first: combining verdicts keeps the worst.
VERDICT_ORDER: tuple[str, ...] = ("blocked", "unknown", "conditional", "cleared")
# Relations through which weights descend (training data passes terms, not weights).
WEIGHT_RELATIONS = frozenset(r for r in RELATIONS if r != "trained_on")


def worst(*verdicts: str) -> str:
    return min(verdicts, key=VERDICT_ORDER.index) if verdicts else "cleared"


@value
class Node:
    """One artifact as the engine sees it: its declared licenses already resolved to KB ids."""

    id: str
    kind: Literal["model", "dataset"] = "model"
    licenses: tuple[Resolution, ...] = ()
    found: bool = True  # False when no source had metadata for this id
    pipeline_tag: str | None = None


@value(slots=False)  # made a few times per run
class Organization:
    """The organisation's profile, from the policy's [organization] table."""

    monthly_active_users: int | None = None
    annual_revenue_usd: int | None = None
    territories: frozenset[str] = frozenset()  # ISO 3166-1 alpha-2, expanded: EU members imply "EU"


@value
class Obligation:
    """Something the user must do to use the model, and the license section that says so."""

    license: str
    text: str
    section: str
    url: str = ""

    def to_json(self) -> dict[str, str]:
        return {"license": self.license, "text": self.text, "section": self.section, "url": self.url}


@value
class Finding:
    """One finding about an artifact, with the path from the subject to its cause."""

    code: str
    name: str
    severity: str
    artifact: str
    message: str
    path: tuple[str, ...] = ()  # ids from the subject to the cause
    url: str = ""  # where the license text that triggers it is published
    section: str = ""
    # What `message` says, as fields for programs (set on license-conflict): the KB license
    # `artifact` declares, the one it inherits, the nearest `ancestor` carrying it, and why
    # the two conflict.
    declared: str = ""
    inherited: str = ""
    ancestor: str = ""
    reason: str = ""

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "code": self.code, "name": self.name, "severity": self.severity, "artifact": self.artifact,
            "message": self.message, "path": list(self.path), "source": {"url": self.url, "section": self.section},
        }
        if self.ancestor:  # results schema 2
            data.update(declared=self.declared, inherited=self.inherited, ancestor=self.ancestor, reason=self.reason)
        return data


@value(slots=False)  # made a few times per run
class Result:
    """The answer for one subject and one use: verdict, the licenses behind it, and why."""

    subject: str
    use: str
    verdict: str
    declared_licenses: tuple[str, ...]
    inherited_licenses: tuple[str, ...]
    obligations: tuple[Obligation, ...] = ()
    findings: tuple[Finding, ...] = ()
    reasons: tuple[str, ...] = field(default=())  # why blocked or unknown, in words

    def to_json(self) -> dict[str, object]:
        return {
            "subject": self.subject, "use": self.use, "verdict": self.verdict,
            "declared_licenses": list(self.declared_licenses), "inherited_licenses": list(self.inherited_licenses),
            "obligations": [o.to_json() for o in self.obligations],
            "findings": [f.to_json() for f in self.findings], "reasons": list(self.reasons),
        }
