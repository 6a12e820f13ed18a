#!/usr/bin/env bash
# Step time of the foundation GPT on the simulated 2x2 CPU mesh against one device, and the share of
# step time spent in collectives; appends a dated section to bench/results/mesh-step-cpu.md (earlier runs
# stay). Usage: bench/mesh-step.sh [steps]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STEPS="${1:-60}"
OUT="$ROOT/bench/results/mesh-step-cpu.md"
TMP=$(mktemp -d)
GPT=(--layers 2 --hidden 64 --heads 4 --seq 32 --vocab 16 --batch 16)
run() { # name, extra flags...
  local name=$1; shift
  "$ROOT/alpa4j" train "${GPT[@]}" "$@" --steps "$STEPS" --no-progress --log-every 100000 --json "$TMP/$name.json" >/dev/null
}
run single
run mesh-auto --mesh 2x2 --plan auto --intra-op-only
for p in dp megatron dp-megatron; do run "mesh-$p" --mesh 2x2 --plan "$p"; done
run pipe-1f1b --mesh 2x2 --plan megatron:dp=2,tp=1,pp=2 --microbatches 4 --schedule 1f1b
run pipe-gpipe --mesh 2x2 --plan megatron:dp=2,tp=1,pp=2 --microbatches 4 --schedule gpipe
{
  [ -s "$OUT" ] || { echo "# Foundation GPT: one CPU device against a simulated 2x2 mesh"; echo; }
  echo "## Run of $(date -u +%Y-%m-%dT%H:%MZ), commit $(git -C "$ROOT" rev-parse --short HEAD), load average $(cut -d' ' -f1-3 /proc/loadavg) before"
  echo
  echo "Date: $(date -u +%Y-%m-%d). Machine: $(nproc)-core $(lscpu | sed -n 's/^Model name: *//p' | head -1)."
  echo "Model: GPT 2 layers, hidden 64, 4 heads, seq 32, vocab 16, batch 16 (512 tokens/step), AdamW fp32."
  echo "Command: \`bench/mesh-step.sh $STEPS\`; means over steps 1..$((STEPS-1)) (step 0 has JIT warm-up)."
  echo "The 2x2 mesh is four simulated devices (one thread each) sharing this machine's cores; collectives"
  echo "are memory copies and barriers, so their share measures synchronisation more than bandwidth."
  echo "Pipelines: bytes are the busiest device's per kind (send-recv: what it sent to the other stage);"
  echo "their collective share includes waiting for the other stage (the pipeline bubble)."
  echo
  echo "| run | step time (ms) | tokens/s | vs one device | collectives, % of step | matmuls, % of step | bytes moved per step (one device) | peak memory per device |"
  echo "|---|---|---|---|---|---|---|---|"
  python3 - "$TMP" <<'PY'
import json,sys,os
d=sys.argv[1]
base=None
for name in ["single","mesh-auto","mesh-dp","mesh-megatron","mesh-dp-megatron","pipe-1f1b","pipe-gpipe"]:
    j=json.load(open(os.path.join(d,name+".json")))
    tps=j["mean_tokens_per_s"]; ms=1000*512/tps
    if base is None: base=ms
    last=j["steps"][-1].get("collective_bytes",{})
    moved=", ".join(f"{k} {v/1024:.0f} KiB" for k,v in sorted(last.items())) or "none"
    label=("one device" if name=="single" else "2x2, plan "+name[5:] if name.startswith("mesh")
           else "2x2 as 2 stages of 1x2 (dp=2, pp=2), 4 microbatches, "+name[5:])
    print(f"| {label} | {ms:.1f} | {tps:,.0f} | {base/ms:.2f}x | {100*j['collective_share']:.0f} | {100*j['matmul_share']:.0f} | {moved} | {j['peak_bytes_per_device']/2**20:.2f} MiB |")
PY
  echo
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
} >> "$OUT"
tail -20 "$OUT"
