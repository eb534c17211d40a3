"""License compatibility along a lineage: may a derivative carry license D when an ancestor's
weights are under license A? And can one merge satisfy two parents' licenses at once?

Rules, from the terms in the knowledge base (never from license names):
- a permissive or public-domain ancestor allows any license on the derivative;
- the same license, or another version of it (linked by `supersedes`), is always fine;
  licenses of one publisher (`family`) are not the same license: CC BY-NC is no CC BY;
- a non-commercial ancestor forbids a derivative license that allows commercial use;
- an ancestor whose use restrictions must pass through forbids a license that cannot carry
  them: a permissive one, one that forbids added restrictions (CC, GPL) or a share-alike one.
  Another license may be stacked on them (its restrictions add to the ancestor's);
- a share-alike ancestor requires its own license;
- a community or proprietary ancestor (Llama, Gemma, Qwen, DeepSeek...) forbids relabelling
  the derivative with a permissive or public-domain license.
Uncurated or unknown licenses never produce a conflict: Clearance cannot tell, and says so
with `unresolved-license` instead.
"""

from __future__ import annotations

from clearance.kb.terms import LicenseTerms

# Licenses that grant everything (bar notices): the "open" categories, in the order policies list them.
OPEN_CATEGORIES: tuple[str, ...] = ("permissive", "public-domain")
_BINDING = frozenset({"community", "proprietary", "non-commercial", "responsible-ai"})


def same_license(a: LicenseTerms, b: LicenseTerms) -> bool:
    return a.id == b.id or (bool(a.line) and a.line == b.line)


def conflict_reason(declared: LicenseTerms, ancestor: LicenseTerms) -> str | None:
    """Why `declared` on a derivative grants what `ancestor` does not allow, or None."""
    if not (declared.curated and ancestor.curated):
        return None
    if ancestor.category in OPEN_CATEGORIES or ancestor.category == "unknown" or declared.category == "unknown":
        return None
    if same_license(declared, ancestor):
        return None
    if ancestor.commercial_use == "no" and declared.commercial_use in ("yes", "conditional"):
        return f"{ancestor.id} forbids commercial use, {declared.id} allows it"
    if ancestor.pass_through_restrictions and not declared.pass_through_restrictions:
        # The derivative must carry the ancestor's use restrictions. A license that adds none of
        # its own can still be stacked on them (a research license on a Gemma fine-tune: the
        # Gemma terms still bind, as an obligation); one that grants everything, or forbids
        # adding restrictions (CC, GPL), or demands its own terms (share-alike) cannot.
        if declared.category in OPEN_CATEGORIES:
            return f"{ancestor.id} requires its use restrictions on derivatives, {declared.id} carries none"
        if declared.no_added_restrictions:
            return f"{ancestor.id} requires its use restrictions on derivatives, and {declared.id} forbids adding restrictions"
        if declared.share_alike:
            return f"{ancestor.id} requires its use restrictions on derivatives, {declared.id} requires only its own terms"
    if ancestor.share_alike:
        return f"{ancestor.id} is share-alike: derivatives must carry {ancestor.id}"
    if ancestor.category in _BINDING and declared.category in OPEN_CATEGORIES:
        return f"{declared.id} is {declared.category}, but {ancestor.id} ({ancestor.category}) still binds the weights"
    return None


def _demands_own_license(lic: LicenseTerms) -> bool:
    return lic.share_alike or (lic.category in ("community", "responsible-ai") and lic.pass_through_restrictions)


def merge_conflict(a: LicenseTerms, b: LicenseTerms) -> str | None:
    """Why one merge cannot satisfy both parents' licenses `a` and `b`, or None."""
    if not (a.curated and b.curated) or same_license(a, b):
        return None
    if _demands_own_license(a) and _demands_own_license(b) and (a.share_alike or b.share_alike):
        return f"{a.id} and {b.id} each require derivatives under their own terms"
    for x, y in ((a, b), (b, a)):
        if x.share_alike and y.commercial_use == "no" and x.commercial_use == "yes":
            return f"{x.id} is share-alike and allows commercial use; {y.id} forbids it"
    return None
