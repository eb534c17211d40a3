"""What one license says about one use, for one organisation: a verdict, obligations, and
the findings that explain them. Combining licenses along a lineage happens in clear.py."""

from __future__ import annotations

from dataclasses import field, replace

from clearance.engine.catalogue import rule
from clearance.engine.values import Finding, Obligation, Organization, worst
from clearance.kb.terms import LicenseTerms
from clearance.lean import record

# Pipeline tags of models that take or produce more than text (Llama 3.2 and 4 scope their
# EU exclusion to multimodal models).
MULTIMODAL_TAGS = frozenset({
    "image-text-to-text", "visual-question-answering", "any-to-any", "video-text-to-text",
    "image-to-text", "document-question-answering", "audio-text-to-text", "text-to-image",
    "image-to-image", "text-to-video", "text-to-speech", "automatic-speech-recognition",
})
_PERMISSION_FOR_USE = {"commercial": "commercial_use", "redistribution": "redistribution", "research": "research_use"}


@record
class Assessment:
    """What one use of one artifact comes to: verdict, obligations, findings and reasons."""

    verdict: str = "cleared"
    obligations: list[Obligation] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def worsen(self, verdict: str, reason: str | None = None) -> None:
        self.verdict = worst(self.verdict, verdict)
        if reason and verdict in ("blocked", "unknown"):
            self.reasons.append(reason)


def finding(name: str, artifact: str, message: str, lic: LicenseTerms | None = None, term: str | None = None,
            path: tuple[str, ...] = ()) -> Finding:
    """A finding of a catalogue rule. `path` holds only what lies beyond `artifact` (e.g. the
    ancestor that causes it); the engine prefixes the chain from the subject at the end."""
    r = rule(name)
    assert r is not None, f"finding {name} is not in the catalogue"
    ev = lic.evidence.get(term) if lic is not None and term else None
    url = ev.url if ev else (lic.text_url or "" if lic else "")
    return Finding(r.code, r.name, r.severity, artifact, message, path, url, ev.section if ev else "")


def _ob(lic: LicenseTerms, term: str, text: str) -> Obligation:
    ev = lic.evidence[term]
    return Obligation(lic.id, text, ev.section, ev.url)


def in_territories(excluded: str, territories: frozenset[str]) -> bool:
    return excluded in territories


def assess(lic: LicenseTerms, use: str, org: Organization, *, artifact: str, derivative: bool,
           multimodal: bool) -> Assessment:
    """One binding license, one use. `derivative` is True when the subject is not the
    licensed artifact itself but descends from it."""
    out = Assessment()
    term = _PERMISSION_FOR_USE[use]
    permission = getattr(lic, term)
    where = f"{lic.id} ({artifact})"
    if permission == "no":
        out.worsen("blocked", f"{where} does not allow {use} use")
        if use == "commercial":
            out.findings.append(finding("non-commercial-upstream", artifact,
                                        f"{lic.name} forbids commercial use", lic, term))
    elif permission == "unknown":
        out.worsen("unknown", f"the terms of {where} are not known" + ("" if lic.curated else " (not curated)"))
    elif permission == "conditional":
        out.worsen("conditional")
        note = lic.evidence[term].note
        out.obligations.append(_ob(lic, term, note or f"{use} use is allowed on conditions: see the section cited"))
    if use == "redistribution" and derivative and lic.derivatives == "no":
        out.worsen("blocked", f"{where} does not allow derivatives")
    elif use == "redistribution" and derivative and lic.derivatives == "conditional":
        out.worsen("conditional")
        out.obligations.append(_ob(lic, "derivatives", lic.evidence["derivatives"].note or "derivatives are allowed on conditions"))

    if use == "commercial":
        _thresholds(lic, org, out, artifact)
    _territories(lic, org, out, artifact, multimodal)
    _duties(lic, use, out, artifact, derivative)
    return out


def _thresholds(lic: LicenseTerms, org: Organization, out: Assessment, artifact: str) -> None:
    for term, limit, have, name, unit in (
        ("mau_limit", lic.mau_limit, org.monthly_active_users, "mau-threshold", "monthly active users"),
        ("revenue_limit_usd", lic.revenue_limit_usd, org.annual_revenue_usd, "revenue-threshold", "US$ annual revenue"),
    ):
        if limit is None:
            continue
        if have is not None and have > limit:
            out.worsen("blocked", f"{lic.id} grants commercial rights only below {limit:,} {unit}; the organisation has {have:,}")
            out.findings.append(finding(name, artifact, f"{lic.name}: above {limit:,} {unit} a separate license is needed "
                                        f"(organisation: {have:,})", lic, term))
        else:
            out.worsen("conditional")
            out.obligations.append(_ob(lic, term, f"stay below {limit:,} {unit}, or obtain a separate license"))
            if have is None:
                f = finding(name, artifact, f"{lic.name} limits commercial rights to {limit:,} {unit}; "
                            "the policy does not say the organisation's figure", lic, term)
                out.findings.append(replace(f, severity="info"))


def _territories(lic: LicenseTerms, org: Organization, out: Assessment, artifact: str, multimodal: bool) -> None:
    for excl in lic.excluded_territories:
        if excl.applies_to == "multimodal" and not multimodal:
            continue
        scope = "" if excl.applies_to == "all" else f" for {excl.applies_to} models"
        if in_territories(excl.territory, org.territories):
            out.worsen("blocked", f"{lic.id} withholds rights in {excl.territory}{scope}")
            out.findings.append(finding("territory-excluded", artifact,
                                        f"{lic.name} grants no rights in {excl.territory}{scope}", lic, "excluded_territories"))
        elif not org.territories:
            out.worsen("conditional")
            out.obligations.append(_ob(lic, "excluded_territories", f"no rights in {excl.territory}{scope}"))


def _duties(lic: LicenseTerms, use: str, out: Assessment, artifact: str, derivative: bool) -> None:
    shipping = use in ("redistribution", "commercial")
    if lic.pass_through_restrictions or lic.use_restrictions:
        out.worsen("conditional")
        restrictions = "; ".join(lic.use_restrictions) or "the license's use restrictions"
        term = "pass_through_restrictions" if lic.pass_through_restrictions else "use_restrictions"
        out.obligations.append(_ob(lic, term, f"abide by and pass on: {restrictions}"
                                   if lic.pass_through_restrictions else f"abide by: {restrictions}"))
        if lic.pass_through_restrictions and shipping:
            out.findings.append(finding("use-restrictions-pass-through", artifact,
                                        f"{lic.name}: its use restrictions bind every user and derivative", lic, term))
    if lic.acceptable_use_policy:
        out.worsen("conditional")
        out.obligations.append(_ob(lic, "acceptable_use_policy", f"comply with the acceptable use policy {lic.acceptable_use_policy}"))
    notice = lic.display or lic.notice_text
    if shipping and (lic.attribution_required or notice or lic.include_license_copy):
        parts = []
        if notice:
            parts.append(f"display the notice: {notice}")
        if lic.include_license_copy:
            parts.append(f"include a copy of {lic.name}")
        if lic.attribution_required and not parts:
            parts.append("keep the copyright and attribution notices")
        term = ("display" if lic.display else "notice_text") if notice else ("include_license_copy" if lic.include_license_copy else "attribution_required")
        out.obligations.append(_ob(lic, term, "; ".join(parts)))
        out.findings.append(finding("attribution-required", artifact, f"{lic.name}: " + "; ".join(parts), lic, term))
    if shipping and derivative and lic.derivative_name_prefix:
        out.worsen("conditional")
        out.obligations.append(_ob(lic, "derivative_name_prefix",
                                   f"name derivatives so they begin with \"{lic.derivative_name_prefix}\""))
        out.findings.append(finding("naming-rule", artifact,
                                    f"{lic.name}: a derivative's name must begin with \"{lic.derivative_name_prefix}\"",
                                    lic, "derivative_name_prefix"))
    if lic.output_training_restricted:
        out.obligations.append(_ob(lic, "output_training_restricted", "do not use outputs to train or improve other models"))
        out.findings.append(finding("output-training-restricted", artifact,
                                    f"{lic.name}: outputs may not be used to train or improve other models",
                                    lic, "output_training_restricted"))
