#!/usr/bin/env bash
# `make run`: the main job, offline, on bundled real data (data/): scan an example application,
# print verdicts, write the reports. Every step is a command a user would type.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1
SNAP=data/hub-2025-sample.jsonl
APP=examples/support-bot
OUT=out
mkdir -p "$OUT"

echo "== Which models and datasets does $APP use, and may we ship it commercially? =="
# Exit code 1 means "something fails the policy": expected here (a blocked model), so the demo goes on.
clearance scan "$APP" --snapshot "$SNAP" --offline || true
clearance scan "$APP" --snapshot "$SNAP" --offline --format markdown > "$OUT/scan-report.md" || true
clearance scan "$APP" --snapshot "$SNAP" --offline --format sarif > "$OUT/scan.sarif" || true
clearance scan "$APP" --snapshot "$SNAP" --offline --format json > "$OUT/scan.json" || true

echo
echo "== Where does one of them come from? =="
clearance graph inceptionai/jais-adapted-7b --snapshot "$SNAP" --offline

echo
echo "== What must we ship with it? (NOTICE) =="
clearance notice "$APP" --snapshot "$SNAP" --offline --format markdown --out "$OUT/NOTICE.md"
clearance notice "$APP" --snapshot "$SNAP" --offline | head -20

echo
echo "== AI bill of materials (CycloneDX 1.6 and SPDX 3.0.1) =="
clearance bom "$APP" --snapshot "$SNAP" --offline --out "$OUT/bom.cdx.json"
clearance bom "$APP" --snapshot "$SNAP" --offline --format spdx --out "$OUT/bom.spdx.json"

echo
echo "== We fine-tune the blocked model's base: what may our derivative be licensed as? =="
clearance advise my-org/support-gemma --base google/gemma-7b --snapshot "$SNAP" --offline

echo
echo "== Pin what we cleared, then catch a relabelling a month later (clearance.lock) =="
# data/drift: the same Hub records twice; in after.jsonl one model was relabelled (an edit made
# for the demo). The lock is taken from the first; scan --locked against the second fails on it.
rm -rf "$OUT/locked-app" && cp -r "$APP" "$OUT/locked-app"
clearance lock "$OUT/locked-app" --snapshot data/drift/before.jsonl --offline
if clearance scan "$OUT/locked-app" --snapshot data/drift/after.jsonl --offline --locked > "$OUT/scan-locked.txt"; then
  echo "expected scan --locked to fail on the relabelled model" >&2; exit 1
fi
grep "license-changed" "$OUT/scan-locked.txt"
clearance lock "$OUT/locked-app" --snapshot data/drift/after.jsonl --offline --update

echo
echo "== What does the knowledge base say about Llama 2? =="
clearance license show llama2

echo
echo "== Which licenses do these raw values and texts name? =="
clearance license identify "Apache 2.0" "llama-2-community-license" "qwen" \
  "https://ai.google.dev/gemma/terms" "MIT OR Apache-2.0" "my-own-license" \
  tests/fixtures/licenses/MODIFIED-MIT.txt

echo
echo "== The whole snapshot: licenses, conflicts, commercial verdicts =="
clearance hub stats "$SNAP" --top 8
clearance hub report "$SNAP" --out "$OUT/hub-report"
echo
echo "reports written to $OUT/: scan-report.md, scan.sarif, scan.json, NOTICE.md, bom.cdx.json, bom.spdx.json, locked-app/clearance.lock, scan-locked.txt, hub-report/index.html"
