"""Raw license signals -> KB ids: every path of the normalizer, and its refusals to guess."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clearance.artifacts.signals import LicenseSignal
from clearance.kb.normalizer import MAX_VALUE_CHARS, default_normalizer


@pytest.fixture(scope="module")
def norm():
    return default_normalizer()


@pytest.mark.parametrize(
    "value,expected,how",
    [
        ("apache-2.0", "apache-2.0", "exact"),
        ("  Apache-2.0 ", "apache-2.0", "exact"),
        ("Apache 2.0", "apache-2.0", "exact"),  # an alias
        ("APACHE LICENSE 2.0", "apache-2.0", "exact"),
        ("llama2", "llama2", "exact"),
        ("Apache_2.0", "apache-2.0", "loose"),
        ("LicenseRef-scancode-llama-2-license-2023", "llama2", "exact"),  # the curated file's SPDX id
    ],
)
def test_ids_and_aliases(norm, value, expected, how):
    res = norm.resolve(value)
    assert res.id == expected
    assert res.confidence == (1.0 if how == "exact" else 0.85)


def test_spdx_expression_gives_every_license(norm):
    res = norm.resolve("MIT OR Apache-2.0")
    assert set(res.ids) == {"mit", "apache-2.0"} and res.operator == "OR"
    assert res.confidence == 0.95
    res = norm.resolve("Apache-2.0 AND MIT")
    assert set(res.ids) == {"mit", "apache-2.0"} and res.operator == "AND"


def test_expression_with_an_unknown_symbol_is_unknown(norm):
    assert norm.resolve("Apache-2.0 OR my-own-license-xyz").id is None


def test_long_tail_license_resolves_uncurated(norm, kb):
    res = norm.resolve("MPL-1.1")
    assert res.id == "mpl-1.1"
    lic = kb.get(res.id)
    assert lic is not None and not lic.curated and lic.category == "weak-copyleft"
    assert lic.commercial_use == "unknown"


@pytest.mark.parametrize(
    "link,expected",
    [
        ("https://www.apache.org/licenses/LICENSE-2.0", "apache-2.0"),
        ("https://choosealicense.com/licenses/apache-2.0/", "apache-2.0"),
        ("https://ai.meta.com/llama/license/", "llama2"),
    ],
)
def test_license_links(norm, link, expected):
    res = norm.resolve(link, "license_link")
    assert res.id == expected and res.confidence == 0.9


@pytest.mark.parametrize("value", ["my-custom-license", "???", "see LICENSE", "https://example.com/terms", "m"])
def test_unknown_stays_unknown_with_its_raw_text(norm, value):
    res = norm.resolve(value)
    assert res.id is None and res.confidence == 0.0
    assert res.input == value


@pytest.mark.parametrize(
    "value,why",
    [("", "empty"), ("   ", "empty"), (None, "not a string"), (42, "not a string"), (["mit"], "not a string"),
     ("x" * (MAX_VALUE_CHARS + 1), "too long")],
)
def test_bad_values_are_explained(norm, value, why):
    res = norm.resolve(value)
    assert res.id is None and why in res.evidence


def test_other_gives_way_to_license_name(norm):
    signals = [
        LicenseSignal("hub_tag", "other", "tags"),
        LicenseSignal("card_license", "other", "cardData.license"),
        LicenseSignal("license_name", "llama-2-community-license", "cardData.license_name"),
    ]
    results = norm.resolve_signals(signals)
    assert [r.id for r in results] == ["llama2"]
    assert results[0].kind == "license_name"


def test_other_without_a_name_stays_a_placeholder(norm):
    results = norm.resolve_signals([LicenseSignal("hub_tag", "other")])
    assert len(results) == 1 and results[0].input == "other"


def test_tag_and_card_repeating_one_license_count_once(norm):
    results = norm.resolve_signals([LicenseSignal("hub_tag", "apache-2.0"), LicenseSignal("card_license", "Apache 2.0")])
    assert [r.id for r in results] == ["apache-2.0"]


def test_unrecognised_link_alone_adds_nothing_but_unknown_names_are_kept(norm):
    results = norm.resolve_signals([
        LicenseSignal("card_license", "other"),
        LicenseSignal("license_name", "non-commercial-license-dyna1"),
        LicenseSignal("license_link", "https://github.com/WaymentSteeleLab/Dyna-1/blob/main/LICENSE.txt"),
    ])
    assert [(r.id, r.input) for r in results] == [(None, "non-commercial-license-dyna1")]


def test_as_of_does_not_change_a_license_without_older_versions(norm):
    results = norm.resolve_signals([LicenseSignal("hub_tag", "llama2")], as_of=dt.date(2020, 1, 1))
    assert [r.id for r in results] == ["llama2"]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=300), st.binary(max_size=100).map(lambda b: b.decode("latin-1"))))
def test_resolve_never_raises(value):
    res = default_normalizer().resolve(value)
    assert res.id is None or isinstance(res.id, str)
    assert 0.0 <= res.confidence <= 1.0
