"""The findings catalogue: complete, unique, documented, and `explain` prints it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from clearance.cli import app
from clearance.engine.catalogue import SEVERITIES, catalogue_markdown, rule, rules

REQUIRED = """license-conflict missing-license unresolved-license unresolved-ancestor non-commercial-upstream
use-restrictions-pass-through attribution-required naming-rule mau-threshold revenue-threshold
output-training-restricted territory-excluded incompatible-merge license-changed modified-license-text""".split()


def test_every_required_finding_exists_with_a_full_page():
    for name in REQUIRED:
        r = rule(name)
        assert r is not None, name
        assert r.severity in SEVERITIES and r.summary and r.why and r.fix and r.example


def test_codes_and_names_are_unique_and_well_formed():
    codes = [r.code for r in rules().values()]
    assert len(codes) == len(set(codes))
    assert all(c.startswith("CLR") and len(c) == 6 and c[3:].isdigit() for c in codes)


def test_docs_page_is_in_sync_with_the_catalogue():
    doc = Path(__file__).resolve().parents[2] / "docs" / "findings.md"
    assert doc.read_text(encoding="utf-8") == catalogue_markdown(), "regenerate docs/findings.md from the catalogue"


@pytest.mark.parametrize("key", ["CLR103", "clr103", "license-conflict"])
def test_explain_by_code_or_name(key):
    res = CliRunner().invoke(app, ["explain", key])
    assert res.exit_code == 0
    text = " ".join(res.stdout.split())
    assert "license-conflict" in text and "Why it matters" in text and "How to fix it" in text


def test_explain_unknown_exits_2():
    res = CliRunner().invoke(app, ["explain", "CLR999"])
    assert res.exit_code == 2 and "no finding is called" in res.stderr
