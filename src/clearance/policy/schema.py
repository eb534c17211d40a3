"""The policy file's schema (pydantic): validates a TOML table and turns it into the runtime
`Policy`. Only reading a policy file needs it; checking with a known policy does not import
pydantic (it costs a cold process ~0.1 s), as with the KB's `schema.py` and `terms.py`."""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from clearance.engine.values import DATA_TERMS, USES
from clearance.policy.model import ExceptionEntry, OrganizationTable, Policy

_ISO2 = re.compile(r"^[A-Z]{2}$")
Use = Literal[USES]  # type: ignore[valid-type] - the runtime tuple in engine/values
DataTerms = Literal[DATA_TERMS]  # type: ignore[valid-type] - likewise


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OrganizationSchema(_Strict):
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


class ExceptionSchema(_Strict):
    model: str = Field(min_length=1)
    reason: str = Field(min_length=3)
    expires: dt.date | None = None
    uses: list[Use] = Field(default_factory=lambda: list(USES))


class PolicySchema(_Strict):
    organization: OrganizationSchema = Field(default_factory=OrganizationSchema)
    uses: list[Use] = Field(default_factory=lambda: ["commercial"])
    allow: list[str] = Field(default_factory=list)
    deny: list[str] = Field(default_factory=list)
    severity: dict[str, Literal["error", "warning", "info", "off"]] = Field(default_factory=dict)
    exceptions: list[ExceptionSchema] = Field(default_factory=list)
    data_terms: DataTerms = "lenient"

    def to_policy(self) -> Policy:
        org = self.organization
        return Policy(
            organization=OrganizationTable(org.monthly_active_users, org.annual_revenue_usd, tuple(org.territories)),
            uses=tuple(self.uses),
            allow=tuple(self.allow),
            deny=tuple(self.deny),
            severity=dict(self.severity),
            exceptions=tuple(ExceptionEntry(e.model, e.reason, e.expires, tuple(e.uses)) for e in self.exceptions),
            data_terms=self.data_terms,
        )
