"""The runtime value of a license's terms, and the evidence behind each term.

Plain frozen dataclasses, not pydantic models: every `clearance check` builds or unpickles
these, and a cold process should not pay for pydantic when the KB files were already
validated (see kb/cache.py). The file schema that validates them lives in kb/schema.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from clearance.util import TYPE_CHECKING
from clearance.util.envelope import envelope
from clearance.util.lean import value

if TYPE_CHECKING:
    from typing import Any, Literal
    Category = str  # one of CATEGORIES (kb/schema.py validates it as a Literal of them)
    Answer = Literal["yes", "conditional", "no", "unknown"]


SCHEMA_VERSION = 3  # 2: no_added_restrictions; 3: duties split, anchors, thresholds

CATEGORIES: tuple[str, ...] = (
    "permissive", "weak-copyleft", "copyleft", "responsible-ai", "community", "non-commercial",
    "proprietary", "public-domain", "unknown",
)


# Value a term takes when the license is silent on it. The keys, in order, are the optional
# terms of schema.Terms (a test keeps the two in step).
ABSENT: dict[str, Any] = {
    "mau_limit": None,
    "revenue_limit_usd": None,
    "pass_through_restrictions": False,
    "use_restrictions": (),
    "share_alike": False,
    "attribution_required": False,
    "include_license_copy": False,
    "derivative_name_prefix": None,
    "acceptable_use_policy": None,
    "output_training_restricted": False,
    "excluded_territories": (),
    "patent_grant": False,
    "osi_approved": False,
    "no_added_restrictions": False,
    "display": None,
    "notice_text": None,
    "modification_notice": False,
    "use_latest_version": False,
    "derivatives_carry_license": False,
    "threshold_withholds_all": False,
    "threshold_at_release": False,
    "later_versions_allowed": False,
    "compatible_licenses": (),
    "combinable_with": (),
}
PERMISSIONS: tuple[str, ...] = ("commercial_use", "research_use", "redistribution", "derivatives")
TERM_NAMES: tuple[str, ...] = PERMISSIONS + tuple(ABSENT)

# What a licensee does that triggers each duty, unless a term says otherwise (`when`):
# use = any use; product = offering a product or service built on the model (no copy changes
# hands); distribute = giving copies of the weights (or a derivative) to others; derivative =
# making a derived model available. A use triggers: research {use}; commercial {use, product};
# redistribution {use, distribute}, plus derivative when the subject descends from the license's model.
DUTY_TRIGGERS: dict[str, tuple[str, ...]] = {
    "display": ("product", "distribute"),
    "notice_text": ("distribute",),
    "include_license_copy": ("distribute",),
    "attribution_required": ("distribute",),
    "modification_notice": ("derivative",),
    "derivative_name_prefix": ("derivative",),
    "pass_through_restrictions": ("product", "distribute"),
    "use_restrictions": ("use",),
    "acceptable_use_policy": ("use",),
    "use_latest_version": ("use",),
}


@value(slots=False)
class Territory:
    """A territory a license excludes, optionally for one modality only."""

    territory: str  # ISO 3166-1 alpha-2, or EU
    applies_to: str = "all"  # "all" or a modality, e.g. "multimodal"


@value(slots=False)
class Evidence:
    """Where a term is stated: the published text's URL and section."""

    url: str
    section: str
    stated: bool  # False when the license is silent and the absent value applies
    note: str | None = None
    anchor: str | None = None  # a short phrase of the text that states the term
    when: tuple[str, ...] = ()  # duties: what triggers them (DUTY_TRIGGERS unless the file says)


@value(slots=False)
class LicenseTerms:
    """Flat terms plus the evidence for each. `curated` is False for the long tail known only
    through license-expression, whose terms are then `unknown`."""

    id: str
    name: str
    category: Category
    curated: bool
    summary: str | None
    commercial_use: Answer
    research_use: Answer
    redistribution: Answer
    derivatives: Answer
    mau_limit: int | None
    revenue_limit_usd: int | None
    pass_through_restrictions: bool
    use_restrictions: tuple[str, ...]
    share_alike: bool
    attribution_required: bool
    include_license_copy: bool
    derivative_name_prefix: str | None
    acceptable_use_policy: str | None
    output_training_restricted: bool
    excluded_territories: tuple[Territory, ...]
    patent_grant: bool
    osi_approved: bool
    no_added_restrictions: bool
    display: str | None
    notice_text: str | None
    modification_notice: bool
    use_latest_version: bool
    derivatives_carry_license: bool
    threshold_withholds_all: bool
    threshold_at_release: bool
    later_versions_allowed: bool
    compatible_licenses: tuple[str, ...]
    combinable_with: tuple[str, ...]
    version: str | None
    date: dt.date | None
    family: str | None
    supersedes: str | None
    superseded_by: str | None
    spdx_id: str | None
    scancode_key: str | None
    hub_id: bool
    aliases: tuple[str, ...]
    link_patterns: tuple[str, ...]
    text_url: str | None
    evidence: dict[str, Evidence]
    reviewed: dt.date | None
    # The newest version of this license: versions linked by `supersedes` share it, so
    # "the same license" means the same line, never merely the same publisher (`family`).
    line: str = ""
    # The agreement this edition belongs to: itself, or the nearest newer edition with a Hub id
    # of its own (the Hub's `gemma` covers every dated Gemma Terms of Use; `llama3.1` and
    # `llama3.2` are distinct agreements). Declaring any edition of it declares the agreement.
    agreement: str = ""

    def to_json(self) -> dict[str, Any]:
        """The documented `license show --format json` object (see docs/kb.md)."""
        data: dict[str, Any] = envelope(SCHEMA_VERSION)
        for f in dataclasses.fields(self):
            if f.name in ("evidence", "link_patterns", "line", "agreement"):  # derived from supersedes
                continue
            data[f.name] = _jsonable(getattr(self, f.name))
        data["sources"] = [
            {"term": term, "url": ev.url, "section": ev.section, "stated": ev.stated, "anchor": ev.anchor}
            for term, ev in self.evidence.items()
        ]
        return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Territory):
        return {"territory": value.territory, "applies_to": value.applies_to}
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    return value
