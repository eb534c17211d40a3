"""License compatibility along a lineage: may a derivative carry license D when an ancestor's
weights are under license A? And can one merge satisfy two parents' licenses at once?

Rules, from the terms in the knowledge base (never from license names), judged per ancestor
license over everything the derivative declares (`conflicts`):
- a permissive or public-domain ancestor allows any license on the derivative;
- a declaration that includes the ancestor's license is always fine, alone or stacked with
  others: the same license, an edition of the same agreement (the Hub's `gemma` for every dated
  Gemma Terms of Use), or a later version where the ancestor allows it (CC BY-SA) or does not
  require its own license to travel; licenses of one publisher (`family`) are not the same
  license: CC BY-NC is no CC BY, Llama 3.1 is no Llama 3.2;
- an ancestor whose license must travel with derivatives (`derivatives_carry_license`: Llama's
  and Gemma's "provide a copy of this Agreement", the OpenRAIL family, share-alike licenses)
  is relabelled by a card that declares other licenses without it;
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

from collections.abc import Sequence

from clearance.kb.terms import LicenseTerms

# Licenses that grant everything (bar notices): the "open" categories, in the order policies list them.
OPEN_CATEGORIES: tuple[str, ...] = ("permissive", "public-domain")
_BINDING = frozenset({"community", "proprietary", "non-commercial", "responsible-ai"})


def same_license(a: LicenseTerms, b: LicenseTerms) -> bool:
    return a.id == b.id or (bool(a.line) and a.line == b.line)


def satisfies(declared: LicenseTerms, ancestor: LicenseTerms) -> bool:
    """Whether declaring `declared` on a derivative declares `ancestor`'s license."""
    if declared.id == ancestor.id or (bool(ancestor.agreement) and declared.agreement == ancestor.agreement):
        return True
    if declared.id == ancestor.family:  # the Hub's id for a whole family (`openrail`) names every member
        return True
    if declared.id in ancestor.compatible_licenses:  # a license its text lets derivatives take instead
        return True
    if not same_license(declared, ancestor):
        return False
    # Another version of the same line: fine where the ancestor allows later versions, or
    # where it does not require its own license on derivatives at all.
    return ancestor.later_versions_allowed or not ancestor.derivatives_carry_license


def no_derivatives_reason(ancestor: LicenseTerms) -> str | None:
    """Why no derivative of `ancestor` may be published at all (CC's NoDerivatives), or None."""
    if ancestor.curated and ancestor.derivatives == "no":
        return f"{ancestor.id} does not allow sharing adapted material: no label makes the derivative legal"
    return None


def conflicts(declared: Sequence[LicenseTerms], ancestor: LicenseTerms,
              quantization: bool = False) -> list[tuple[str, str]]:
    """(declared id, reason) for each license a derivative declares that `ancestor`'s terms
    do not allow; none when the declaration includes the ancestor's own license. A derivative
    of a no-derivatives license conflicts whatever it declares, but a quantization is a copy in
    another format (CC 4.0 §2(a)(4): such changes "never produce Adapted Material")."""
    known = [d for d in declared if d.curated and d.category != "unknown"]
    nd = None if quantization else no_derivatives_reason(ancestor)
    if nd:
        return [(d.id, nd) for d in known]
    if any(satisfies(d, ancestor) for d in known):
        return []
    out = []
    for d in known:
        reason = conflict_reason(d, ancestor)
        if reason:
            out.append((d.id, reason))
    return out


def fits_alone(declared: LicenseTerms, ancestor: LicenseTerms) -> bool:
    """Whether `declared`, the only license on a derivative's card, is legal and carries
    `ancestor`'s use restrictions to the derivative's users: what `advise` may recommend. A
    license stacked beside the ancestor's is legal too (`conflicts`), but only the ancestor's
    own agreement carries its restrictions on a card that declares one license."""
    if conflict_reason(declared, ancestor) is not None:
        return False
    return not ancestor.pass_through_restrictions or satisfies(declared, ancestor)


def conflict_reason(declared: LicenseTerms, ancestor: LicenseTerms) -> str | None:
    """Why `declared`, the only license a derivative declares, does not carry `ancestor`'s
    terms, or None. (`conflicts` judges a card that declares several.)"""
    if not (declared.curated and ancestor.curated):
        return None
    if ancestor.category in OPEN_CATEGORIES or ancestor.category == "unknown" or declared.category == "unknown":
        return None
    if satisfies(declared, ancestor):
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
    if ancestor.derivatives_carry_license:
        return f"{ancestor.id} must travel with derivatives, and the card declares {declared.id} without it"
    if ancestor.category in _BINDING and declared.category in OPEN_CATEGORIES:
        return f"{declared.id} is {declared.category}, but {ancestor.id} ({ancestor.category}) still binds the weights"
    return None


def _demands_own_license(lic: LicenseTerms) -> bool:
    return lic.share_alike or (lic.pass_through_restrictions and (
        lic.derivatives_carry_license or lic.category in ("community", "responsible-ai")))


def merge_conflict(a: LicenseTerms, b: LicenseTerms) -> str | None:
    """Why one merge cannot satisfy both parents' licenses `a` and `b`, or None."""
    if not (a.curated and b.curated):
        return None
    for x in (a, b):  # a merge adapts its parents' weights
        if x.derivatives == "no":
            return f"{x.id} does not allow sharing adapted material"
    if same_license(a, b) or b.id in a.compatible_licenses or a.id in b.compatible_licenses:
        return None
    if b.id in a.combinable_with or a.id in b.combinable_with:  # GPL-3.0 / AGPL-3.0 §13
        return None
    if _demands_own_license(a) and _demands_own_license(b) and (a.share_alike or b.share_alike):
        return f"{a.id} and {b.id} each require derivatives under their own terms"
    for x, y in ((a, b), (b, a)):
        if x.share_alike and y.commercial_use == "no" and x.commercial_use == "yes":
            return f"{x.id} is share-alike and allows commercial use; {y.id} forbids it"
    return None
