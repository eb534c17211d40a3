"""The organisation's policy: `clearance.toml`, or `[tool.clearance]` in `pyproject.toml`.

    [organization]
    monthly_active_users = 2_000_000
    annual_revenue_usd = 50_000_000
    territories = ["US", "DE"]          # ISO 3166-1 alpha-2; EU, or any member state, means the EU

    uses = ["commercial"]               # the uses `check`/`scan` test by default
    allow = ["permissive", "public-domain", "llama3.1"]   # license ids or categories
    deny = ["non-commercial"]           # wins over allow; anything not allowed is denied

    [severity]                          # override a finding's severity (error | warning | info | off)
    attribution-required = "off"

    [[exceptions]]
    model = "acme/internal-llama"       # a model id (case-insensitive)
    reason = "Meta granted us a license on 2026-03-01"
    expires = 2027-03-01                # optional
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from clearance.engine.values import USES

# EU member states (ISO 3166-1 alpha-2), for licenses that exclude "the EU".
EU_MEMBERS = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
)
_ISO2 = re.compile(r"^[A-Z]{2}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OrganizationTable(_Strict):
    monthly_active_users: int | None = Field(default=None, ge=0)
    annual_revenue_usd: int | None = Field(default=None, ge=0)
    territories: list[str] = Field(default_factory=list)

    @field_validator("territories")
    @classmethod
    def _codes(cls, values: list[str]) -> list[str]:
        out = []
        for v in values:
            code = v.strip().upper()
            if code == "UK":
                code = "GB"  # the common spelling; ISO's code is GB
            if code != "EU" and not _ISO2.match(code):
                raise ValueError(f"{v!r} is not an ISO 3166-1 alpha-2 country code or EU")
            out.append(code)
        return out

    def expanded_territories(self) -> frozenset[str]:
        codes = set(self.territories)
        if codes & EU_MEMBERS:
            codes.add("EU")
        return frozenset(codes)


class ExceptionEntry(_Strict):
    model: str = Field(min_length=1)
    reason: str = Field(min_length=3)
    expires: dt.date | None = None
    uses: list[Literal["commercial", "redistribution", "research"]] = Field(default_factory=lambda: list(USES))


class Policy(_Strict):
    organization: OrganizationTable = Field(default_factory=OrganizationTable)
    uses: list[Literal["commercial", "redistribution", "research"]] = Field(default_factory=lambda: ["commercial"])
    allow: list[str] = Field(default_factory=list)
    deny: list[str] = Field(default_factory=list)
    severity: dict[str, Literal["error", "warning", "info", "off"]] = Field(default_factory=dict)
    exceptions: list[ExceptionEntry] = Field(default_factory=list)
    data_terms: Literal["strict", "lenient"] = "lenient"
