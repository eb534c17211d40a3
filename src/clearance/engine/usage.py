"""What one license says about one use, for one organisation: a verdict, obligations, and
the findings that explain them. Combining licenses along a lineage happens in clear.py."""

from __future__ import annotations

from dataclasses import field, replace

from clearance.engine.catalogue import rule
from clearance.engine.duties import NOTICE_KINDS, TERM_OF_KIND, duties, triggers_for
from clearance.engine.values import Finding, Obligation, Organization, worst
from clearance.kb.terms import LicenseTerms
from clearance.util.lean import record

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
            path: tuple[str, ...] = (), **fields: str) -> Finding:
    """A finding of a catalogue rule. `path` holds only what lies beyond `artifact` (e.g. the
    ancestor that causes it); the engine prefixes the chain from the subject at the end.
    `fields`: what the message says, as Finding's own fields (declared, inherited, ...)."""
    r = rule(name)
    assert r is not None, f"finding {name} is not in the catalogue"
    ev = lic.evidence.get(term) if lic is not None and term else None
    url = ev.url if ev else (lic.text_url or "" if lic else "")
    return Finding(r.code, r.name, r.severity, artifact, message, path, url, ev.section if ev else "", **fields)


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

    if use == "commercial" or lic.threshold_withholds_all:
        _thresholds(lic, org, out, artifact)
    _territories(lic, org, out, artifact, multimodal)
    _duties(lic, use, out, artifact, derivative)
    return out


def _thresholds(lic: LicenseTerms, org: Organization, out: Assessment, artifact: str) -> None:
    """User and revenue thresholds. Some withhold every right above them, not only commercial
    ones (`threshold_withholds_all`: Llama, Hunyuan, Stability's community license); some are
    measured once, on the release date, not on an ongoing basis (`threshold_at_release`)."""
    scope = "right at all" if lic.threshold_withholds_all else "commercial rights"
    on = f" on {lic.date.isoformat()}, its release date" if lic.threshold_at_release and lic.date else (
        " on its release date" if lic.threshold_at_release else "")
    for term, limit, have, name, unit in (
        ("mau_limit", lic.mau_limit, org.monthly_active_users, "mau-threshold", "monthly active users"),
        ("revenue_limit_usd", lic.revenue_limit_usd, org.annual_revenue_usd, "revenue-threshold", "US$ annual revenue"),
    ):
        if limit is None:
            continue
        if have is not None and have > limit:
            out.worsen("blocked", f"{lic.id} grants no {scope} to an organisation above {limit:,} {unit}{on}; "
                                  f"the organisation has {have:,}")
            out.findings.append(finding(name, artifact, f"{lic.name}: above {limit:,} {unit}{on} it grants no {scope}: "
                                        f"a separate license is needed (organisation: {have:,})", lic, term))
            continue
        out.worsen("conditional")
        if lic.threshold_at_release:
            text = (f"if the organisation had more than {limit:,} {unit}{on}, the license grants it no {scope}: "
                    "request a license from the licensor (no limit applies afterwards)")
        else:
            text = f"stay below {limit:,} {unit}, or obtain a separate license" + (
                " (above it the license grants no right at all)" if lic.threshold_withholds_all else "")
        out.obligations.append(_ob(lic, term, text))
        if have is None:
            f = finding(name, artifact, f"{lic.name} grants no {scope} above {limit:,} {unit}{on}; "
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
    """The license's duties this use triggers (engine/duties.py words them once for check,
    notice and advise). Notices and license copies leave a verdict `cleared`; restrictions,
    policies and naming rules make it `conditional`."""
    triggers = triggers_for(use, derivative)
    triggered = [d for d in duties(lic) if d.triggered_by(triggers)]
    notices = [d for d in triggered if d.kind in NOTICE_KINDS]
    for d in triggered:
        if d.kind not in NOTICE_KINDS:
            out.worsen("conditional")
        out.obligations.append(Obligation(lic.id, d.text, d.section, d.url))
        if d.kind == "pass-on":
            out.findings.append(finding("use-restrictions-pass-through", artifact,
                                        f"{lic.name}: its use restrictions bind every user and derivative", lic,
                                        "pass_through_restrictions"))
        elif d.kind == "naming":
            out.findings.append(finding("naming-rule", artifact,
                                        f"{lic.name}: a derivative's name must begin with \"{lic.derivative_name_prefix}\"",
                                        lic, "derivative_name_prefix"))
    if notices:
        term = TERM_OF_KIND[notices[0].kind]
        out.findings.append(finding("attribution-required", artifact,
                                    f"{lic.name}: " + "; ".join(d.text for d in notices), lic, term))
    if lic.output_training_restricted:
        out.obligations.append(_ob(lic, "output_training_restricted", "do not use outputs to train or improve other models"))
        out.findings.append(finding("output-training-restricted", artifact,
                                    f"{lic.name}: outputs may not be used to train or improve other models",
                                    lic, "output_training_restricted"))

