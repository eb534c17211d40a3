"""`clearance init`: a starter policy written from what a project uses today.

The project's models are checked for commercial use; the policy allows the open categories
and every license the project already relies on whose terms allow commercial use (their
conditions stay obligations), denies non-commercial licenses, and lists what fails today as
commented-out exceptions to decide on. Nothing is waived silently: an exception only takes
effect once a person uncomments it and writes the reason.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from clearance.engine.compat import OPEN_CATEGORIES
from clearance.kb.loader import KnowledgeBase
from clearance.usecases.check import CheckRun

OPEN = OPEN_CATEGORIES


def _toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def starter_policy(run: CheckRun, kb: KnowledgeBase, source: str, targets: Sequence[str],
                   today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    in_use: dict[str, set[str]] = {}
    failing: list[tuple[str, str]] = []
    for outcome in run.outcomes:
        r = outcome.result
        for lid in (*r.declared_licenses, *r.inherited_licenses):
            lic = kb.get(lid)  # an edition is allowed by its agreement's id (`gemma`, not a dated edition)
            in_use.setdefault(lic.agreement if lic is not None and lic.agreement else lid, set()).add(r.subject)
        errors = [f for f in r.findings if f.severity == "error"]
        if r.verdict in ("blocked", "unknown"):
            why = r.reasons[0] if r.reasons else r.verdict
            failing.append((r.subject, f"{r.verdict}: {why}"))
        elif errors:  # the evaluator fails error findings too (a license conflict on a conditional model)
            failing.append((r.subject, f"{errors[0].name}: {errors[0].message}"))
    allowed, not_allowed = [], []
    for lid in sorted(in_use):
        lic = kb.get(lid)
        if lic is None or lic.category in OPEN:
            continue
        (allowed if lic.commercial_use in ("yes", "conditional") else not_allowed).append(lic)
    lines = [
        f"# Starter policy written by `clearance init` on {today.isoformat()} from {len(targets)} model(s) and",
        f"# dataset(s) referenced in {source}. Review every line; `clearance check` and `clearance scan`",
        "# read this file from the project folder (or [tool.clearance] in pyproject.toml).",
        "",
        'uses = ["commercial"]',
        "",
        "# Open licenses, and the licenses this project already relies on whose terms allow commercial",
        "# use: their conditions (notices, use policies, user thresholds) are reported as obligations.",
        "allow = [" + ", ".join(_toml_str(x) for x in (*OPEN, *(lic.id for lic in allowed))) + "]",
        'deny = ["non-commercial"]',
        "",
        "[organization]",
        "# Licenses such as Llama's and Stability's set user and revenue thresholds: fill these in",
        "# for exact verdicts. Territories: ISO 3166-1 alpha-2 codes, or EU.",
        "# monthly_active_users = 0",
        "# annual_revenue_usd = 0",
        '# territories = ["US"]',
    ]
    if not_allowed:
        lines += ["", "# In use but not allowed for commercial use:"]
        lines += [f"#   {lic.id} ({lic.category}): {', '.join(sorted(in_use[lic.id])[:5])}" for lic in not_allowed]
    if failing:
        lines += ["", "# These fail today. Replace them, or record why they are fine and uncomment:"]
        for subject, why in failing:
            lines += ["", f"# {why}"[:300], "# [[exceptions]]", f"# model = {_toml_str(subject)}",
                      '# reason = "why this use is cleared (e.g. a signed agreement)"', f"# expires = {today.replace(year=today.year + 1).isoformat()}"]
    return "\n".join(lines) + "\n"
