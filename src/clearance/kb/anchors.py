"""Is every curated term anchored in the license text it paraphrases?

A term's anchor is a short phrase of the text (`anchor`) found after the heading of the section
the term cites (`under`, by default the words of `section` after its numbering). Where the
source is pinned to ScanCode's local copy of the text (`pins: {text: {scancode: KEY}}`), the
check runs offline: the phrase is there, under that heading; the numbers of a threshold appear
in the text; sentences the license makes users reproduce (`notice_text`, `display`) appear
verbatim. Sources pinned by URL and SHA-256, or not pinned, are counted as anchored to a URL
only: their phrases cannot be checked without the network.

`python -m clearance.kb.anchors` prints every problem and the counts docs/kb.md reports.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from clearance.kb.loader import default_dir, parse_file
from clearance.kb.schema import TERM_NAMES, LicenseFile

# How far (in normalised characters) a phrase may sit after its section's heading. Long
# enough for the longest sections (RAIL attachments, CC's section 3), short enough that a
# heading at the top of a text does not vouch for the whole text.
WINDOW = 12_000
# A text this short has no section headings to speak of (MIT, ISC, BSD): the phrase suffices.
SHORT_TEXT = 4_000
_NUMBERING = re.compile(r"^(?:[0-9]+[a-z]?|[ivxlc]+|[a-z]|section|sections|paragraph|para|clause|article|art|and|of|"
                        r"the|part|attachment|exhibit|annex|schedule|appendix|final|first|second|third|fourth|condition)$")
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'", "\u2013": "-", "\u2014": "-",
                         "\u00a0": " "})
_PLACEHOLDER = re.compile(r"\[[^\]]*\]|<[^>]*>|DATABASE NAME")


def loose(text: str) -> str:
    """Case, punctuation, quotes and line breaks ignored: how phrases and headings are found."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    return " ".join(re.findall(r"[a-z0-9$%]+", text))


def verbatim(text: str) -> str:
    """Only whitespace, quote styles and Markdown emphasis ignored: how required sentences are found."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).replace("*", "").replace("\\", "")
    return " ".join(text.split())


@lru_cache(maxsize=None)
def scancode_dir() -> Path | None:
    import importlib.util

    spec = importlib.util.find_spec("licensedcode")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "licenses"


@lru_cache(maxsize=256)
def scancode_text(key: str) -> str | None:
    """ScanCode's copy of a license text, without its YAML front matter."""
    base = scancode_dir()
    path = base / f"{key}.LICENSE" if base else None
    if path is None or not path.is_file():
        return None
    text = path.read_text(encoding="utf-8", errors="replace")
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end != -1:
            text = text[end + 4:]
    return text


def headings(section: str, under: str | None) -> list[str]:
    """The heading words each part of a section label names ("1.b.i Redistribution and Use;
    2. Additional Commercial Terms" -> two headings)."""
    if under:
        return [loose(under)]
    out = []
    for part in re.split(r";|, and |: ", section):
        words = loose(part).split()
        while words and _NUMBERING.match(words[0]):
            words.pop(0)
        if words:
            out.append(" ".join(words[:6]))
    return out


def number_forms(n: int) -> list[str]:
    """How a threshold may be written: 700,000,000 / 700000000 / 700 million / 1 million."""
    forms = [f"{n:,}", str(n)]
    for unit, size in (("billion", 10**9), ("million", 10**6), ("thousand", 10**3)):
        if n >= size and n % (size // 10) == 0:
            forms.append(f"{n / size:g} {unit}")
            break
    return [loose(f) for f in forms]


@dataclass(frozen=True)
class Problem:
    license: str
    term: str
    message: str

    def __str__(self) -> str:
        return f"{self.license}.yaml: terms.{self.term}: {self.message}"


@dataclass
class Tally:
    terms: int = 0  # stated terms
    local: int = 0  # anchored in a local (ScanCode) text and checked
    pinned_url: int = 0  # anchored in a publisher text pinned by URL and SHA-256
    url_only: int = 0  # anchored, but the source is a URL not pinned to one text
    missing: int = 0  # no anchor at all


def check_file(lic: LicenseFile, tally: Tally | None = None) -> list[Problem]:
    tally = tally if tally is not None else Tally()
    problems: list[Problem] = []
    if lic.category == "unknown":
        return problems  # placeholders (`other`, `unknown`, `cc`) have no text to anchor in
    for name in TERM_NAMES:
        term = getattr(lic.terms, name)
        if term is None:
            continue
        tally.terms += 1
        pin = lic.pins.get(term.source)
        text = scancode_text(pin.scancode) if pin is not None and pin.scancode else None
        if pin is not None and pin.scancode and text is None:
            problems.append(Problem(lic.id, name, f"pinned to ScanCode text {pin.scancode!r}, which is not installed"))
        if not term.anchor:
            tally.missing += 1
            problems.append(Problem(lic.id, name, "no anchor: give a short phrase of the text that states it"))
            continue
        if text is None:
            if pin is not None and pin.sha256:
                tally.pinned_url += 1
            else:
                tally.url_only += 1
            continue
        tally.local += 1
        problems += _check_in_text(lic.id, name, term, text)
    return problems


def _check_in_text(lid: str, name: str, term, text: str) -> list[Problem]:
    out = []
    body = loose(text)
    phrase = loose(term.anchor)
    spots = [m.start() for m in re.finditer(re.escape(phrase), body)]
    if not spots:
        return [Problem(lid, name, f"anchor {term.anchor!r} is not in the text")]
    heads = headings(term.section, term.under)
    if heads and len(body) > SHORT_TEXT:
        found = [h for h in heads if h in body]
        if not found:
            out.append(Problem(lid, name, f"no heading {heads} of section {term.section!r} is in the text: "
                                          "set `under` to the heading as the text words it"))
        elif not any(0 <= p - h < WINDOW for head in found for h in _all(body, head) for p in spots):
            out.append(Problem(lid, name, f"anchor {term.anchor!r} is not under {' / '.join(found)!r}"))
    elif not heads and len(body) > SHORT_TEXT:
        out.append(Problem(lid, name, f"section {term.section!r} has no heading words: set `under`"))
    if name in ("mau_limit", "revenue_limit_usd") and isinstance(term.value, int):
        if not any(f in body for f in number_forms(term.value)):
            out.append(Problem(lid, name, f"the number {term.value:,} is not in the text"))
    if name in ("notice_text", "display") and isinstance(term.value, str):
        flat = verbatim(text)
        pieces = [p.strip(" ,.") for p in _PLACEHOLDER.split(term.value)]
        for piece in (p for p in pieces if len(p) > 3):
            if verbatim(piece) not in flat:
                out.append(Problem(lid, name, f"required words {piece!r} are not in the text verbatim"))
    return out


def _all(body: str, needle: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(needle), body)]


def check_all(paths: list[Path] | None = None) -> tuple[list[Problem], Tally]:
    tally = Tally()
    problems: list[Problem] = []
    for path in paths or sorted(default_dir().glob("*.yaml")):
        problems += check_file(parse_file(path), tally)
    return problems, tally


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    problems, tally = check_all([Path(a) for a in args] or None)
    for p in problems:
        print(p)
    print(f"{tally.terms} stated terms: {tally.local} anchored in a local ScanCode text (checked), "
          f"{tally.pinned_url} in a publisher text pinned by URL and SHA-256, {tally.url_only} to a URL only, "
          f"{tally.missing} without an anchor")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
