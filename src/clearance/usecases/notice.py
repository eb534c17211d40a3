"""`clearance notice`: the attribution and notice text every upstream license requires.

Built from the same run as `check` (use: redistribution, since notices are what shipping
demands) and from the knowledge base's terms of every license that binds a target: notices
to reproduce, license copies to include, attribution to keep, use restrictions to pass on,
naming rules. Each item appears once however many models need it, with the models that do
and the section of the license that asks for it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from clearance.engine.duties import Duty, duties
from clearance.kb.loader import KnowledgeBase
from clearance.kb.terms import LicenseTerms
from clearance.usecases.check import CheckRun
from clearance.util.envelope import envelope

SCHEMA_VERSION = 2  # 2: items are duties (kind, text, words, when, section, url)


@dataclass
class LicenseNotice:
    license: LicenseTerms
    models: list[str] = field(default_factory=list)  # subjects bound by it, in order

    @property
    def items(self) -> tuple[Duty, ...]:
        """Every duty the license states (engine/duties.py), in the order a NOTICE file lists them:
        displays, Notice-file sentences, license copies, attribution, modification notices,
        naming, restrictions to pass on, policies. Each says what triggers it."""
        return duties(self.license)


@dataclass
class Notice:
    licenses: list[LicenseNotice]
    unresolved: list[str]  # targets whose licenses could not all be told: the notice may be incomplete

    def to_json(self) -> dict[str, Any]:
        return envelope(
            SCHEMA_VERSION,
            licenses=[
                {"license": n.license.id, "name": n.license.name, "url": n.license.text_url, "models": n.models,
                 "items": [d.to_json() for d in n.items]}
                for n in self.licenses
            ],
            unresolved=self.unresolved,
        )


def build_notice(run: CheckRun, kb: KnowledgeBase) -> Notice:
    by_license: dict[str, LicenseNotice] = {}
    unresolved: list[str] = []
    for outcome in run.outcomes:
        r = outcome.result
        for lid in dict.fromkeys((*r.declared_licenses, *r.inherited_licenses)):
            lic = kb.get(lid)
            if lic is None:
                continue
            entry = by_license.setdefault(lid, LicenseNotice(lic))
            if r.subject not in entry.models:
                entry.models.append(r.subject)
        if r.verdict == "unknown" and r.subject not in unresolved:
            unresolved.append(r.subject)
    ordered = sorted(by_license.values(), key=lambda n: (not n.items, n.license.id))
    return Notice(ordered, unresolved)


_HEADINGS = {
    "display": "Display",
    "notice-file": "Notice file",
    "license-copy": "Include",
    "attribution": "Attribution",
    "modification-notice": "Modifications",
    "naming": "Naming",
    "pass-on": "Pass on to your users",
    "restriction": "Restrictions",
    "acceptable-use": "Acceptable use",
    "latest-version": "Updates",
}


def to_text(notice: Notice) -> str:
    lines = ["THIRD-PARTY AI MODEL NOTICES", ""]
    for n in notice.licenses:
        lines.append(f"{n.license.name} ({n.license.id})")
        lines.append(f"  applies to: {', '.join(n.models)}")
        lines.append(f"  license text: {n.license.text_url}")
        if not n.license.curated:
            lines.append("  terms not curated in Clearance's knowledge base: read the license text for its notice duties")
        for d in n.items:
            lines.append(f"  {_HEADINGS[d.kind]} ({d.when_text}): {d.text}  [{d.section}]")
        lines.append("")
    if notice.unresolved:
        lines.append("Incomplete: the licenses of these models could not all be resolved, so their notices may be missing:")
        lines += [f"  {s}" for s in notice.unresolved]
        lines.append("")
    return "\n".join(lines)


def to_markdown(notice: Notice) -> str:
    lines = ["# Third-party AI model notices", ""]
    for n in notice.licenses:
        lines += [f"## {n.license.name}", "", f"Applies to: {', '.join(f'`{m}`' for m in n.models)}  ",
                  f"License text: <{n.license.text_url}>", ""]
        for d in n.items:
            lines.append(f"- **{_HEADINGS[d.kind]}** ({d.when_text}): {d.text} _({d.section})_")
        lines.append("")
    if notice.unresolved:
        lines += ["## Incomplete", "", "The licenses of these models could not all be resolved:", ""]
        lines += [f"- `{s}`" for s in notice.unresolved] + [""]
    return "\n".join(lines)


def to_json(notice: Notice) -> str:
    return json.dumps(notice.to_json(), indent=2)


# One renderer per `--format` value (formats.names.NOTICE; tests/usecases compare the two).
RENDERERS = {"text": to_text, "markdown": to_markdown, "json": to_json}


def render(notice: Notice, fmt: str) -> str:
    return RENDERERS[fmt](notice)
