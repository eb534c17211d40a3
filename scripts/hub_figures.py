"""The Hub analytics figures quoted in docs/hub-analytics.md, from the real shared files.

    .venv/bin/python scripts/hub_figures.py            # prints Markdown
    .venv/bin/clearance hub report data/hub-2025-sample.jsonl --out docs/hub-report \
        --leaderboard ../shared/data/open-llm-leaderboard-2025-02.csv      # the charts
"""

from __future__ import annotations

from pathlib import Path

from clearance.analytics.hub import HubAnalysis
from clearance.analytics.leaderboard import leaderboard
from clearance.analytics.report import OPEN, ecosystem_by_category, permissive_share

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
SAMPLE = ROOT / "data" / "hub-2025-sample.jsonl"
DUMP = SHARED / "hub-2022-02.jsonl"
BOARD = SHARED / "open-llm-leaderboard-2025-02.csv"


def pct(a: int, b: int) -> str:
    return f"{a / b:.1%}" if b else "-"


def main() -> None:
    sample, dump = HubAnalysis([SAMPLE]), HubAnalysis([DUMP])
    s, d = sample.stats(top=10), dump.stats(top=10)
    d_open = sum(v for k, v in d["by_category"].items() if k in OPEN)
    print("## Permissive share of models created per quarter (2025 sample)\n")
    print("| quarter | models | permissive or public domain | by downloads |\n|---|---:|---:|---:|")
    for r in permissive_share(sample.trends("quarter")):
        print(f"| {r['period']} | {r['models']:,} | {r['permissive_share']:.1%} | {r['permissive_download_share']:.1%} |")
    print(f"\nFeb 2022 dump, as one point: {d_open:,} of {d['models']:,} models "
          f"({pct(d_open, d['models'])}) declare a permissive or public-domain license.\n")
    print("## Undeclared share\n")
    print(f"- 2025 sample: {s['undeclared']:,} of {s['models']:,} models declare no license ({pct(s['undeclared'], s['models'])}).")
    print(f"- Feb 2022 dump: {d['undeclared']:,} of {d['models']:,} ({pct(d['undeclared'], d['models'])}).\n")
    print("## Conflicts: declared license the lineage does not allow (2025 sample)\n")
    print(f"{s['conflicts']['total']:,} models ({pct(s['conflicts']['total'], s['models'])}).\n")
    print("| declared | inherited | models |\n|---|---|---:|")
    for p in s["conflicts"]["pairs"]:
        print(f"| {p['declared']} | {p['inherited']} | {p['count']:,} |")
    c = s["commercial"]
    print(f"\nCommercial use after lineage (2025 sample): cleared {c['cleared']:,}, conditional {c['conditional']:,}, "
          f"blocked {c['blocked']:,}, unknown {c['unknown']:,}.\n")
    b = leaderboard(BOARD, [SAMPLE])
    bc = b["commercial"]
    print("## Open LLM Leaderboard (2025-02) commercial usability after lineage\n")
    print(f"{b['models']:,} models: cleared {bc['cleared']:,} ({pct(bc['cleared'], b['models'])}), conditional "
          f"{bc['conditional']:,} ({pct(bc['conditional'], b['models'])}), blocked {bc['blocked']:,} "
          f"({pct(bc['blocked'], b['models'])}), unknown {bc['unknown']:,} ({pct(bc['unknown'], b['models'])}). "
          f"{b['declared_license_allows_commercial']:,} declare a license that allows commercial use; "
          f"{b['declared_ok_but_lineage_blocked_or_unknown']:,} of those are blocked or unknown once the lineage is followed.\n")
    fams = sample.families(top=100_000)
    print("## Families ranked by ecosystem size (2025 sample)\n")
    print("| root | root license | derivatives | fine-tunes | quantized | merges | adapters |\n|---|---|---:|---:|---:|---:|---:|")
    for f in fams[:10]:
        print(f"| {f['root']} | {f['root_license']} | {f['derivatives']:,} | {f['finetunes']:,} | {f['quantized']:,} | "
              f"{f['merges']:,} | {f['adapters']:,} |")
    print("\n| root license category | roots | derivatives | mean per root | median per root |\n|---|---:|---:|---:|---:|")
    for r in ecosystem_by_category(fams):
        print(f"| {r['root_category']} | {r['roots']:,} | {r['derivatives']:,} | {r['mean_per_root']:g} | {r['median_per_root']:g} |")


if __name__ == "__main__":
    main()
