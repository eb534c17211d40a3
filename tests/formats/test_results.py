"""Result renderers: the JSON contract, Markdown, text, and SARIF 2.1.0 checked by a SARIF
object model from the registry (sarif-pydantic) plus the rules GitHub code scanning needs."""

from __future__ import annotations

import json
import re

import pytest
from sarif_pydantic import Sarif

from clearance.engine.catalogue import rules
from clearance.engine.values import Finding, Obligation, Result
from clearance.formats import results as render
from clearance.policy.evaluate import Outcome

CONFLICT = Finding("CLR103", "license-conflict", "error", "org/child", "org/child declares mit but descends from meta/llama (llama2): why",
                   ("org/child", "meta/llama"), "https://github.com/meta-llama/llama/blob/main/LICENSE", "1.b.i",
                   declared="mit", inherited="llama2", ancestor="meta/llama", reason="why")
NOTICE = Finding("CLR303", "attribution-required", "info", "meta/llama", "Llama 2: display the notice", ("org/child", "meta/llama"))
RESULT = Result("org/child", "commercial", "conditional", ("mit",), ("llama2",),
                (Obligation("llama2", "stay below 700,000,000 monthly active users", "2. Additional Commercial Terms", "https://x"),),
                (CONFLICT, NOTICE), ())
BLOCKED = Result("org/nc", "commercial", "blocked", ("cc-by-nc-4.0",), (), (), (), ("cc-by-nc-4.0 does not allow commercial use",))
OUTCOMES = [Outcome(RESULT, False, ("CLR103 license-conflict: ...",)), Outcome(BLOCKED, True, ("verdict blocked",), "counsel approved")]


def test_json_contract():
    doc = json.loads(render.to_json(OUTCOMES, ["exception for x matches no model checked"]))
    assert doc["schema_version"] == 2
    first = doc["results"][0]
    assert set(first) >= {"subject", "use", "verdict", "declared_licenses", "inherited_licenses", "obligations", "findings"}
    assert first["findings"][0] == {
        "code": "CLR103", "name": "license-conflict", "severity": "error", "artifact": "org/child",
        "message": CONFLICT.message, "path": ["org/child", "meta/llama"],
        "source": {"url": CONFLICT.url, "section": "1.b.i"},
        "declared": "mit", "inherited": "llama2", "ancestor": "meta/llama", "reason": "why",  # schema 2
    }
    assert "declared" not in first["findings"][1]  # only findings that carry them write them
    assert first["obligations"][0]["license"] == "llama2" and first["obligations"][0]["section"].startswith("2.")
    assert first["policy"] == {"passed": False, "failures": ["CLR103 license-conflict: ..."], "waived_by": None}
    assert doc["results"][1]["policy"]["waived_by"] == "counsel approved"
    assert doc["warnings"] == ["exception for x matches no model checked"]


def test_text_puts_the_verdict_first_then_why_then_what_to_do():
    text = render.to_text(OUTCOMES)
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines[0].startswith("CONDITIONAL") and "org/child" in lines[0] and "fails policy" in lines[0]
    assert text.index("CLR103") < text.index("to do:")
    assert "org/child → meta/llama" in text
    assert "BLOCKED" in text and "waived: counsel approved" in text


def test_text_colours_only_when_asked_and_says_the_same():
    plain, coloured = render.to_text(OUTCOMES), render.to_text(OUTCOMES, color=True)
    assert "\x1b[" not in plain
    assert coloured.startswith("\x1b[1;33mCONDITIONAL")  # bold yellow verdict
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


@pytest.mark.parametrize(("env", "tty", "expected"), [
    ({}, True, True), ({}, False, False), ({"NO_COLOR": "1"}, True, False),
    ({"TERM": "dumb"}, True, False), ({"FORCE_COLOR": "1"}, False, True),
])
def test_colour_follows_the_terminal_and_the_conventions(monkeypatch, env, tty, expected):
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    class Stream:
        def isatty(self):
            return tty

    assert render.wants_color(Stream()) is expected


def test_markdown_has_a_summary_table_and_sections():
    md = render.to_markdown(OUTCOMES)
    assert "| `org/child` | commercial | **conditional** | **fail**: CLR103 license-conflict | mit, llama2 |" in md
    assert "## `org/nc` — commercial: blocked" in md and "- why: cc-by-nc-4.0 does not allow commercial use" in md


def test_the_verdict_line_says_why_it_fails():
    lines = render.to_text(OUTCOMES).splitlines()
    assert lines[0].endswith("✗ fails policy: CLR103 license-conflict")
    blocked = Outcome(BLOCKED, False, ("verdict for commercial use is blocked: cc-by-nc-4.0 does not allow commercial use",
                                       "license cc-by-nc-4.0 is not in the policy's allow list"))
    head = render.to_text([blocked]).splitlines()[0]
    assert head.startswith("BLOCKED") and head.endswith(
        "✗ fails policy: cc-by-nc-4.0 does not allow commercial use; license cc-by-nc-4.0 is not in the policy's allow list")


def test_sarif_makes_a_policy_failure_an_error_with_its_reason_and_suppresses_waived_results():
    # A license outside the allow list: the only finding is a note, yet the check exits 1.
    note_only = Result("org/m", "commercial", "conditional", ("llama2",), (), (), (NOTICE,), ())
    failed = Outcome(note_only, False, ("license llama2 is not in the policy's allow list",))
    waived = Outcome(RESULT, True, ("CLR103 license-conflict: ...",), "counsel approved")
    doc = json.loads(render.to_sarif([failed, waived]))
    Sarif.model_validate(doc)
    results = doc["runs"][0]["results"]
    mine = [r for r in results if r["message"]["text"].startswith("org/m ")]
    assert [r["level"] for r in mine] == ["note", "error"]
    policy = mine[1]
    assert policy["ruleId"] == "policy" and doc["runs"][0]["tool"]["driver"]["rules"][policy["ruleIndex"]]["id"] == "policy"
    assert "license llama2 is not in the policy's allow list" in policy["message"]["text"]
    assert not any("suppressions" in r for r in mine)
    theirs = [r for r in results if r["message"]["text"].startswith("org/child ")]
    assert len(theirs) == 3 and {r["ruleId"] for r in theirs} == {"CLR103", "CLR303", "policy"}
    assert all(r["suppressions"] == [{"kind": "external", "status": "accepted", "justification": "counsel approved"}]
               for r in theirs)


def test_deep_paths_are_elided_in_text():
    path = tuple(f"m{i}" for i in range(100))
    assert render._chain(path).count("→") < 15 and "90 more" in render._chain(path)


@pytest.mark.parametrize("locations", [None, {"org/child": ("app/main.py", 12)}])
def test_sarif_is_valid_2_1_0(locations):
    raw = render.to_sarif(OUTCOMES, locations)
    doc = json.loads(raw)
    log = Sarif.model_validate(doc)  # the SARIF object model parses it
    assert log.version == "2.1.0" and len(log.runs) == 1
    driver = doc["runs"][0]["tool"]["driver"]
    assert driver["name"] == "clearance"
    assert [r["id"] for r in driver["rules"]] == [*sorted(r.code for r in rules().values()), "policy"]
    results = doc["runs"][0]["results"]
    assert len(results) == 4  # two findings of org/child, its policy failure, org/nc's waived failure
    for res in results:
        rule = driver["rules"][res["ruleIndex"]]
        assert rule["id"] == res["ruleId"]
        assert res["level"] in ("error", "warning", "note")
        assert res["message"]["text"]
        assert res["locations"]
    if locations:
        region = results[0]["locations"][0]["physicalLocation"]
        assert region["artifactLocation"]["uri"] == "app/main.py" and region["region"]["startLine"] == 12
