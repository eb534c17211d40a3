"""The policy file: loading (clearance.toml and pyproject.toml), errors that name file and
key, and evaluation (allow/deny, severity overrides, exceptions)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from clearance.engine.values import Finding, Result
from clearance.policy.evaluate import Evaluator
from clearance.policy.load import PolicyError, find, from_table, load
from clearance.policy.model import Policy

GOOD = """
uses = ["commercial", "redistribution"]
allow = ["permissive", "public-domain", "llama2"]
deny = ["non-commercial"]

[organization]
monthly_active_users = 2_000_000
annual_revenue_usd = 50_000_000
territories = ["us", "DE"]

[severity]
attribution-required = "off"
CLR307 = "error"

[[exceptions]]
model = "Acme/Internal-Llama"
reason = "Meta granted a separate license on 2026-03-01"
expires = 2099-01-01
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_load_clearance_toml(tmp_path, kb):
    policy = load(write(tmp_path, "clearance.toml", GOOD), kb)
    assert policy.uses == ("commercial", "redistribution")
    assert policy.organization.territories == ("US", "DE")
    assert policy.organization.expanded_territories() == {"US", "DE", "EU"}
    assert policy.exceptions[0].expires == dt.date(2099, 1, 1)


def test_load_pyproject_tool_table(tmp_path, kb):
    text = "[project]\nname = 'x'\n\n" + GOOD.replace("[organization]", "[tool.clearance.organization]") \
        .replace("[severity]", "[tool.clearance.severity]").replace("[[exceptions]]", "[[tool.clearance.exceptions]]")
    text = text.replace('uses = ["commercial", "redistribution"]', '[tool.clearance]\nuses = ["commercial", "redistribution"]')
    path = write(tmp_path, "pyproject.toml", text)
    assert find(tmp_path) == path
    assert load(path, kb).organization.monthly_active_users == 2_000_000


def test_find_walks_up_from_a_subfolder(tmp_path):
    path = write(tmp_path, "clearance.toml", "uses = ['research']\n")
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    assert find(sub) == path


@pytest.mark.parametrize(
    "text,message",
    [
        ("uses = [\n", "invalid TOML"),
        ("uses = ['selling']\n", "uses.0"),
        ("[organization]\nterritories = ['Europe']\n", "organization.territories"),
        ("[organization]\nmonthly_active_users = -1\n", "organization.monthly_active_users"),
        ("colour = 'blue'\n", "colour"),
        ("allow = ['no-such-license-xyz']\n", "allow: 'no-such-license-xyz'"),
        ("[severity]\nno-such-finding = 'error'\n", "severity: 'no-such-finding'"),
        ("[severity]\nlicense-conflict = 'fatal'\n", "severity.license-conflict"),
        ("[[exceptions]]\nmodel = 'a/b'\n", "exceptions.0.reason"),
    ],
)
def test_bad_policy_names_file_and_key(tmp_path, kb, text, message):
    path = write(tmp_path, "clearance.toml", text)
    with pytest.raises(PolicyError) as info:
        load(path, kb)
    assert str(path) in str(info.value) and message in str(info.value)


def test_pyproject_without_table(tmp_path):
    with pytest.raises(PolicyError, match="no \\[tool.clearance\\]"):
        load(write(tmp_path, "pyproject.toml", "[project]\nname='x'\n"))


def _result(subject="org/m", verdict="conditional", declared=("llama2",), inherited=("llama2",), findings=()):
    return Result(subject, "commercial", verdict, declared, inherited, (), tuple(findings))


def _finding(name, code, severity):
    return Finding(code, name, severity, "org/m", "msg")


def test_evaluate_allow_deny_and_default_deny(tmp_path, kb):
    ev = Evaluator(load(write(tmp_path, "clearance.toml", GOOD), kb), kb)
    assert ev.evaluate(_result()).passed
    denied = ev.evaluate(_result(declared=("cc-by-nc-4.0",), inherited=()))
    assert not denied.passed and any("cc-by-nc-4.0" in f for f in denied.failures)
    not_allowed = ev.evaluate(_result(declared=("gpl-3.0",), inherited=()))
    assert not not_allowed.passed and any("allow list" in f for f in not_allowed.failures)


def test_evaluate_verdicts_and_severity_overrides(kb):
    ev = Evaluator(Policy(severity={"attribution-required": "off", "CLR307": "error"}), kb)
    assert not ev.evaluate(_result(verdict="blocked")).passed
    assert not ev.evaluate(_result(verdict="unknown")).passed
    out = ev.evaluate(_result(findings=[_finding("attribution-required", "CLR303", "info"),
                                        _finding("output-training-restricted", "CLR307", "warning")]))
    assert [f.name for f in out.result.findings] == ["output-training-restricted"]
    assert out.result.findings[0].severity == "error" and not out.passed


def test_exceptions_waive_expire_and_warn(kb):
    policy = from_table({"exceptions": [
        {"model": "Org/M", "reason": "counsel approved", "expires": "2099-01-01"},
        {"model": "org/old", "reason": "was approved", "expires": "2020-01-01"},
        {"model": "org/never-used", "reason": "stale entry"},
    ]})
    ev = Evaluator(policy, kb, today=dt.date(2026, 11, 22))
    waived = ev.evaluate(_result(verdict="blocked"))
    assert waived.passed and waived.waived_by == "counsel approved" and waived.failures
    assert not ev.evaluate(_result(subject="org/old", verdict="blocked")).passed
    warnings = ev.exception_warnings(["org/m", "org/old"])
    assert any("expired" in w and "org/old" in w for w in warnings)
    assert any("matches no model" in w and "org/never-used" in w for w in warnings)


def test_organization_profile_expands_eu(kb):
    ev = Evaluator(from_table({"organization": {"territories": ["fr", "UK"]}}), kb)
    assert ev.organization().territories == {"FR", "GB", "EU"}
