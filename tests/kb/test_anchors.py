"""Every curated term is anchored in the license text it paraphrases, checked offline against
ScanCode's copies of the texts (kb/anchors.py): the phrase is in the text under the section
the term cites, thresholds' numbers appear in it, and sentences a license makes users
reproduce appear verbatim. A test that only restated the KB would prove nothing: these read
the license texts."""

from __future__ import annotations

import dataclasses

import pytest

from clearance.kb.anchors import Tally, check_file, headings, number_forms, scancode_text
from clearance.kb.loader import default_dir, parse_file
from tests.kb.gaps import UNANCHORED

FILES = sorted(default_dir().glob("*.yaml"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_term_is_anchored_in_its_text(path):
    lic = parse_file(path)
    problems = check_file(lic)
    if lic.id in UNANCHORED:
        # strict: once its text is found and anchored, it must leave the gap list
        assert problems, f"{lic.id} is anchored now: remove it from tests/kb/gaps.py UNANCHORED"
        assert all("no anchor" in p.message for p in problems), [str(p) for p in problems]
        return
    assert not problems, "\n".join(map(str, problems))


def test_most_terms_are_checked_against_a_local_text():
    tally = Tally()
    for path in FILES:
        check_file(parse_file(path), tally)
    assert tally.local > 0.75 * tally.terms, dataclasses.asdict(tally)


def _llama31():
    return parse_file(default_dir() / "llama3.1.yaml")


def _with_term(lic, name, **changes):
    term = getattr(lic.terms, name).model_copy(update=changes)
    return lic.model_copy(update={"terms": lic.terms.model_copy(update={name: term})})


def test_a_phrase_the_text_does_not_hold_is_reported():
    bad = _with_term(_llama31(), "mau_limit", anchor="greater than 70 million monthly active users")
    assert any("not in the text" in p.message for p in check_file(bad))


def test_a_phrase_under_the_wrong_section_is_reported():
    bad = _with_term(_llama31(), "use_restrictions", section="3. Disclaimer of Warranty")
    assert any("is not under 'disclaimer of warranty'" in p.message for p in check_file(bad))


def test_a_threshold_the_text_does_not_state_is_reported():
    bad = _with_term(_llama31(), "mau_limit", value=70_000_000)
    assert any("70,000,000 is not in the text" in p.message for p in check_file(bad))


def test_a_required_sentence_must_be_verbatim():
    # one word changed in Llama 3.1's Notice-file sentence (1.b.iii)
    bad = _with_term(_llama31(), "notice_text", value="Llama 3.1 is licensed under the Llama 3.1 Community "
                     "License, Copyright © Meta Platforms, Inc. Some Rights Reserved.")
    assert any("verbatim" in p.message for p in check_file(bad))


def test_the_llama_notice_sentences_are_in_the_texts_verbatim():
    # The sentence each Llama version makes every copy carry, as the KB stores it, is the text's.
    for lid, key in (("llama2", "llama-2-license-2023"), ("llama3.1", "llama-3.1-license-2024"),
                     ("llama3.2", "llama-3.2-license-2024"), ("llama3.3", "llama-3.3-license-2024"),
                     ("llama4", "llama-4-cla-2025")):
        lic = parse_file(default_dir() / f"{lid}.yaml")
        sentence = lic.terms.notice_text.value
        assert sentence and " ".join(sentence.split()) in " ".join(scancode_text(key).split()), lid


def test_headings_come_from_the_section_label():
    assert headings("1.b.i Redistribution and Use; 2. Additional Commercial Terms", None) == [
        "redistribution and use", "additional commercial terms"]
    assert headings("Section 4(c)", "Redistribution") == ["redistribution"]
    assert headings("4.", None) == []


def test_threshold_numbers_in_words_and_digits():
    assert "700 million" in number_forms(700_000_000) and "700 000 000" in number_forms(700_000_000)
    assert "1 million" in number_forms(1_000_000)
