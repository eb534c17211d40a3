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
from dataclasses import field

from clearance.engine.values import USES
from clearance.util.lean import value

# EU member states (ISO 3166-1 alpha-2), for licenses that exclude "the EU".
EU_MEMBERS = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
)


# Plain frozen values: a file is validated by `policy.schema` (pydantic) and lands here.


@value(slots=False)
class OrganizationTable:
    """The [organization] table: users, revenue and territories."""

    monthly_active_users: int | None = None
    annual_revenue_usd: int | None = None
    territories: tuple[str, ...] = ()  # upper-case ISO 3166-1 alpha-2 codes or EU

    def expanded_territories(self) -> frozenset[str]:
        codes = set(self.territories)
        if codes & EU_MEMBERS:
            codes.add("EU")
        return frozenset(codes)


@value(slots=False)
class ExceptionEntry:
    """A model the policy lets pass anyway, with the reason and an optional expiry."""

    model: str
    reason: str
    expires: dt.date | None = None
    uses: tuple[str, ...] = USES


@value(slots=False)
class Policy:
    """The whole policy, validated (see policy/schema.py)."""

    organization: OrganizationTable = field(default_factory=OrganizationTable)
    uses: tuple[str, ...] = ("commercial",)
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict, hash=False)
    exceptions: tuple[ExceptionEntry, ...] = ()
    data_terms: str = "lenient"
