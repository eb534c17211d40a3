import datetime as dt

import pytest

from clearance.util.times import assume_utc, span_seconds


@pytest.mark.parametrize("text, seconds", [("90s", 90), ("30m", 1800), ("24h", 86400), ("7d", 604800), (" 12H ", 43200),
                                           ("1.5d", 129600), ("3600", 3600), ("0", 0)])
def test_spans_in_seconds(text, seconds):
    assert span_seconds(text) == seconds


@pytest.mark.parametrize("text", ["soon", "-1h", "1w", "1e3s", "", "h", "2027-01-31"])
def test_what_is_not_a_span_is_none(text):
    assert span_seconds(text) is None


def test_a_unit_can_be_required():
    assert span_seconds("20270131", unit_required=True) is None  # a date in ISO 8601's basic format, not seconds
    assert span_seconds("20270131") == 20270131
    assert span_seconds("2d", unit_required=True) == 172800


def test_naive_datetimes_are_taken_as_utc_and_aware_ones_kept():
    naive = dt.datetime(2026, 5, 1, 12, 30)
    assert assume_utc(naive) == dt.datetime(2026, 5, 1, 12, 30, tzinfo=dt.timezone.utc)
    paris = dt.datetime(2026, 5, 1, 12, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert assume_utc(paris) is paris
    assert assume_utc(None) is None
