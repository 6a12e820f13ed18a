#!/usr/bin/env bash
# Kills training runs with SIGKILL at random moments and resumes them from their checkpoints: every
# resumed run's losses must equal an uninterrupted run's bit for bit, no incomplete checkpoint may be
# loaded, and a 2x2-mesh checkpoint resumed on one device and on a 2-stage pipeline must agree to 1e-5.
# Writes bench/results/kill-resume.md. Usage: bench/kill-resume.sh [runs] [seed]   (default 20 runs)
# Heavy: run it as  flock /tmp/alpa4j-heavy.lock bench/kill-resume.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-20}"
SEED="${2:-16}"
OUT="$ROOT/bench/results/kill-resume.md"
TMP=$(mktemp -d)
STEPS=100
GPT=(--layers 2 --hidden 16 --heads 2 --seq 8 --vocab 8 --batch 4 --steps "$STEPS" --no-progress --log-every 1000)
declare -A LAYOUT=(
  [single]=""
  [mesh2x2]="--mesh 2x2 --plan megatron"
  [pipeline2]="--plan megatron:dp=1,tp=1,pp=2 --mesh 1x2 --microbatches 2")
NAMES=(single mesh2x2 pipeline2)
"$ROOT/alpa4j" --version >/dev/null   # builds the jar if the sources changed
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
RANDOM=$SEED

train() { # name, extra flags...: the layout's run
  local name=$1; shift
  # shellcheck disable=SC2086
  "$ROOT/alpa4j" train "${GPT[@]}" ${LAYOUT[$name]} "$@"
}

train_bg() { # like train, in the background; $! is the JVM itself (alpa4j execs java), so kill -9 reaches it
  local name=$1; shift
  # shellcheck disable=SC2086
  (exec "$ROOT/alpa4j" train "${GPT[@]}" ${LAYOUT[$name]} "$@") &
}

now() { date +%s.%N; }

# waits until file $1 exists or process $2 has ended
await_file() {
  while [ ! -e "$1" ] && kill -0 "$2" 2>/dev/null; do sleep 0.02; done
}

# the uninterrupted runs; TRAIN[n]: seconds from the first metrics write (step 0 done) to the end
declare -A TRAIN
for n in "${NAMES[@]}"; do
  train_bg "$n" --json "$TMP/ref-$n.json" --checkpoint-dir "$TMP/ref-ck-$n" --checkpoint-every 2 --keep-checkpoints 100 >/dev/null
  pid=$!
  await_file "$TMP/ref-$n.json" "$pid"
  t0=$(now)
  wait "$pid"
  TRAIN[$n]=$(echo "$(now) - $t0" | bc)
done

echo "run layout kill_after_s steps_in_metrics complete_checkpoints incomplete_dirs resumed_from resumes result" > "$TMP/runs.txt"
for ((i = 0; i < RUNS; i++)); do
  n=${NAMES[$((i % 3))]}
  dir="$TMP/run-$i"; mkdir -p "$dir"
  # a moment while it trains: after its first step, before the uninterrupted run's training would end
  kill_after=$(python3 -c "import random; random.seed($SEED * 1000 + $i); print(round(random.uniform(0, ${TRAIN[$n]}), 2))")
  train_bg "$n" --json "$dir/m.json" --checkpoint-dir "$dir/ck" --checkpoint-every 2 >"$dir/first.out" 2>"$dir/first.err"
  pid=$!
  await_file "$dir/m.json" "$pid"
  sleep "$kill_after"
  kill -9 "$pid" 2>/dev/null || true
  rc=0
  wait "$pid" 2>/dev/null || rc=$?
  # what the kill left: complete checkpoints (with a manifest) and incomplete step directories
  complete=$( (find "$dir/ck" -mindepth 2 -maxdepth 2 -name manifest.json 2>/dev/null || true) | sed 's:/manifest.json::;s:.*/::' | sort | tr '\n' ',')
  incomplete=$(for d in "$dir"/ck/step-*; do [ -d "$d" ] && [ ! -f "$d/manifest.json" ] && basename "$d"; done 2>/dev/null | tr '\n' ',' || true)
  steps_seen=$(python3 -c "import json,sys; print(len(json.load(open('$dir/m.json'))['steps']))" 2>/dev/null || echo 0)
  resumes=0; from=none
  if [ "$rc" -eq 0 ]; then
    from=finished   # the kill came after the run ended
  elif [ -n "$complete" ]; then
    train "$n" --json "$dir/m.json" --resume "$dir/ck" >"$dir/resume.out" 2>"$dir/resume.err" || echo "run $i: resume failed: $(cat "$dir/resume.err")" >&2
    resumes=1
    from=$(sed -n 's:^resumed from .*/\(step-[0-9]*\) after step.*:\1:p' "$dir/resume.out")
  else
    from=fresh      # killed before its first checkpoint: nothing to resume
    train "$n" --json "$dir/m.json" --checkpoint-dir "$dir/ck" >"$dir/resume.out" 2>"$dir/resume.err" || echo "run $i: rerun failed" >&2
  fi
  result=$(python3 - "$TMP/ref-$n.json" "$dir/m.json" "$from" "$complete" <<'PY'
import json, sys
ref = [s["loss"] for s in json.load(open(sys.argv[1]))["steps"]]
got = [s["loss"] for s in json.load(open(sys.argv[2]))["steps"]]
frm, complete = sys.argv[3], sys.argv[4].split(",")
if frm.startswith("step-") and frm not in complete:
    print("LOADED-INCOMPLETE"); sys.exit()
same = len(ref) == len(got) and all(a.hex() == b.hex() for a, b in zip(ref, got))
print("bit-identical" if same else "DIFFERENT")
PY
)
  echo "$i $n $kill_after $steps_seen ${complete:-none} ${incomplete:-none} $from $resumes $result" >> "$TMP/runs.txt"
done

# a 2x2-mesh checkpoint resumed on one device and on a 2-stage pipeline
python3 - "$TMP/ref-ck-mesh2x2" "$TMP/cross" <<'PY'
import os, shutil, sys
src, dst = sys.argv[1], sys.argv[2]
shutil.copytree(os.path.join(src, "step-00000020"), os.path.join(dst, "step-00000020"))
PY
cross=""
for n in single pipeline2; do
  cp -r "$TMP/cross" "$TMP/cross-$n"
  train "$n" --json "$TMP/cross-$n.json" --resume "$TMP/cross-$n" >"$TMP/cross-$n.out"
  cross+=$(python3 - "$TMP/ref-mesh2x2.json" "$TMP/cross-$n.json" "$n" <<'PY'
import json, sys
ref = [s["loss"] for s in json.load(open(sys.argv[1]))["steps"]]
got = [s["loss"] for s in json.load(open(sys.argv[2]))["steps"]]
worst = max(abs(a - b) for a, b in zip(ref, got))
print(f"| 2x2 mesh, step 20 -> {sys.argv[3]} | {len(got)} | {worst:.3g} | {'within 1e-5' if worst <= 1e-5 and len(got) == len(ref) else 'OUTSIDE 1e-5'} |")
PY
)$'\n'
done

{
  echo "# Kill and resume: SIGKILL at random moments, then --resume"
  echo
  echo "Date: $(date -u +%Y-%m-%d). Commit: ${ALPA4J_BENCH_COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo ' (with local changes)')}."
  echo "Machine: $(nproc)-core $(lscpu | sed -n 's/^Model name: *//p' | head -1); load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Command: \`flock /tmp/alpa4j-heavy.lock bench/kill-resume.sh $RUNS $SEED\`."
  echo "Model: GPT 2 layers, hidden 16, 2 heads, seq 8, vocab 8, batch 4, AdamW, $STEPS steps, \`--checkpoint-every 2\`."
  echo "Layouts: one device; a 2x2 mesh with the Megatron plan; a 2-stage pipeline (\`megatron:dp=1,tp=1,pp=2\`, 2 microbatches)."
  echo "Each run is killed with \`kill -9\` while it trains: a random delay after its first step (when its metrics file appears),"
  echo "uniform up to the uninterrupted run's training time ($(for n in "${NAMES[@]}"; do printf '%s %.1f s; ' "$n" "${TRAIN[$n]}"; done | sed 's/; $//')),"
  echo "then resumed once with \`--resume\` (started afresh when the kill came before the first checkpoint). The resumed run's metrics file holds every step;"
  echo "its losses are compared with the uninterrupted run's by their bits (\`float.hex\`)."
  echo "\"incomplete\" lists the step directories the kill left without a manifest; \"resumed from\" must be a complete one."
  echo
  echo "| run | layout | killed after step 0 + (s) | steps in the metrics file at the kill | complete checkpoints left | incomplete left | resumed from | result |"
  echo "|---|---|---|---|---|---|---|---|"
  tail -n +2 "$TMP/runs.txt" | while read -r i n k s c inc f r res; do
    echo "| $i | $n | $k | $s | $(echo "$c" | sed 's/,$//;s/step-0*//g;s/,/, /g') | $(echo "$inc" | sed 's/,$//;s/step-0*//g;s/,/, /g') | $(echo "$f" | sed 's/step-0*//') | $res |"
  done
  echo
  ok=$(tail -n +2 "$TMP/runs.txt" | grep -c ' bit-identical$' || true)
  echo "**$ok of $RUNS** resumed runs give the uninterrupted losses bit for bit; incomplete checkpoints loaded: $(tail -n +2 "$TMP/runs.txt" | grep -c LOADED-INCOMPLETE || true)."
  echo
  echo "## Resharded: a 2x2-mesh checkpoint resumed elsewhere"
  echo
  echo "| checkpoint -> run | steps | largest loss difference from the 2x2 run | |"
  echo "|---|---|---|---|"
  printf '%s' "$cross"
} > "$OUT"
cat "$OUT"
rm -rf "$TMP"
