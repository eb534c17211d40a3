"""Schema of a knowledge-base license file (the runtime value is kb/terms.py's `LicenseTerms`).

A KB file is data written by people, so the schema is strict (unknown keys are
errors) and every term names the section of the license that states it and the
source it was read from. Terms a license is silent on may be left out; they then
take their "absent" value with evidence saying the text does not state them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator

from clearance.kb.terms import CATEGORIES, DUTY_TRIGGERS, SCHEMA_VERSION  # noqa: F401 - re-exported

# "unknown" is only for placeholder ids such as the Hub's `other`, `unknown` or a family
# like `cc` whose members differ; the validator enforces that (category must be unknown).
Permission = Literal["yes", "conditional", "no", "unknown"]
Category = Literal[CATEGORIES]  # type: ignore[valid-type] - the runtime tuple in kb/terms.py
# Territory: ISO 3166-1 alpha-2 code, or EU for the European Union as a whole.
_TERRITORY = re.compile(r"^(EU|[A-Z]{2})$")
_ID = re.compile(r"^[a-z0-9][a-z0-9.+_-]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# A few words, never the clause: enough to find the term in its text (kb/anchors.py checks it).
_ANCHOR_WORDS = 14
TRIGGERS = ("use", "product", "distribute", "derivative")


class _Term(_Strict):
    """One term: its value, the section that states it, which source it was read in, and the
    anchor that finds it there: a short phrase of the text (`anchor`), found after the
    section's heading (`under`, by default the words of `section` after its number)."""

    section: str = Field(min_length=1)
    source: str = "text"
    note: str | None = None
    anchor: str | None = Field(default=None, min_length=3, max_length=120)
    under: str | None = Field(default=None, min_length=3, max_length=120)
    # Duties only: what the licensee does that triggers it (see kb/terms.DUTY_TRIGGERS).
    when: list[Literal[TRIGGERS]] | None = None  # type: ignore[valid-type]

    @field_validator("anchor")
    @classmethod
    def _short(cls, v: str | None) -> str | None:
        if v is not None and len(v.split()) > _ANCHOR_WORDS:
            raise ValueError(f"an anchor is a few words (at most {_ANCHOR_WORDS}), not the clause")
        return v


class PermissionTerm(_Term):
    value: Permission


class BoolTerm(_Term):
    value: bool


class IntTerm(_Term):
    value: int | None = Field(default=None, ge=0)


class TextTerm(_Term):
    value: str | None = None


class UrlTerm(_Term):
    value: HttpUrl | None = None


class TextListTerm(_Term):
    value: list[str] = Field(default_factory=list)


class Territory(_Strict):
    territory: str
    applies_to: str = "all"  # "all" or a modality, e.g. "multimodal"

    @field_validator("territory")
    @classmethod
    def _iso(cls, v: str) -> str:
        if not _TERRITORY.match(v):
            raise ValueError(f"territory {v!r} is not an ISO 3166-1 alpha-2 code or EU")
        return v


class TerritoriesTerm(_Term):
    value: list[Territory] = Field(default_factory=list)


class Pin(_Strict):
    """Which exact text a source is: ScanCode's local copy by key (checked offline by the
    test suite), or a publisher's text by URL and SHA-256 (checked by `clearance.kb.anchors
    --fetch` where the network allows)."""

    scancode: str | None = None
    url: HttpUrl | None = None
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")

    def model_post_init(self, _context: object) -> None:
        if (self.scancode is None) == (self.sha256 is None):
            raise ValueError("a pin names either a ScanCode key (scancode) or a text's sha256 (with url)")
        if self.sha256 is not None and self.url is None:
            raise ValueError("a sha256 pin needs the url of the exact text it hashes")


class Terms(_Strict):
    """The structured terms. The four permissions are required: silence there is not an answer."""

    commercial_use: PermissionTerm
    research_use: PermissionTerm
    redistribution: PermissionTerm
    derivatives: PermissionTerm
    mau_limit: IntTerm | None = None
    revenue_limit_usd: IntTerm | None = None
    pass_through_restrictions: BoolTerm | None = None
    use_restrictions: TextListTerm | None = None
    share_alike: BoolTerm | None = None
    attribution_required: BoolTerm | None = None
    include_license_copy: BoolTerm | None = None
    derivative_name_prefix: TextTerm | None = None
    acceptable_use_policy: UrlTerm | None = None
    output_training_restricted: BoolTerm | None = None
    excluded_territories: TerritoriesTerm | None = None
    patent_grant: BoolTerm | None = None
    osi_approved: BoolTerm | None = None
    # Recipients may not be given further terms that restrict the rights granted (CC's "no
    # downstream restrictions", the GPL's "no further restrictions"): such a license cannot
    # carry an ancestor's use restrictions.
    no_added_restrictions: BoolTerm | None = None
    # Duties, each its own term (one duty list feeds check, notice and advise: engine/duties.py).
    display: TextTerm | None = None  # words to show in a product, UI or docs ("Built with Llama")
    notice_text: TextTerm | None = None  # sentence to ship in a "Notice" file with copies, verbatim
    modification_notice: BoolTerm | None = None  # modified files / derivatives must say they were changed
    use_latest_version: BoolTerm | None = None  # reasonable efforts to use the latest version
    # The license must travel with derivatives (a copy of it, or it as their license): a
    # derivative that declares other licenses without it is relabelled (license-conflict).
    derivatives_carry_license: BoolTerm | None = None
    # Above mau_limit / revenue_limit_usd the agreement grants no right at all, not only the
    # commercial ones (Llama, Hunyuan, Stability community).
    threshold_withholds_all: BoolTerm | None = None
    # The threshold is measured once, on the release date (Llama 2 and 3.x), not on an ongoing basis.
    threshold_at_release: BoolTerm | None = None
    # A derivative may carry a later version of this license (CC BY-SA's "later version of this
    # License with the same License Elements", the GPL's "or any later version").
    later_versions_allowed: BoolTerm | None = None
    # KB ids of other licenses the text lets a derivative take instead (CC BY-SA 4.0 -> GPL-3.0,
    # LGPL -> GPL), and licenses whose works may be combined with this one in one merge without
    # relicensing either (GPL-3.0 and AGPL-3.0, section 13 of each).
    compatible_licenses: TextListTerm | None = None
    combinable_with: TextListTerm | None = None


TERM_NAMES: tuple[str, ...] = tuple(Terms.model_fields)


class LicenseFile(_Strict):
    """What one YAML file under kb/licenses/ holds."""

    id: str
    name: str = Field(min_length=1)
    category: Category
    summary: str = Field(min_length=1, max_length=600)
    version: str | None = None
    date: dt.date | None = None  # when this version took effect or was published
    family: str | None = None  # versions of one license share a family; see normalizer
    supersedes: str | None = None
    spdx_id: str | None = None  # SPDX id, or LicenseRef-scancode-<key>
    scancode_key: str | None = None
    hub_id: bool = False  # the id is one the Hub accepts in a card's `license:` field
    aliases: list[str] = Field(default_factory=list)
    link_patterns: list[str] = Field(default_factory=list)  # substrings of license_link URLs
    sources: dict[str, HttpUrl]
    pins: dict[str, Pin] = Field(default_factory=dict)  # source name -> the exact text it is
    terms: Terms
    reviewed: dt.date

    @field_validator("id", "supersedes", "family")
    @classmethod
    def _id_shape(cls, v: str | None) -> str | None:
        if v is not None and not _ID.match(v):
            raise ValueError(f"{v!r} must be lower-case letters, digits and . + _ -")
        return v

    def field_problems(self) -> list[tuple[str, str]]:
        """Cross-field rules, as (field, message) so errors point at the exact field."""
        out = []
        if "text" not in self.sources:
            out.append(("sources", "must name the license text under the key 'text'"))
        for name in ("commercial_use", "research_use", "redistribution", "derivatives"):
            if getattr(self.terms, name).value == "unknown" and self.category != "unknown":
                out.append((f"terms.{name}.value", "may be 'unknown' only when category is 'unknown'"))
        for name in TERM_NAMES:
            term = getattr(self.terms, name)
            if term is not None and term.source not in self.sources:
                out.append((f"terms.{name}.source", f"{term.source!r} is not one of sources: {sorted(self.sources)}"))
            if term is not None and term.when is not None and name not in DUTY_TRIGGERS:
                out.append((f"terms.{name}.when", "only duties take `when`"))
        for name in self.pins:
            if name not in self.sources:
                out.append((f"pins.{name}", f"{name!r} is not one of sources: {sorted(self.sources)}"))
        return out
