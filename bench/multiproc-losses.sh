#!/usr/bin/env bash
# Trains the same plan in one process and under `alpa4j launch` with one JVM per rank (CPU, collectives
# over the TCP test transport) for 20 steps and compares the losses step by step; then kills one rank
# of a running 2-rank job with SIGKILL and records how the other stops. Writes bench/results/multiproc-losses.md.
# Heavy: run it as  flock /tmp/alpa4j-heavy.lock bench/multiproc-losses.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/bench/results/multiproc-losses.md"
TMP=$(mktemp -d)
STEPS="${1:-20}"
GPT=(--hidden 32 --seq 16 --steps "$STEPS" --no-progress --log-every 1000)
"$ROOT/alpa4j" --version >/dev/null   # builds the jar if the sources changed
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
COMMIT="${ALPA4J_BENCH_COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD)}"
rows=()
compare() { # name, ranks, plan flags...
  local name=$1 ranks=$2; shift 2
  "$ROOT/alpa4j" train "${GPT[@]}" "$@" --json "$TMP/$name-1.json" >/dev/null
  "$ROOT/alpa4j" launch --nproc-per-node "$ranks" --master-port 0 -- train "${GPT[@]}" "$@" --json "$TMP/$name-n.json" >/dev/null 2>&1
  rows+=("$(python3 - "$TMP/$name-1.json" "$TMP/$name-n.json" "$name" "$ranks" "$*" <<'PY'
import json, sys
a = [s["loss"] for s in json.load(open(sys.argv[1]))["steps"]]
b = [s["loss"] for s in json.load(open(sys.argv[2]))["steps"]]
assert len(a) == len(b), (len(a), len(b))
d = max(abs(x - y) for x, y in zip(a, b))
print(f"| {sys.argv[3]} | `{sys.argv[5]}` | {sys.argv[4]} | {len(a)} | {a[0]:.6f} | {a[-1]:.6f} | {b[-1]:.6f} | {d:.2e} | {'yes' if d <= 1e-5 else 'NO'} |")
PY
)")
}
compare mesh1x2 2 --mesh 1x2 --plan megatron
compare mesh2x2 4 --mesh 2x2 --plan megatron
compare pipeline2 4 --mesh 2x2 --plan megatron:dp=1,tp=2,pp=2
compare pipeline2-2ranks 2 --mesh 2x2 --plan megatron:dp=1,tp=2,pp=2

# a killed rank: start two ranks as srun would (no launcher watching both), SIGKILL rank 1 once both train
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
for r in 0 1; do
  (RANK=$r WORLD_SIZE=2 LOCAL_RANK=$r MASTER_ADDR=127.0.0.1 MASTER_PORT=$PORT exec "$ROOT/alpa4j" train --hidden 32 --seq 16 \
     --steps 1000000 --log-every 1 --no-progress --mesh 1x2 --plan megatron --rendezvous-timeout 60 >"$TMP/k$r.out" 2>"$TMP/k$r.err") &
  eval "PID$r=$!"
done
while ! grep -q '^step' "$TMP/k1.out" 2>/dev/null || ! grep -q '^step' "$TMP/k0.out" 2>/dev/null; do sleep 0.1; done
T0=$(date +%s.%N)
kill -9 "$PID1"
set +e; wait "$PID0"; CODE=$?; set -e
T1=$(date +%s.%N)
wait "$PID1" 2>/dev/null || true
STOP=$(python3 -c "print(f'{$T1-$T0:.2f}')")
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
{
  echo "# Multi-process training on the CPU: the same losses as one process"
  echo
  echo "Date: $(date +%F). Commit: $COMMIT."
  echo "Machine: $(nproc)-core $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average before: $LOAD_BEFORE, after: $LOAD_AFTER."
  echo "Command: \`flock /tmp/alpa4j-heavy.lock bench/multiproc-losses.sh $STEPS\`."
  echo "Model: GPT 2 layers, hidden 32, 4 heads, seq 16, vocab 16, AdamW, $STEPS steps, seed 0."
  echo "Each plan runs once in one process and once under \`alpa4j launch --nproc-per-node N\` (N JVMs, each rank driving its"
  echo "share of the devices, collectives and pipeline sends over TCP links between the ranks); the loss of every step is compared."
  echo
  echo "| run | plan | ranks | steps | first loss | last loss, 1 process | last loss, N ranks | max abs difference | within 1e-5 |"
  echo "|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Killed rank: two ranks started with RANK/WORLD_SIZE/MASTER_ADDR set (as srun starts them, no launcher), rank 1 killed"
  echo "with SIGKILL after both printed a step. Rank 0 exited with code $CODE, ${STOP} s after the kill (rendezvous timeout 60 s), saying:"
  echo
  echo '```'
  cat "$TMP/k0.err"
  echo '```'
} >"$OUT"
cat "$OUT"
rm -rf "$TMP"
