#!/usr/bin/env bash
# `make run`: the main job, offline, on bundled real data (data/). Grows with the product.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1
SNAP=data/hub-2025-sample.jsonl
mkdir -p out

echo "== Where does this quantized Llama 2 chat model come from? =="
clearance graph TheBloke/Llama-2-7B-Chat-GGML --snapshot "$SNAP" --offline

echo
echo "== May we use these models in a commercial product? =="
# Exit code 1 means "some model fails the policy": expected here, so the demo goes on.
clearance check Vivian12300/llama-2-7b-chat-hf-mathqa-rationale-2 inceptionai/jais-adapted-7b TheBloke/Llama-2-7B-Chat-GGML \
  microsoft/phi-2 --snapshot "$SNAP" --offline || true
clearance check Vivian12300/llama-2-7b-chat-hf-mathqa-rationale-2 inceptionai/jais-adapted-7b TheBloke/Llama-2-7B-Chat-GGML \
  microsoft/phi-2 --snapshot "$SNAP" --offline --format markdown > out/check-report.md || true

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
clearance hub stats "$SNAP" --format json > out/hub-stats.json
python scripts/kb_coverage.py "$SNAP"
echo
echo "reports written: out/check-report.md, out/hub-stats.json"
