"""License text detection (LICENSE, LICENSE.md, USE_POLICY.md ...) with ScanCode.

ScanCode's index takes seconds to load, so it is loaded once, on first use, and only by
callers that have a text to detect. A text that matches a known license but carries a
substantial share of words ScanCode could not match is reported as `modified` — the
"modified MIT" pattern, where a vendor adds conditions to a familiar license.
"""

from __future__ import annotations

import functools
from pathlib import Path

from clearance.kb.loader import KnowledgeBase, default_kb
from clearance.kb.normalizer import Resolution
from clearance.util.errors import ClearanceError

MAX_TEXT_BYTES = 2 * 1024 * 1024
# Share of the text's words outside any license match above which a known license counts
# as materially modified. Headers, titles and copyright lines stay well below it.
MODIFIED_UNMATCHED_SHARE = 0.15
MODIFIED_MIN_WORDS = 25
# A full-text match covering less of the license's own text than this is a partial match.
FULL_TEXT_COVERAGE = 95.0


class TextError(ClearanceError, ValueError):
    """The input cannot be a license text (binary, empty, too large, unreadable)."""


def read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_TEXT_BYTES:
            raise TextError(f"{path}: {size} bytes, larger than the {MAX_TEXT_BYTES} bytes a license text may be")
        data = path.read_bytes()
    except OSError as exc:
        raise TextError(f"{path}: cannot read: {exc.strerror}") from None
    return decode_text(data, str(path))


def decode_text(data: bytes, where: str) -> str:
    if len(data) > MAX_TEXT_BYTES:
        raise TextError(f"{where}: {len(data)} bytes, larger than the {MAX_TEXT_BYTES} bytes a license text may be")
    if b"\x00" in data[:8192]:
        raise TextError(f"{where}: binary data (NUL bytes), not a license text")
    text = data.decode("utf-8", errors="replace")
    if not text.strip():
        raise TextError(f"{where}: empty")
    return text


@functools.lru_cache(maxsize=1)
def _index():
    import warnings

    with warnings.catch_warnings():  # typecode warns that it uses the system's libmagic: fine here
        warnings.simplefilter("ignore")
        from licensedcode.cache import get_index  # heavy import, deferred on purpose

        return get_index()


def detect(text: str, where: str = "", kb: KnowledgeBase | None = None) -> Resolution:
    """Detect the license a text states; map ScanCode's keys to KB ids."""
    kb = kb or default_kb()
    matches = _index().match(query_string=text)
    words = len(text.split())
    if not matches:
        return Resolution(where or "text", None, 0.0, "ScanCode found no license in the text", "license_file", where)
    matched_words = sum(m.len() for m in matches)
    texts = [m for m in matches if m.rule.is_license_text]
    best = max(texts or matches, key=lambda m: m.len())
    keys = _split(best.rule.license_expression)
    for m in sorted(matches, key=lambda m: -m.len()):  # other licenses stated in the same file
        keys += [k for k in _split(m.rule.license_expression) if k not in keys]
    ids = []
    for key in keys:
        hit = kb.lookup(key)
        ids.append(hit[0] if hit and hit[1] == "exact" else key)
    unmatched = max(words - matched_words, 0)
    kind = "full text" if texts else "notice or reference"
    # Only a full license text can be "modified": a short reference in a README is not.
    modified = bool(texts) and (
        best.coverage() < FULL_TEXT_COVERAGE
        or (unmatched >= MODIFIED_MIN_WORDS and unmatched / max(words, 1) > MODIFIED_UNMATCHED_SHARE)
    )
    confidence = round(min(best.score(), 100.0) / 100 * (0.5 if modified else 1.0), 2)
    evidence = (f"ScanCode matched {best.rule.license_expression} ({kind}, rule {best.rule.identifier}, "
                f"coverage {best.coverage():.0f}%)")
    if modified:
        evidence += f"; {unmatched} of {words} words match no license text: materially modified"
    if modified:
        ids = ids[:1]  # the other keys of a partial match are ScanCode's guesses, not statements
    if not ids:
        return Resolution(where or "text", None, 0.0, f"{evidence}: no known license", "license_file", where)
    return Resolution(where or "text", ids[0], confidence, evidence, "license_file", where,
                      tuple(ids[1:]), "AND" if len(ids) > 1 else None, modified)


# ScanCode keys that say "some license text is here" without naming one.
_NOT_A_LICENSE = ("unknown", "unknown-license-reference", "warranty-disclaimer", "free-unknown")


def _split(expression: str) -> list[str]:
    out = []
    for token in expression.replace("(", " ").replace(")", " ").split():
        if token.upper() not in ("AND", "OR", "WITH") and token not in _NOT_A_LICENSE:
            out.append(token)
    return list(dict.fromkeys(out))


def detect_file(path: Path, kb: KnowledgeBase | None = None) -> Resolution:
    return detect(read_text(path), str(path), kb)
