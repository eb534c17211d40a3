"""Cross-check Clearance against the public license counts of Open Future's 2022-2023 study.

../shared/data/hub-license-counts-2022-2023 (Open-Future-Foundation/AI-model-licensing, CC0)
holds license counts on the Hub at five dates (2022-09-27 .. 2023-02-27) and a license ->
category table. Two checks:

1. Categories: each of the study's license ids resolved through Clearance's knowledge base,
   its category mapped onto the study's scheme, and the two compared.
2. Counts: models per declared license in the Feb 2022 dump (`clearance hub stats` on
   hub-2022-02.jsonl) against the study's counts seven months later (2022-09-27). The Hub
   only grew in between, so for each license the dump's count should not exceed the study's;
   the ratio shows the growth.

    .venv/bin/python scripts/crosscheck_license_counts.py
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from clearance.analytics.hub import HubAnalysis
from clearance.kb.loader import default_kb
from clearance.kb.normalizer import default_normalizer

ROOT = Path(__file__).resolve().parent.parent
STUDY = ROOT.parent / "shared" / "data" / "hub-license-counts-2022-2023"
DUMP = ROOT.parent / "shared" / "data" / "hub-2022-02.jsonl"

# Clearance category -> the study's scheme (license-categories.md). The study's "Other use
# restrictions" (ND and data-use licenses) is Clearance's `proprietary` (cc-by-nd-4.0, c-uda);
# the NC-ND licenses are `non-commercial` in Clearance, a difference the table shows.
TO_STUDY = {"permissive": "Permissive / BY", "public-domain": "No restrictions / PD", "copyleft": "Copyleft / SA",
            "weak-copyleft": "Copyleft / SA", "non-commercial": "NC use only", "responsible-ai": "RAIL",
            "proprietary": "Other use restrictions", "unknown": "Non categorizable"}


def main() -> int:
    kb, norm = default_kb(), default_normalizer()
    rows = list(csv.DictReader((STUDY / "licenses.csv").open(encoding="utf-8")))
    agree, differ = 0, []
    for row in rows:
        study_cat = row["category"].strip()
        if study_cat in ("unknown", "other"):
            continue
        res = norm.resolve(row["license_id"], "hub_tag")
        lic = kb.get(res.id) if res.id else None
        ours = TO_STUDY.get(lic.category, lic.category) if lic else "unresolved"
        if ours == study_cat:
            agree += 1
        else:
            differ.append((row["license_id"], study_cat, lic.category if lic else "unresolved"))
    total = agree + len(differ)
    print(f"## Categories: {agree}/{total} of the study's licenses fall in the same category ({agree / total:.1%})\n")
    print("| license | study | Clearance |\n|---|---|---|")
    for lid, theirs, ours in differ:
        print(f"| {lid} | {theirs} | {ours} |")

    study = {r["license"].strip(): int(r["count"]) for r in csv.DictReader((STUDY / "output/general/27_09_2022.csv").open())}
    hub = HubAnalysis([DUMP])
    ours = {r["license"]: r["count"] for r in hub.stats(top=200)["top_licenses"]}
    # Ties (same study count) in name order: a set's order changes with the hash seed.
    common = sorted(set(study) & set(ours), key=lambda k: (-study[k], k))
    within = [k for k in common if ours[k] <= study[k]]
    print(f"\n## Counts: Feb 2022 dump vs the study on 2022-09-27: {len(within)}/{len(common)} licenses "
          f"have no more models in the dump than seven months later\n")
    print("| license | Feb 2022 dump | 2022-09-27 study | growth |\n|---|---:|---:|---:|")
    for k in common[:25]:
        print(f"| {k} | {ours[k]:,} | {study[k]:,} | x{study[k] / ours[k]:.2f} |")
    over = [k for k in common if ours[k] > study[k]]
    if over:
        print(f"\nMore in the dump than in the study: {', '.join(f'{k} ({ours[k]} > {study[k]})' for k in over)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
