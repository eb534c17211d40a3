"""The long tail of software and content licenses, known by identity and category only.

ScanCode's license index, shipped by `license-expression`, already knows thousands of
licenses with their SPDX ids and a category; Clearance curates terms only for the licenses
that matter on the Hub (kb/licenses/*.yaml) and answers for the rest from this index, with
every permission `unknown` and `curated: false`.
"""

from __future__ import annotations

import functools

from clearance.kb.terms import ABSENT, Evidence, LicenseTerms
from clearance.util import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from clearance.kb.terms import Category


# ScanCode category -> Clearance category. ScanCode's "Free Restricted", "Source-available"
# and "Commercial" licenses all limit use or redistribution in ways only a reading can tell,
# so they count as proprietary until curated.
SCANCODE_CATEGORY: dict[str, Category] = {
    "Permissive": "permissive",
    "Public Domain": "public-domain",
    "Copyleft": "copyleft",
    "Copyleft Limited": "weak-copyleft",
    "Proprietary Free": "proprietary",
    "Free Restricted": "proprietary",
    "Source-available": "proprietary",
    "Commercial": "proprietary",
    "Patent License": "unknown",
    "CLA": "unknown",
    "Unstated License": "unknown",
}

SCANCODE_LICENSEDB = "https://scancode-licensedb.aboutcode.org/{key}.html"


def _table(entries) -> dict[str, dict[str, Any]]:
    """ScanCode key, SPDX id and other SPDX ids (lower-cased) -> index entry."""
    table: dict[str, dict[str, Any]] = {}
    for entry in entries:
        if entry.get("is_exception"):
            continue
        for name in (entry["license_key"], entry.get("spdx_license_key"), *entry.get("other_spdx_license_keys", [])):
            if name:
                table.setdefault(name.lower(), entry)
    return table


@functools.lru_cache(maxsize=1)
def _by_name() -> dict[str, dict[str, Any]]:
    from license_expression import get_license_index  # only when the long tail is asked

    return _table(get_license_index())


@functools.lru_cache(maxsize=1)
def _scancode_db() -> dict[str, dict[str, Any]]:
    """ScanCode's own license database. It is newer than license-expression's bundled index
    (it knows e.g. the 2025 Gemma and Moonshot licenses) but takes seconds to load, so it is
    only consulted for names the index does not know, and its table is kept in the cache
    (kb/cache.py), keyed by the installed database's files."""
    import importlib.util
    from pathlib import Path

    from clearance.kb.cache import INSTALLS, cached

    spec = importlib.util.find_spec("licensedcode")
    if spec is None or spec.origin is None:
        return {}
    pkg = Path(spec.origin).parent
    inputs = [pkg / "models.py", pkg / "data" / "licenses"]
    return cached(inputs, _load_scancode_db, name="scancode-licenses", keep=INSTALLS)


def _load_scancode_db() -> dict[str, dict[str, Any]]:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from licensedcode.models import load_licenses

        licenses = load_licenses()
    return _table(
        {
            "license_key": lic.key, "category": lic.category, "spdx_license_key": lic.spdx_license_key,
            "other_spdx_license_keys": list(lic.other_spdx_license_keys or []), "is_exception": lic.is_exception,
        }
        for lic in licenses.values()
    )


def entry_for(name: str) -> dict[str, Any] | None:
    key = name.strip().lower()
    if not key or len(key) > 200:
        return None
    return _by_name().get(key) or _scancode_db().get(key)




@functools.lru_cache(maxsize=4096)
def terms_for(name: str) -> LicenseTerms | None:
    entry = entry_for(name)
    if entry is None:
        return None
    key = entry["license_key"]
    url = SCANCODE_LICENSEDB.format(key=key)
    unknown = Evidence(url=url, section="terms not curated in Clearance's knowledge base", stated=False)
    spdx = entry.get("spdx_license_key")
    return LicenseTerms(
        id=key, name=spdx or key, category=SCANCODE_CATEGORY.get(entry.get("category") or "", "unknown"),
        curated=False, summary=None,
        commercial_use="unknown", research_use="unknown", redistribution="unknown", derivatives="unknown",
        **ABSENT,  # not curated: every optional term takes its absent value
        version=None, date=None,
        family=None, supersedes=None, superseded_by=None, spdx_id=spdx, scancode_key=key, hub_id=False,
        aliases=tuple(entry.get("other_spdx_license_keys") or ()), link_patterns=(), text_url=url,
        evidence={"category": Evidence(url=url, section=f"ScanCode category: {entry.get('category')}", stated=True),
                  "commercial_use": unknown},
        reviewed=None, line=key, agreement=key,
    )
