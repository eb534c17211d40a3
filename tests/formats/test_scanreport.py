"""The scan report's JSON: what `clearance scan --format json` writes is what the reader (and
so the server's ingest) reads back; the reader names the first field that is wrong."""

from __future__ import annotations

import json

import pytest

from clearance.formats import results, scanreport
from clearance.scan.model import Reference, ScanReport
from clearance.util.errors import ClearanceError

REPORT = ScanReport(
    root="app",
    references=[Reference("google/gemma-7b", "model", "app/main.py", 3, "transformers AutoModel.from_pretrained"),
                Reference("tatsu-lab/alpaca", "dataset", "app/data.py", 10, "datasets load_dataset"),
                Reference("acme/fine-tuned", "model", "app/train.py", 20, "push_to_hub", role="produced")],
    files_scanned=2,
    warnings=[],
)


def test_the_json_is_the_results_json_with_the_references_first():
    doc = json.loads(scanreport.to_json(REPORT, [], ["w"]))
    assert list(doc) == ["schema_version", "references", "results", "warnings"]
    assert doc["schema_version"] == 3 and doc["results"] == [] and doc["warnings"] == ["w"]
    assert doc["references"] == [
        {"id": "google/gemma-7b", "kind": "model", "file": "app/main.py", "line": 3, "via": "transformers AutoModel.from_pretrained",
         "role": "used"},
        {"id": "tatsu-lab/alpaca", "kind": "dataset", "file": "app/data.py", "line": 10, "via": "datasets load_dataset",
         "role": "used"},
        {"id": "acme/fine-tuned", "kind": "model", "file": "app/train.py", "line": 20, "via": "push_to_hub", "role": "produced"}]


def test_what_is_written_is_read_back():
    doc = json.loads(scanreport.to_json(REPORT, []))
    assert scanreport.is_scan_report(doc)
    assert scanreport.read(doc) == [scanreport.ReportReference("google/gemma-7b", "model", "app/main.py", 3),
                                    scanreport.ReportReference("tatsu-lab/alpaca", "dataset", "app/data.py", 10),
                                    scanreport.ReportReference("acme/fine-tuned", "model", "app/train.py", 20, "produced")]
    # file, line and kind may be left out
    assert scanreport.read({"schema_version": 1, "references": [{"id": "x/y"}]}) == [scanreport.ReportReference("x/y", "model", "", 0)]


@pytest.mark.parametrize("doc, message", [
    ([], "expected a JSON object"),
    ({"schema_version": 4, "references": []}, "schema_version 4 is not supported (expected one of 1, 2, 3)"),
    ({"schema_version": 2, "references": [{"id": "a/b", "role": "owned"}]}, "references[0].role: 'owned' is not used or produced"),
    ({"schema_version": 1, "references": {}}, "references: expected a list"),
    ({"schema_version": 1, "references": [1]}, "references[0]: expected an object"),
    ({"schema_version": 1, "references": [{"id": 3}]}, "references[0].id: expected a string"),
    ({"schema_version": 1, "references": [{"id": "a/b", "kind": "space"}]}, "references[0].kind: 'space' is not model or dataset"),
    ({"schema_version": 1, "references": [{"id": "a/b", "line": True}]}, "references[0]: file must be a string and line an integer"),
])
def test_the_reader_names_what_is_wrong(doc, message):
    with pytest.raises(scanreport.ScanReportError) as caught:
        scanreport.read(doc)
    assert message in str(caught.value) and isinstance(caught.value, ClearanceError)


def test_the_reader_has_a_limit():
    doc = {"schema_version": 1, "references": [{"id": "a/b"}] * 3}
    with pytest.raises(scanreport.ScanReportError, match="3 entries, more than 2"):
        scanreport.read(doc, max_references=2)


def test_the_text_head_lists_every_reference():
    text = results.to_plain(scanreport.summary_lines(REPORT, 2, "app", "main"))
    assert text == ("3 reference(s) to 2 model(s)/dataset(s) in 2 file(s) under app, on lines added since main\n"
                    "  app/main.py:3  model google/gemma-7b  (transformers AutoModel.from_pretrained)\n"
                    "  app/data.py:10  dataset tatsu-lab/alpaca  (datasets load_dataset)\n"
                    "  app/train.py:20  model acme/fine-tuned  (push_to_hub, published by the project)\n\n")
