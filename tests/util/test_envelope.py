import json

from clearance.util.envelope import dumps, envelope, version_of


def test_the_version_comes_first_and_the_payload_keeps_its_order():
    doc = envelope(3, results=[1], warnings=[])
    assert list(doc) == ["schema_version", "results", "warnings"]
    assert doc["schema_version"] == 3


def test_dumps_writes_the_same_document_indented():
    text = dumps(2, {"rows": [{"a": 1}]})
    assert json.loads(text) == {"schema_version": 2, "rows": [{"a": 1}]}
    assert text.startswith('{\n  "schema_version": 2,')


def test_dumps_passes_default_for_values_json_cannot_write():
    import datetime as dt

    assert json.loads(dumps(1, {"day": dt.date(2025, 1, 2)}, default=str))["day"] == "2025-01-02"


def test_version_of_reads_only_objects():
    assert version_of({"schema_version": 2}) == 2
    assert version_of({"references": []}) is None
    assert version_of([{"schema_version": 2}]) is None
