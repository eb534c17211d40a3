"""Render clearance results (`check`, `scan`): text for people, JSON, Markdown and SARIF 2.1.0.

Renderers only arrange what the engine and the policy decided; none computes a verdict.
"""

from __future__ import annotations

from collections.abc import Sequence

from clearance.engine.catalogue import rules
from clearance.policy.evaluate import Outcome
from clearance.util import TYPE_CHECKING
from clearance.util.envelope import dumps
from clearance.util.version import __version__

if TYPE_CHECKING:
    from typing import Any


SCHEMA_VERSION = 2  # 2: license-conflict findings carry declared, inherited, ancestor, reason
_VERDICT_STYLE = {"cleared": "bold green", "conditional": "bold yellow", "blocked": "bold red", "unknown": "bold magenta"}
_SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "cyan"}


def result_json(outcome: Outcome) -> dict[str, Any]:
    data = outcome.result.to_json()
    data["policy"] = {"passed": outcome.passed, "failures": list(outcome.failures), "waived_by": outcome.waived_by}
    return data


def to_json(outcomes: Sequence[Outcome], warnings: Sequence[str] = (), extra: dict[str, Any] | None = None) -> str:
    doc: dict[str, Any] = dict(extra or {})
    doc["results"] = [result_json(o) for o in outcomes]
    doc["warnings"] = list(warnings)
    return dumps(SCHEMA_VERSION, doc)


def _chain(path: Sequence[str]) -> str:
    if len(path) > 12:  # a deep lineage: show both ends
        path = [*path[:5], f"… {len(path) - 10} more …", *path[-5:]]
    return " → ".join(path)


# One line of text output: (text, style) segments, styles named as Rich names them. `to_plain`
# writes them with ANSI codes itself: a short command should not pay for importing Rich.
Line = list[tuple[str, str]]


def failure_summary(outcome: Outcome, most: int = 2) -> str:
    """Why an outcome fails the policy, short enough for its verdict line: a failed verdict by
    its first reason, a finding by its code and name, a denied license as the policy says it.
    The full text of every failure follows in the `policy:` lines."""
    r = outcome.result
    parts: list[str] = []
    for failure in outcome.failures:
        if failure.startswith("verdict for ") and r.reasons:
            parts.append(r.reasons[0])
        elif failure.startswith("CLR"):
            parts.append(failure.split(": ", 1)[0])
        else:
            parts.append(failure)
    parts = list(dict.fromkeys(parts))
    more = f" (+{len(parts) - most} more)" if len(parts) > most else ""
    return "; ".join(parts[:most]) + more


def text_lines(outcomes: Sequence[Outcome], warnings: Sequence[str] = ()) -> list[Line]:
    """Verdict first, then why (the evidence chain), then what to do."""
    lines: list[Line] = []
    for o in outcomes:
        r = o.result
        head: Line = [(f"{r.verdict.upper():<11}", _VERDICT_STYLE[r.verdict]), (f" {r.subject}", ""), (f"  for {r.use} use", "dim")]
        if not o.passed:
            head.append((f"  ✗ fails policy: {failure_summary(o)}", "red"))
        elif o.waived_by:
            head.append((f"  ✓ waived: {o.waived_by}", "yellow"))
        lines.append(head)
        lic = f"declares {', '.join(r.declared_licenses) or 'no license'}"
        if r.inherited_licenses:
            lic += f"; bound by {', '.join(r.inherited_licenses)} through its lineage"
        lines.append([("  " + lic, "dim")])
        for reason in r.reasons:
            lines.append([(f"  why: {reason}", "")])
        for f in sorted(r.findings, key=lambda f: ("error", "warning", "info").index(f.severity)):
            lines.append([("  ", ""), (f"{f.severity:<7}", _SEVERITY_STYLE.get(f.severity, "")),
                          (f" {f.code} {f.name}: ", "bold"), (f.message, "")])
            if len(f.path) > 1:
                lines.append([(f"           path: {_chain(f.path)}", "dim")])
            if f.section:
                lines.append([(f"           see: {f.section} — {f.url}", "dim")])
        if r.obligations:
            lines.append([("  to do:", "bold")])
            for ob in r.obligations:
                lines.append([(f"   • {ob.text}  ({ob.license}, {ob.section})", "")])
        for failure in o.failures if not o.passed else ():
            lines.append([(f"  policy: {failure}", "red")])
        lines.append([])
    for w in warnings:
        lines.append([(f"warning: {w}", "yellow")])
    return lines


_SGR = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "magenta": "35", "cyan": "36"}


def wants_color(stream) -> bool:
    """Colour for a terminal, unless NO_COLOR (no-color.org) or TERM=dumb; FORCE_COLOR forces it."""
    import os

    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def to_text(outcomes: Sequence[Outcome], warnings: Sequence[str] = (), color: bool = False) -> str:
    """The text output, with ANSI colours when `color`."""
    return to_plain(text_lines(outcomes, warnings), color)


def to_plain(lines: Sequence[Line], color: bool = False) -> str:
    out = []
    for line in lines:
        parts = []
        for text, style in line:
            codes = [_SGR[w] for w in style.split() if w in _SGR] if color else []
            parts.append(f"\x1b[{';'.join(codes)}m{text}\x1b[0m" if codes else text)
        out.append("".join(parts))
    return "\n".join(out) + "\n"


def to_markdown(outcomes: Sequence[Outcome], warnings: Sequence[str] = ()) -> str:
    lines = ["# Clearance report", "", "| model | use | verdict | policy | licenses |", "|---|---|---|---|---|"]
    for o in outcomes:
        r = o.result
        policy = "pass" if o.passed and not o.waived_by else ("waived" if o.passed else f"**fail**: {_cell(failure_summary(o))}")
        lics = ", ".join(dict.fromkeys((*r.declared_licenses, *r.inherited_licenses))) or "none"
        lines.append(f"| `{r.subject}` | {r.use} | **{r.verdict}** | {policy} | {lics} |")
    for o in outcomes:
        r = o.result
        lines += ["", f"## `{r.subject}` — {r.use}: {r.verdict}", ""]
        lines += [f"- why: {reason}" for reason in r.reasons]
        for f in r.findings:
            lines.append(f"- **{f.severity}** `{f.code}` {f.name}: {f.message}"
                         + (f" (path: {_chain(f.path)})" if len(f.path) > 1 else "")
                         + (f" — [{f.section}]({f.url})" if f.section and f.url else ""))
        if r.obligations:
            lines += ["", "Obligations:", ""]
            lines += [f"- {ob.text} ({ob.license}, {ob.section})" for ob in r.obligations]
    if warnings:
        lines += ["", "## Warnings", ""] + [f"- {w}" for w in warnings]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


# The SARIF rule of a policy failure: the reason a scan exits 1 must be a result code scanning
# shows as blocking, whatever the severity of the findings behind it (a license outside the
# allow list comes with only `note` findings).
POLICY_RULE = {
    "id": "policy", "name": "policy-failure",
    "shortDescription": {"text": "The model or dataset fails the organisation's policy"},
    "fullDescription": {"text": "Its verdict is blocked or unknown, a finding is an error, or a license that binds it "
                                "is denied or not in the allow list: the check exits 1."},
    "help": {"text": "Replace the model, change the policy, or record an exception with its reason.",
             "markdown": "Replace the model, change the policy (`allow`, `deny`, `[severity]`), or record an "
                         "`[[exceptions]]` entry with its reason."},
    "defaultConfiguration": {"level": "error"},
}


def to_sarif(outcomes: Sequence[Outcome], locations: dict[str, tuple[str, int]] | None = None) -> str:
    """SARIF 2.1.0. `locations` maps a subject to the (file, line) that references it (scan);
    without one, results point at the model id as a logical location. Every finding is a
    result at its severity's level; every outcome that fails the policy is one more result at
    `error` level (rule `policy`) with its reasons; results of an outcome an exception waives
    carry a `suppressions` entry with the exception's reason."""
    import json

    catalogue = sorted(rules().values(), key=lambda r: r.code)
    index = {r.name: i for i, r in enumerate(catalogue)}
    results = []
    for o in outcomes:
        r = o.result
        where = (locations or {}).get(r.subject)
        if where:
            located: list[dict[str, Any]] = [{"physicalLocation": {"artifactLocation": {"uri": where[0]},
                                                                   "region": {"startLine": max(where[1], 1)}}}]
        else:
            located = [{"logicalLocations": [{"name": r.subject, "kind": "module"}]}]
        # a checked reference is one the project uses: what it publishes (role produced) is not checked
        props = {"verdict": r.verdict, "use": r.use, "policyPassed": o.passed, **({"role": "used"} if where else {})}
        suppressions = [{"kind": "external", "status": "accepted", "justification": o.waived_by}] if o.waived_by else None
        entries: list[dict[str, Any]] = []
        for f in r.findings:
            entries.append({
                "ruleId": f.code, "ruleIndex": index[f.name], "level": _SARIF_LEVEL[f.severity],
                "message": {"text": f"{r.subject} ({r.use}): {f.message}"},
                "properties": {**props, "path": list(f.path)},
            })
        if o.failures and (not o.passed or o.waived_by):
            entries.append({
                "ruleId": POLICY_RULE["id"], "ruleIndex": len(catalogue), "level": "error",
                "message": {"text": f"{r.subject} ({r.use}) fails the policy: " + "; ".join(o.failures)},
                "properties": {**props, "failures": list(o.failures)},
            })
        for entry in entries:
            entry["locations"] = located
            if suppressions:
                entry["suppressions"] = suppressions
            results.append(entry)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "clearance", "version": __version__,
                "rules": [*({
                    "id": r.code, "name": r.name, "shortDescription": {"text": r.summary},
                    "fullDescription": {"text": r.why}, "help": {"text": r.fix, "markdown": r.page()},
                    "defaultConfiguration": {"level": _SARIF_LEVEL[r.severity]},
                } for r in catalogue), POLICY_RULE],
            }},
            "results": results,
        }],
    }
    return json.dumps(doc, indent=2)


def summary_line(outcomes, references: int | None = None) -> str:
    """One line that ends a text report: how many were checked, each verdict's count, and
    whether the policy passes."""
    from clearance.engine.values import VERDICTS

    counts = {v: 0 for v in VERDICTS}
    for o in outcomes:
        counts[o.result.verdict] = counts.get(o.result.verdict, 0) + 1
    failing = sum(1 for o in outcomes if not o.passed)
    head = f"{references} reference(s), " if references is not None else ""
    verdicts = ", ".join(f"{n} {v}" for v, n in counts.items())
    policy = "policy: pass" if not failing else f"policy: FAIL ({failing} of {len(outcomes)} fail)"
    return f"{head}{len(outcomes)} checked: {verdicts}; {policy}"

