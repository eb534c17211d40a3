"""Apply a policy to engine results: does each result pass, and why not?

A result fails when its verdict is `blocked` or `unknown`, when a finding's (possibly
overridden) severity is `error`, or when a license that binds it is denied — by `deny`,
or, when `allow` is given, by not being allowed. A live exception for the model waives
the failure and says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import field, replace

from clearance.engine.catalogue import rule
from clearance.engine.values import Organization, Result
from clearance.kb.loader import KnowledgeBase
from clearance.policy.model import ExceptionEntry, Policy
from clearance.util.lean import record, value


@value(slots=False)
class Outcome:
    """An engine result under the policy: passed or not, why not, and any waiver."""

    result: Result  # with severities overridden as the policy says
    passed: bool
    failures: tuple[str, ...] = ()
    waived_by: str | None = None  # the exception's reason, when one applied


@record
class Evaluator:
    """Applies one policy to engine results; remembers which exceptions were used."""

    policy: Policy
    kb: KnowledgeBase
    today: dt.date = field(default_factory=dt.date.today)
    used_exceptions: set[int] = field(default_factory=set)

    def organization(self) -> Organization:
        org = self.policy.organization
        return Organization(org.monthly_active_users, org.annual_revenue_usd, org.expanded_territories())

    def evaluate(self, result: Result) -> Outcome:
        result = self._override_severities(result)
        failures: list[str] = []
        if result.verdict in ("blocked", "unknown"):
            failures.append(f"verdict for {result.use} use is {result.verdict}" +
                            (f": {'; '.join(result.reasons[:3])}" if result.reasons else ""))
        for f in result.findings:
            if f.severity == "error":
                failures.append(f"{f.code} {f.name}: {f.message}")
        for lid in dict.fromkeys((*result.declared_licenses, *result.inherited_licenses)):
            why = self.license_denied(lid)
            if why:
                failures.append(why)
        if not failures:
            return Outcome(result, True)
        exc = self._exception_for(result.subject, result.use)
        if exc is not None:
            return Outcome(result, True, tuple(failures), exc.reason)
        return Outcome(result, False, tuple(failures))

    def license_denied(self, license_id: str) -> str | None:
        lic = self.kb.get(license_id)
        # An edition answers to its agreement's id too: allowing `gemma` allows every dated
        # Gemma Terms of Use edition; denying it denies them all.
        names = {license_id.lower()} | ({lic.category, lic.agreement} if lic else set())
        deny = {self._canonical(d) for d in self.policy.deny}
        if names & deny:
            return f"license {license_id} is denied by the policy"
        if self.policy.allow:
            allow = {self._canonical(a) for a in self.policy.allow}
            if not names & allow:
                return f"license {license_id} is not in the policy's allow list"
        return None

    def _canonical(self, entry: str) -> str:
        hit = self.kb.lookup(entry)
        return hit[0] if hit else entry.lower()

    def _override_severities(self, result: Result) -> Result:
        if not self.policy.severity:
            return result
        overrides = {}
        for key, sev in self.policy.severity.items():
            r = rule(key)
            if r is not None:
                overrides[r.name] = sev
        findings = tuple(
            replace(f, severity=overrides.get(f.name, f.severity))
            for f in result.findings if overrides.get(f.name) != "off"
        )
        return replace(result, findings=findings)

    def _exception_for(self, subject: str, use: str) -> ExceptionEntry | None:
        for i, exc in enumerate(self.policy.exceptions):
            if exc.model.lower() != subject.lower() or use not in exc.uses:
                continue
            if exc.expires is not None and exc.expires < self.today:
                continue
            self.used_exceptions.add(i)
            return exc
        return None

    def exception_warnings(self, subjects: list[str]) -> list[str]:
        """Exceptions that matched nothing, or have expired: call after evaluating everything."""
        seen = {s.lower() for s in subjects}
        out = []
        for i, exc in enumerate(self.policy.exceptions):
            if exc.expires is not None and exc.expires < self.today:
                out.append(f"exception for {exc.model} expired on {exc.expires}")
            elif exc.model.lower() not in seen:
                out.append(f"exception for {exc.model} matches no model checked")
            elif i not in self.used_exceptions:
                out.append(f"exception for {exc.model} was not needed: it passes without it")
        return out
