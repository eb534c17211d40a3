"""Measure how many declared license occurrences in Hub snapshots resolve to a KB id.

    python scripts/kb_coverage.py FILE.jsonl [FILE.jsonl ...] [--json]

An occurrence is one distinct license value a model declares (its `license:` tags and the
card's `license`, which usually repeat each other, count once per model and value). A
`license: other` occurrence counts as resolved when the card's `license_name` or
`license_link` names a KB license, and as the placeholder `other` otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter

from clearance.artifacts.signals import LicenseSignal
from clearance.kb import default_kb
from clearance.kb.normalizer import PLACEHOLDERS, default_normalizer


def declared(record: dict) -> tuple[set[str], list[LicenseSignal]]:
    values: set[str] = set()
    for tag in record.get("tags") or []:
        if isinstance(tag, str) and tag.startswith("license:"):
            values.add(tag[len("license:"):])
    card = record.get("cardData") or {}
    lic = card.get("license") if isinstance(card, dict) else None
    for v in lic if isinstance(lic, list) else [lic]:
        if isinstance(v, str) and v.strip():
            values.add(v.strip())
    named = []
    if isinstance(card, dict):
        for kind in ("license_name", "license_link"):
            v = card.get(kind)
            if isinstance(v, str) and v.strip():
                named.append(LicenseSignal(kind, v))  # type: ignore[arg-type]
    return values, named


def measure(paths: list[str]) -> dict:
    norm = default_normalizer()
    kb = default_kb()
    total = to_id = to_terms = 0
    unresolved: Counter[str] = Counter()
    placeholder_left: Counter[str] = Counter()
    by_id: Counter[str] = Counter()
    models = 0
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                record = json.loads(line)
                models += 1
                values, named = declared(record)
                for value in values:
                    total += 1
                    res = norm.resolve(value, "hub_tag")
                    if res.id in PLACEHOLDERS and named:
                        named_ids = [r for r in norm.resolve_signals(named) if r.id]
                        if named_ids:
                            res = named_ids[0]
                    if res.id is None:
                        unresolved[value] += 1
                        continue
                    to_id += 1
                    by_id[res.id] += 1
                    lic = kb.get(res.id)
                    if res.id in PLACEHOLDERS:
                        placeholder_left[value + (" + " + "; ".join(s.value for s in named) if named else "")] += 1
                    elif lic is not None and lic.curated:
                        to_terms += 1
    return {
        "files": paths, "models": models, "declared_occurrences": total,
        "resolved_to_kb_id": to_id, "resolved_share": round(to_id / total, 4) if total else None,
        "resolved_to_curated_terms": to_terms, "curated_share": round(to_terms / total, 4) if total else None,
        "top_unresolved": unresolved.most_common(15),
        "placeholders_without_a_name": placeholder_left.most_common(15),
        "top_ids": by_id.most_common(15),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    for path in args.files:
        report = measure([path])
        if args.json:
            print(json.dumps(report, indent=2))
            continue
        print(f"{path}: {report['models']} models, {report['declared_occurrences']} declared license occurrences")
        print(f"  resolve to a KB id:          {report['resolved_to_kb_id']} ({report['resolved_share']:.2%})")
        print(f"  resolve to curated terms:    {report['resolved_to_curated_terms']} ({report['curated_share']:.2%})"
              "  (the rest: placeholders other/unknown/cc, long tail)")
        print(f"  top unresolved raw values:   {report['top_unresolved'] or 'none'}")
        print(f"  placeholders with no name:   {report['placeholders_without_a_name'] or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
