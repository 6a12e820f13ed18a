#!/usr/bin/env bash
# Makes docs/examples/: one HTML report of each kind (small models, this machine's CPU) and a screenshot of
# each taken by headless Chromium. Usage: scripts/report-examples.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/docs/examples"
mkdir -p "$OUT"
cd "$ROOT"
GPT=(--layers 4 --hidden 64 --heads 4 --seq 32 --vocab 16 --batch 16)
./alpa4j train --plan megatron:dp=1,tp=2,pp=2 --mesh 2x2 --microbatches 4 --steps 30 --no-progress "${GPT[@]}" --report "$OUT/train-pipeline.html"
./alpa4j plan --model gpt --mesh 2x2 "${GPT[@]}" --report "$OUT/plan-mesh.html" >/dev/null
./alpa4j plan --model gpt --pipeline --microbatches 4 --no-progress "${GPT[@]}" --report "$OUT/plan-pipeline.html" >/dev/null
./alpa4j energy frontier --profile energy-monitor/src/test/resources/perseus/a100sxm_gpt3-175b_8stage_profile.csv --stages 8 --microbatches 12 \
  --p-blocking 83.64 --report "$OUT/frontier.html" >/dev/null
./alpa4j validate --mesh 1x2 --steps 6 --report "$OUT/validate.html" >/dev/null
if command -v chromium >/dev/null 2>&1; then
  PROFILE=$(mktemp -d)
  trap 'rm -rf "$PROFILE"' EXIT
  for f in "$OUT"/*.html; do
    chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking --disable-component-update \
      --disable-sync --user-data-dir="$PROFILE" --window-size=1000,2200 --virtual-time-budget=5000 \
      --screenshot="${f%.html}.png" "file://$f" 2>/dev/null
  done
fi
ls -la "$OUT"
