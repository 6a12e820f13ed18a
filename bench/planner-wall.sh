#!/usr/bin/env bash
# Times `alpa4j plan --pipeline` on Alpa's GPT-39B (64 V100s of p3.16xlarge, 1024 microbatches) as a user
# runs it: ./alpa4j in a new JVM each run, the wall clock around the whole command beside the total and
# the phases the command prints, the CPU time it used (user + system, all threads), the load average
# before and after each run, and a digest of the plan (its stage table and times) to show that every run
# chose the same plan.
# With --baseline DIR (another checkout, e.g. `git archive <commit> | tar -x -C DIR`), runs alternate
# between DIR's ./alpa4j and this checkout's, so that both see the same load.
#
# Usage: bench/planner-wall.sh [--runs N] [--budget GIB] [--baseline DIR] [--out FILE.md]
# The machine is shared: run it under the heavy-work lock, flock /tmp/alpa4j-heavy.lock bench/planner-wall.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS=3
BUDGET=32
BASELINE=""
OUT="$ROOT/target/planner-wall.md"
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --budget) BUDGET="$2"; shift 2 ;;
    --baseline) BASELINE="$(cd "$2" && pwd)"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    *) echo "usage: $0 [--runs N] [--budget GIB] [--baseline DIR] [--out FILE.md]" >&2; exit 2 ;;
  esac
done
ARGS=(plan --model gpt --layers 48 --hidden 8192 --heads 64 --seq 1024 --vocab 51200 --batch 1024
      --cluster p3.16xlarge --hosts 8 --pipeline --microbatches 1024 --memory-budget "$BUDGET")
CHECKOUTS=("$ROOT")
[ -n "$BASELINE" ] && CHECKOUTS=("$BASELINE" "$ROOT")
mkdir -p "$(dirname "$OUT")"

# build each checkout's jar first, so that no timed run includes a build; older builds know no --no-progress
declare -A QUIET
for c in "${CHECKOUTS[@]}"; do
  "$c/alpa4j" --version >/dev/null
  QUIET[$c]="$("$c/alpa4j" plan --help | grep -q -- --no-progress && echo --no-progress || true)"
done

now() { date +%s.%N; }
{
  echo "# plan --pipeline, GPT-39B, memory budget $BUDGET GiB: wall time of the command"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
  echo
  echo "| run | checkout (commit) | load before | wall s | printed total s | CPU s | load after | plan digest | phases printed |"
  echo "|---|---|---|---|---|---|---|---|---|"
} > "$OUT"
LOG="$(mktemp)"
CPU="$(mktemp)"
trap 'rm -f "$LOG" "$CPU"' EXIT
for run in $(seq 1 "$RUNS"); do
  for c in "${CHECKOUTS[@]}"; do
    commit="$(git -C "$c" rev-parse --short HEAD 2>/dev/null || cat "$c/.commit" 2>/dev/null || echo '?')"
    before="$(cut -d' ' -f1-3 /proc/loadavg)"
    t0="$(now)"
    # shellcheck disable=SC2086
    (cd "$c" && /usr/bin/time -f '%U %S' -o "$CPU" ./alpa4j "${ARGS[@]}" ${QUIET[$c]} >"$LOG" 2>&1)
    t1="$(now)"
    cpu="$(awk '{printf "%.1f", $1 + $2}' "$CPU")"
    after="$(cut -d' ' -f1-3 /proc/loadavg)"
    wall="$(echo "$t1 - $t0" | bc -l)"
    # the summary line: "planning time: ...; total X s" (older builds: "planning: ...; total X s")
    summary="$(grep -E '^planning( time)?:' "$LOG" | tail -1)"
    total="$(echo "$summary" | sed -n 's/.*total \([0-9.]*\) s.*/\1/p')"
    phases="$(echo "$summary" | sed -E 's/^planning( time)?: *//; s/; total.*//; s/^[^;]*; //')"
    digest="$(grep -E '^[0-9]+ +[0-9]+(-[0-9]+)? +\(|^pipeline:|^iteration time:|^memory:' "$LOG" | sha256sum | cut -c1-12)"
    printf '| %d | %s (%s) | %s | %.2f | %s | %s | %s | %s | %s |\n' "$run" "$(basename "$c")" "$commit" "$before" "$wall" \
      "${total:-?}" "$cpu" "$after" "$digest" "$phases" >> "$OUT"
    tail -1 "$OUT"
  done
done
echo
echo "the last run's plan:"
grep -E '^(pipeline plan|stage|[0-9]+ +[0-9]|pipeline:|iteration time:|memory:|planning)' "$LOG"
echo "table written to $OUT"
