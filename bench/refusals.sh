#!/usr/bin/env bash
# Issue 16's cases, each run through the CLI: its exit code, the lines it printed on stderr (and their
# length), its wall time against the bound the issue states, and whether an output file that existed
# before is still whole. Writes bench/results/refusals.md. Usage: bench/refusals.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/bench/results/refusals.md"
A="$ROOT/alpa4j"
TMP=$(mktemp -d)
A100="$ROOT/energy-monitor/src/test/resources/perseus/a100sxm_gpt3-175b_8stage_profile.csv"
[ -f "$A100" ] || A100="$ROOT/a100sxm_gpt3-175b_8stage_profile.csv"
SMALL=(--layers 1 --hidden 16 --heads 2 --seq 8 --vocab 8 --batch 4 --no-progress)
"$A" --version >/dev/null
cd "$TMP"
ROWS=()

# case NAME BOUND_S EXPECTED_CODE COMMAND...: runs it, records the row
case_() {
  local name=$1 bound=$2 want=$3; shift 3
  local t0 rc=0
  t0=$(date +%s.%N)
  "$@" >out.txt 2>err.txt || rc=$?
  local secs; secs=$(echo "$(date +%s.%N) - $t0" | bc)
  local lines; lines=$(grep -c '' err.txt || true)
  local chars; chars=$(wc -c < err.txt)
  local first; first=$(head -c 160 err.txt | head -1 | sed 's/|/\\|/g')
  local ok="yes"
  [ "$rc" = "$want" ] && [ "$lines" -le 1 ] && [ "$(echo "$secs <= $bound" | bc)" = 1 ] || ok="NO"
  local file=""
  if [ -n "$POST" ]; then file=$(eval "$POST"); fi
  POST=""
  ROWS+=("| $name | $rc (want $want) | $lines | $chars | $(printf '%.1f' "$secs") (bound $bound) | $file | $ok | \`$first\` |")
}
POST=""   # a command whose output says what became of a file the case must not break

# an output that exists before must be whole after: a valid JSON of 300 steps
"$A" train "${SMALL[@]}" --steps 300 --log-every 1000 --json m.json >/dev/null
intact() { python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$1" 2>/dev/null && echo "whole" || echo "BROKEN"; }

POST='echo "m.json $(intact m.json), $(wc -c < m.json) bytes"'
case_ "train --json m.json under ulimit -f 16 (m.json $(wc -c < m.json) bytes before)" 60 2 bash -c "ulimit -f 16; exec '$A' train ${SMALL[*]} --steps 300 --log-every 1000 --json m.json"
cp "$A100" p.csv; sum=$(md5sum < p.csv)
POST='echo "p.csv $([ "$(md5sum < p.csv)" = "$sum" ] && echo unchanged || echo CHANGED)"'
case_ "energy frontier --profile p.csv --json p.csv" 10 2 "$A" energy frontier --profile p.csv --stages 8 --microbatches 12 --json p.csv
mkdir -p adir
case_ "train --json naming a directory" 10 2 "$A" train "${SMALL[@]}" --steps 100000 --json adir
case_ "train --json /dev/full" 10 2 "$A" train "${SMALL[@]}" --steps 100000 --json /dev/full
case_ "energy frontier --json naming a directory" 10 2 "$A" energy frontier --profile "$A100" --stages 8 --microbatches 12 --json adir
case_ "train --seq 100000" 10 2 "$A" train --seq 100000 --steps 1
case_ "train --hidden 2000000000 --heads 1" 10 2 "$A" train --hidden 2000000000 --heads 1 --steps 1
case_ "train --batch 2000000000" 10 2 "$A" train --batch 2000000000 --steps 1
case_ "plan --hosts 1000000000 --cluster dgx-a100" 10 2 "$A" plan --hosts 1000000000 --cluster dgx-a100 --model mlp
case_ "train --vocab 1000000000" 10 2 "$A" train --vocab 1000000000 --steps 1
case_ "train --layers 4 --hidden 8192 --heads 8 (CPU)" 20 2 "$A" train --layers 4 --hidden 8192 --heads 8 --steps 1
case_ "train --layers 100000" 10 2 "$A" train --layers 100000 --steps 1
case_ "plan --plan dp --memory-budget 1 (an MLP needing 40 GiB)" 20 2 "$A" plan --model mlp --plan dp --memory-budget 1 --cluster dgx-a100 --mesh 1x8 --width 30000 --depth 4
case_ "train --plan dp --mesh 1x2 --memory-budget 0.00001" 30 2 "$A" train --model mlp --plan dp --mesh 1x2 --memory-budget 0.00001 --cluster dgx-a100 --steps 1
case_ "rendezvous-check --timeout 3, rank 1 never comes" 8 2 env RANK=0 WORLD_SIZE=2 LOCAL_RANK=0 MASTER_ADDR=127.0.0.1 MASTER_PORT=29871 "$A" rendezvous-check --timeout 3
case_ "energy frontier --tau-ms 1e-6" 10 2 "$A" energy frontier --profile "$A100" --stages 8 --microbatches 12 --tau-ms 1e-6
case_ "energy frontier --microbatches 100000" 10 2 "$A" energy frontier --profile "$A100" --stages 8 --microbatches 100000
case_ "train --optimizer sgd --momentum NaN" 10 2 "$A" train --optimizer sgd --momentum NaN --steps 1
case_ "train --weight-decay NaN" 10 2 "$A" train --weight-decay NaN --steps 1
case_ "train --microbatches 4 (no pipeline)" 10 2 "$A" train --microbatches 4 --steps 1
case_ "train --schedule gpipe (no pipeline)" 10 2 "$A" train --schedule gpipe --steps 1
case_ "train --log-every -1" 10 2 "$A" train --log-every -1 --steps 1
case_ "train --vocab 1" 10 2 "$A" train --vocab 1 --steps 1
case_ "train --lr 5 (the loss diverges)" 30 3 "$A" train "${SMALL[@]}" --lr 5 --steps 200 --json d.json
case_ "train --load-plan missing.json" 10 2 "$A" train --load-plan missing.json --steps 1
"$A" plan "${SMALL[@]:0:12}" --mesh 1x2 --plan megatron --cluster dgx-a100 --json plan.json >/dev/null
head -c 2000 plan.json > truncated.json
case_ "train --load-plan truncated.json" 10 2 "$A" train "${SMALL[@]}" --load-plan truncated.json --cluster dgx-a100 --steps 1
python3 - "$A100" <<'PY'
import sys
rows = open(sys.argv[1]).read().splitlines()
rows[5] = rows[5].rsplit(",", 1)[0] + "," + "9" * 2_000_000
open("huge-field.csv", "w").write("\n".join(rows) + "\n")
PY
case_ "energy frontier --profile with a 2 MB field" 10 2 "$A" energy frontier --profile huge-field.csv --stages 8 --microbatches 12

# Ctrl-C and SIGTERM while training; SIGKILL of launch
for sig in INT TERM; do
  want=$([ $sig = INT ] && echo 130 || echo 143)
  t0=$(date +%s.%N); rc=0
  ( exec "$A" train "${SMALL[@]}" --steps 100000000 --log-every 100000 --checkpoint-dir "ck-$sig" --json "s-$sig.json" >out.txt 2>err.txt ) &
  pid=$!
  while [ ! -e "s-$sig.json" ] && kill -0 $pid 2>/dev/null; do sleep 0.05; done
  sleep 2; t1=$(date +%s.%N); kill -$sig $pid; wait $pid || rc=$?
  secs=$(echo "$(date +%s.%N) - $t1" | bc)
  ROWS+=("| SIG$sig while training (seconds from the signal to exit) | $rc (want $want) | $(grep -c '' err.txt) | $(wc -c < err.txt) | $(printf '%.1f' "$secs") (bound 5) | s-$sig.json $(intact s-$sig.json), checkpoint $(ls ck-$sig | tail -1) | $([ $rc = $want ] && echo yes || echo NO) | \`$(head -c 160 err.txt | sed 's/|/\\|/g')\` |")
done
( exec "$A" launch --nproc-per-node 1 --master-port 0 -- train "${SMALL[@]}" --steps 100000000 --log-every 100000 --json l.json >out.txt 2>err.txt ) &
L=$!
while [ ! -e l.json ] && kill -0 $L 2>/dev/null; do sleep 0.05; done
W=$(pgrep -P $L | head -1)
kill -9 $L; t1=$(date +%s.%N)
while kill -0 "$W" 2>/dev/null; do sleep 0.05; done
secs=$(echo "$(date +%s.%N) - $t1" | bc)
ROWS+=("| SIGKILL of launch: its worker's exit (seconds) | - | - | - | $(printf '%.1f' "$secs") (bound 10) | l.json $(intact l.json) | $([ "$(echo "$secs <= 10" | bc)" = 1 ] && echo yes || echo NO) | |")

{
  echo "# Issue 16's cases through the CLI"
  echo
  echo "Date: $(date -u +%Y-%m-%d). Commit: ${ALPA4J_BENCH_COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD)}."
  echo "Machine: $(nproc)-core $(lscpu | sed -n 's/^Model name: *//p' | head -1); load average $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Command: \`bench/refusals.sh\`. Times are wall seconds including the JVM's start (about 1-2 s here); the bound is the"
  echo "one the row must keep. \"stderr\" counts lines and characters written to stderr."
  echo
  echo "| case | exit code | stderr lines | stderr chars | seconds | file | as stated | stderr |"
  echo "|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
} > "$OUT"
cat "$OUT"
cd /; rm -rf "$TMP"
