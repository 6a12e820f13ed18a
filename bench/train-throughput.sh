#!/usr/bin/env bash
# Single-device CPU training throughput of the foundation's GPTs; writes bench/results/train-throughput-cpu.md.
# Usage: bench/train-throughput.sh [steps]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STEPS="${1:-60}"
OUT="$ROOT/bench/results/train-throughput-cpu.md"
TMP=$(mktemp -d)
run() { # name, flags...
  local name=$1; shift
  "$ROOT/alpa4j" train "$@" --steps "$STEPS" --no-progress --log-every 100000 --json "$TMP/$name.json" >/dev/null
}
run tiny  --layers 2 --hidden 64  --heads 4 --seq 32  --vocab 16  --batch 16
run gpt6  --layers 6 --hidden 256 --heads 8 --seq 128 --vocab 256 --batch 8
{
  echo "# Single-device CPU training throughput"
  echo
  echo "Date: $(date -u +%Y-%m-%d). Machine: $(nproc)-core $(lscpu | sed -n 's/^Model name: *//p' | head -1)."
  echo "Command: \`bench/train-throughput.sh $STEPS\` (AdamW, fp32, $STEPS steps; the first step, with JIT warm-up, excluded)."
  echo
  echo "| model | parameters | tokens/step | tokens/s | step time (ms) | share in OpenBLAS matmuls | peak memory (MiB) | final loss |"
  echo "|---|---|---|---|---|---|---|---|"
  for n in tiny gpt6; do
    python3 - "$TMP/$n.json" <<'PY'
import json,sys
j=json.load(open(sys.argv[1])); c=j["config"]
tok=c["batch"]*c["seq"]
name=f'GPT {c["layers"]} layers, hidden {c["hidden"]}, {c["heads"]} heads, seq {c["seq"]}, vocab {c["vocab"]}, batch {c["batch"]}'
tps=j["mean_tokens_per_s"]
print(f'| {name} | {j["parameters"]:,} | {tok} | {tps:,.0f} | {1000*tok/tps:.1f} | {100*j["matmul_share"]:.0f} % | {j["peak_bytes_per_device"]/2**20:.1f} | {j["final_loss"]:.4f} |')
PY
  done
} > "$OUT"
cat "$OUT"
