"""Raw license signals -> KB ids, each with a confidence and the evidence of how it matched.

An unknown value stays unknown with its raw text kept: it is never mapped to a guess.
Order of attempts for one value, most certain first:
  exact id/alias (1.0) -> SPDX expression via license-expression (0.95) -> license_link
  pattern (0.9) -> ScanCode's long tail (0.9) -> loose alias, punctuation ignored (0.85).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import field

from clearance.artifacts.signals import LicenseSignal
from clearance.kb import longtail
from clearance.kb.loader import KnowledgeBase, default_kb
from clearance.kb.terms import LicenseTerms
from clearance.util.lean import record, value

MAX_VALUE_CHARS = 2_000  # a license id, name or URL; anything longer is not one
# Ids that name no one license: a card's license_name/license_link then says which one.
PLACEHOLDERS = frozenset({"other", "unknown", "cc"})


@value
class Resolution:
    """One raw license value and the KB ids it resolved to, with confidence and evidence."""

    input: str
    id: str | None  # KB id (curated or long tail); None when unknown
    confidence: float
    evidence: str
    kind: str = "card_license"
    where: str = ""
    also: tuple[str, ...] = ()  # further ids when the value was an expression (A OR B)
    operator: str | None = None  # "OR" / "AND" for expressions
    modified: bool = False  # a known license text materially modified (text detection only)
    assumed_edition: bool = False  # the id has dated editions and no date said which: the latest

    @property
    def ids(self) -> tuple[str, ...]:
        return ((self.id,) if self.id else ()) + self.also

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "input": self.input, "id": self.id, "confidence": self.confidence, "evidence": self.evidence,
        }
        if self.also:
            out["ids"], out["operator"] = list(self.ids), self.operator
        if self.modified:
            out["modified"] = True
        return out


@functools.lru_cache(maxsize=1)
def spdx_licensing():
    # Imported on first use: most values resolve by id or alias, and a cold `check` should
    # not pay for the SPDX expression machinery it does not need.
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


@record
class Normalizer:
    """Turns raw license values (ids, names, URLs, expressions) into KB ids."""

    kb: KnowledgeBase = field(default_factory=default_kb)

    def license(self, alias: str, where: str = "") -> tuple[LicenseTerms | None, Resolution]:
        """The license a user names by KB id or any alias (`license show`, the API), and how
        the name was resolved (its evidence says why when there is none)."""
        res = self.resolve(alias, "card_license", where)
        return (self.kb.get(res.id) if res.id else None), res

    def resolve(self, value: object, kind: str = "card_license", where: str = "") -> Resolution:
        if not isinstance(value, str):
            return Resolution(repr(value)[:200], None, 0.0, f"not a string but {type(value).__name__}", kind, where)
        raw = value
        value = value.strip()
        if not value:
            return Resolution(raw, None, 0.0, "empty value", kind, where)
        if len(value) > MAX_VALUE_CHARS:
            return Resolution(raw[:200] + "…", None, 0.0, f"{len(value)} characters: too long for a license id, name or URL", kind, where)
        hit = self.kb.lookup(value)
        if hit and hit[1] == "exact":
            return Resolution(raw, hit[0], 1.0, f"exact match on id or alias of {hit[0]}", kind, where)
        if kind == "license_link" or value.startswith(("http://", "https://")):
            res = self._by_link(raw, value, kind, where)
            if res:
                return res
        res = self._by_expression(raw, value, kind, where)
        if res:
            return res
        entry = longtail.entry_for(value)
        if entry is not None:
            key = entry["license_key"]
            curated = self._curated_for_key(key)
            return Resolution(raw, curated or key, 0.9, f"ScanCode license index: key {key}", kind, where)
        if hit:  # loose match
            return Resolution(raw, hit[0], 0.85, f"matches an alias of {hit[0]} ignoring case and punctuation", kind, where)
        return Resolution(raw, None, 0.0, "no KB license has this id, alias or link", kind, where)

    def _curated_for_key(self, key: str) -> str | None:
        hit = self.kb.lookup(key)
        return hit[0] if hit and hit[1] == "exact" else None

    def _by_link(self, raw: str, value: str, kind: str, where: str) -> Resolution | None:
        low = value.lower()
        for lic in self.kb:
            for pattern in lic.link_patterns:
                if pattern.lower() in low:
                    return Resolution(raw, lic.id, 0.9, f"license_link contains {pattern!r}", kind, where)
        # choosealicense.com/licenses/<id>/ and opensource.org/licenses/<id> name the license.
        m = re.search(r"(?:choosealicense\.com|opensource\.org)/licenses?/([A-Za-z0-9.+_-]+)", value)
        if m:
            hit = self.kb.lookup(m.group(1))
            if hit:
                return Resolution(raw, hit[0], 0.9, f"license_link names {m.group(1)!r}", kind, where)
        return None

    def _by_expression(self, raw: str, value: str, kind: str, where: str) -> Resolution | None:
        if not re.search(r"[A-Za-z]", value) or len(value) > 300:
            return None
        from license_expression import ExpressionError

        try:
            expr = spdx_licensing().parse(value, validate=False, simple=False)
        except (ExpressionError, ValueError, TypeError):
            return None
        if expr is None:
            return None
        keys = [s.key for s in spdx_licensing().license_symbols(expr, unique=True, decompose=True)]
        ids = []
        for k in keys:
            hit = self.kb.lookup(k)
            if hit and hit[1] == "exact":
                ids.append(hit[0])
            elif (entry := longtail.entry_for(k)) is not None:
                ids.append(self._curated_for_key(entry["license_key"]) or entry["license_key"])
            else:
                return None  # one unknown symbol makes the whole expression unknown
        if not ids:
            return None
        if len(ids) == 1:
            return Resolution(raw, ids[0], 0.95, f"SPDX license expression {expr}", kind, where)
        op = "AND" if " AND " in str(expr).upper() else "OR"
        return Resolution(raw, ids[0], 0.95, f"SPDX license expression {expr}", kind, where, tuple(ids[1:]), op)

    def resolve_signals(self, signals: Iterable[LicenseSignal], as_of: dt.date | None = None) -> list[Resolution]:
        """Resolve an artifact's signals together.

        - `other`/`unknown` give way to what `license_name`/`license_link` say;
        - duplicates (the same license from tag and card) are merged, keeping the most certain;
        - a family id (e.g. `gemma`) resolves to the version in force on `as_of`.
        """
        signals = list(signals)
        named = [s for s in signals if s.kind in ("license_name", "license_link")]
        results: list[Resolution] = []
        for sig in signals:
            if sig.kind == "license_file":
                continue  # texts are detected by kb.textdetect, which is slow: callers opt in
            res = self.resolve(sig.value, sig.kind, sig.where)
            if named and (res.id in PLACEHOLDERS or sig.value.strip().lower() in PLACEHOLDERS):
                continue  # the name/link below says which license "other" means
            if as_of and res.id:
                current = self.kb.version_in_force(res.id, as_of)
                if current and current.id != res.id:
                    res = Resolution(res.input, current.id, res.confidence,
                                     f"{res.evidence}; version in force on {as_of}: {current.id}",
                                     res.kind, res.where, res.also, res.operator)
            elif res.id and len(self.kb.editions(res.id)) > 1:
                res = Resolution(res.input, res.id, res.confidence,
                                 f"{res.evidence}; no date says which edition: the latest ({res.id}) assumed",
                                 res.kind, res.where, res.also, res.operator, assumed_edition=True)
            results.append(res)
        return dedupe(results)


def dedupe(results: list[Resolution]) -> list[Resolution]:
    """Keep one resolution per id (the most confident), and every unresolved value."""
    best: dict[str, Resolution] = {}
    unknown: list[Resolution] = []
    for res in results:
        if res.id is None:
            if res.kind != "license_link":  # an unrecognised link adds no information of its own
                unknown.append(res)
            continue
        key = ",".join(res.ids)
        if key not in best or res.confidence > best[key].confidence:
            best[key] = res
    return [*best.values(), *unknown]


@functools.lru_cache(maxsize=1)
def default_normalizer() -> Normalizer:
    return Normalizer()
