#!/usr/bin/env bash
# `make run`: the main job, offline, on bundled real data. Grows with the product.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1
mkdir -p out

echo "== What does the knowledge base say about Llama 3.1? =="
clearance license show llama3.1

echo
echo "== Which licenses do these raw values and texts name? =="
clearance license identify "Apache 2.0" "llama-2-community-license" "qwen" \
  "https://ai.google.dev/gemma/terms" "MIT OR Apache-2.0" "my-own-license" \
  tests/fixtures/licenses/MODIFIED-MIT.txt

echo
echo "== How much of a real Hub snapshot resolves to known licenses? (data/hub-2025-sample.jsonl) =="
python scripts/kb_coverage.py data/hub-2025-sample.jsonl
python scripts/kb_coverage.py --json data/hub-2025-sample.jsonl > out/kb-coverage.json
echo
echo "report written: out/kb-coverage.json"
