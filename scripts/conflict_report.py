"""license-conflict findings on a snapshot, for review by hand (issue 4).

Runs the engine (`clearance.usecases.check.check`, commercial use, offline) on every model of the
snapshot and prints, for each model's own conflict (the subject declares a license its
lineage does not allow), one TSV row: model, declared, ancestor, ancestor's license, reason,
and the card in ../shared/data/model-cards-2025 when there is one. Then counts by pair.

    .venv/bin/python scripts/conflict_report.py [SNAPSHOT] > conflicts.tsv
"""

from __future__ import annotations

import collections
import json
import sys
from pathlib import Path

from clearance.usecases.check import check

ROOT = Path(__file__).resolve().parent.parent
CARDS = ROOT.parent / "shared" / "data" / "model-cards-2025"


def main() -> None:
    snapshot = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "data" / "hub-2025-sample.jsonl"
    ids = list(dict.fromkeys(json.loads(line)["id"] for line in snapshot.open(encoding="utf-8") if line.strip()))
    run = check(ids, ["commercial"], snapshots=[snapshot], offline=True)
    pairs: collections.Counter[tuple[str, str]] = collections.Counter()
    print("model\tdeclared\tancestor\tancestor_license\treason\tcard")
    for outcome in run.outcomes:
        subject = outcome.result.subject
        for f in outcome.result.findings:
            if f.name != "license-conflict" or f.artifact != subject:
                continue  # each model is counted once, as the subject of its own conflict
            card = CARDS / subject / "README.md"
            print("\t".join([subject, f.declared, f.ancestor, f.inherited, f.reason, str(card) if card.is_file() else ""]))
            pairs[(f.declared, f.inherited)] += 1
    print(f"\n# {sum(pairs.values())} models with a conflict; by (declared, inherited):", file=sys.stderr)
    for (d, a), n in pairs.most_common():
        print(f"#   {d} <- {a}: {n}", file=sys.stderr)


if __name__ == "__main__":
    main()
