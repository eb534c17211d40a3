"""The duties a license puts on whoever uses, offers or ships its model: one list, worded once,
read by `check` (the obligations of a use), `notice` (what to ship) and `advise` (what a
publisher's card and repository must carry).

Each duty comes from one term of the knowledge base, with the section that states it, and
says what triggers it (kb/terms.DUTY_TRIGGERS, or the license file's `when`): any use, offering
a product or service, distributing copies, or publishing a derived model. Words the license
fixes ("Built with Llama", the Notice-file sentence) are kept verbatim in `words`.
"""

from __future__ import annotations

from clearance.kb.terms import LicenseTerms
from clearance.util.lean import value

# The order a NOTICE file lists them in.
KINDS: tuple[str, ...] = ("display", "notice-file", "license-copy", "attribution", "modification-notice",
                          "naming", "pass-on", "restriction", "acceptable-use", "latest-version")
# What each use triggers. A derived model's own duties (naming, modification notices) fall on
# whoever publishes it, so only redistributing a derivative triggers them.
USE_TRIGGERS: dict[str, frozenset[str]] = {
    "research": frozenset({"use"}),
    "commercial": frozenset({"use", "product"}),
    "redistribution": frozenset({"use", "distribute"}),
}
# Duties that only give credit or notice: they leave a verdict `cleared`.
NOTICE_KINDS = frozenset({"display", "notice-file", "license-copy", "attribution", "modification-notice"})
WHEN_WORDS = {"use": "any use", "product": "in a product or service", "distribute": "when you distribute copies",
              "derivative": "when you publish a derived model"}


@value
class Duty:
    license: str
    kind: str
    text: str  # what to do, in Clearance's words
    section: str
    url: str
    when: tuple[str, ...]  # triggers, any of which brings the duty
    words: str | None = None  # the exact words the license makes you reproduce

    def triggered_by(self, triggers: frozenset[str]) -> bool:
        return any(t in triggers for t in self.when)

    @property
    def when_text(self) -> str:
        return " or ".join(WHEN_WORDS[t] for t in self.when)

    def to_json(self) -> dict[str, object]:
        return {"license": self.license, "kind": self.kind, "text": self.text, "words": self.words,
                "when": list(self.when), "section": self.section, "url": self.url}


def triggers_for(use: str, derivative: bool) -> frozenset[str]:
    out = USE_TRIGGERS[use]
    return out | {"derivative"} if derivative and use == "redistribution" else out


# Per license id, the terms object the duties were read from (a test's KB may reuse an id).
_CACHE: dict[str, tuple[LicenseTerms, tuple[Duty, ...]]] = {}


def duties(lic: LicenseTerms) -> tuple[Duty, ...]:
    """Every duty the license states, in NOTICE order (worked out once per license)."""
    got = _CACHE.get(lic.id)
    if got is None or got[0] is not lic:
        got = _CACHE[lic.id] = (lic, tuple(_duties(lic)))
    return got[1]


TERM_OF_KIND = {
    "display": "display", "notice-file": "notice_text", "license-copy": "include_license_copy",
    "attribution": "attribution_required", "modification-notice": "modification_notice",
    "naming": "derivative_name_prefix", "pass-on": "pass_through_restrictions", "restriction": "use_restrictions",
    "acceptable-use": "acceptable_use_policy", "latest-version": "use_latest_version",
}


def _duties(lic: LicenseTerms) -> list[Duty]:
    ev = lic.evidence
    out: list[Duty] = []

    def add(kind: str, text: str, words: str | None = None) -> None:
        term = TERM_OF_KIND[kind]
        e = ev[term]
        note = f" ({e.note})" if e.note and kind in ("display", "naming", "license-copy", "attribution") else ""
        out.append(Duty(lic.id, kind, text + note, e.section, e.url, tuple(e.when), words))

    if lic.display:
        add("display", f"display \u201c{lic.display}\u201d", lic.display)
    if lic.notice_text:
        add("notice-file", f"ship this sentence in a \u201cNotice\u201d text file with every copy: {lic.notice_text}",
            lic.notice_text)
    if lic.include_license_copy:
        add("license-copy", f"give every recipient a copy of the {lic.name} ({lic.text_url})")
    if lic.attribution_required:
        add("attribution", "keep the copyright and attribution notices that come with the model")
    if lic.modification_notice:
        add("modification-notice", "state prominently that you modified the model, and what changed")
    if lic.derivative_name_prefix:
        add("naming", f"name derived models so they begin with \u201c{lic.derivative_name_prefix}\u201d")
    restrictions = "; ".join(lic.use_restrictions)
    if lic.pass_through_restrictions:
        what = restrictions or f"the use restrictions of the {lic.name}"
        if lic.acceptable_use_policy:
            what += f"; the acceptable use policy {lic.acceptable_use_policy}"
        add("pass-on", f"make these restrictions binding on your users and recipients (in your terms): {what}")
    if lic.use_restrictions:
        add("restriction", f"abide by: {restrictions}")
    if lic.acceptable_use_policy:
        add("acceptable-use", f"comply with the acceptable use policy {lic.acceptable_use_policy}")
    if lic.use_latest_version:
        add("latest-version", "make reasonable efforts to use the latest version of the model")
    return out
