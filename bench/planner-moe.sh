#!/usr/bin/env bash
# Plans Alpa's MoE weak-scaling cases (REFERENCES.md §2) on the p3.16xlarge preset in fp16 with
# rematerialisation, automatic against ep-dp (DeepSpeed's expert + data parallelism) under the same
# cost model, and writes bench/results/planner-moe.md: the run's date, machine, load and commit, then
# the table AlpaMoePlannerBenchmark (tests module, tag bench) writes.
#
# Usage: bench/planner-moe.sh [--max-gpus N] [--out FILE.md]   (cases up to N GPUs; default 64, all)
# The machine is shared: run it under the heavy-work lock, flock /tmp/alpa4j-heavy.lock bench/planner-moe.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MAX=64
OUT="$ROOT/bench/results/planner-moe.md"
while [ $# -gt 0 ]; do
  case "$1" in
    --max-gpus) MAX="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    *) echo "usage: $0 [--max-gpus N] [--out FILE.md]" >&2; exit 2 ;;
  esac
done
case "$MAX" in ''|*[!0-9]*) echo "--max-gpus must be a whole number, got '$MAX'" >&2; exit 2 ;; esac
START="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
LOAD0="$(cut -d' ' -f1-3 /proc/loadavg)"
T0="$(date +%s)"
(cd "$ROOT" && ./test.sh -q -o -pl tests -am -Dtest=AlpaMoePlannerBenchmark -Dtest.excludedGroups= \
  -Dsurefire.failIfNoSpecifiedTests=false -Dmoe.maxGpus="$MAX") >"$ROOT/target/planner-moe.log" 2>&1 || {
  echo "planner-moe: the benchmark failed; see target/planner-moe.log" >&2; exit 1; }
TABLE="$ROOT/tests/target/planner-moe.md"
[ -f "$TABLE" ] || { echo "planner-moe: no table at $TABLE" >&2; exit 1; }
TMP="$(mktemp)"
{
  echo "# Alpa's MoE weak-scaling cases planned: automatic vs ep-dp (DeepSpeed-style) under one cost model"
  echo
  echo "- Started $START; $(nproc) CPU cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), shared with other sessions;"
  echo "  load average $LOAD0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end; $(( $(date +%s) - T0 )) s in all (build included)."
  echo "- Commit $(cd "$ROOT" && git rev-parse --short HEAD)$(cd "$ROOT" && git diff --quiet HEAD -- . ':!bench/results' || echo ' (with uncommitted changes)'); made by \`bench/planner-moe.sh --max-gpus $MAX\`"
  echo "  (tests/src/test/java/io/github/alpa4j/it/bench/AlpaMoePlannerBenchmark.java; its table follows unchanged)."
  echo
  cat "$TABLE"
} >"$TMP"
mv "$TMP" "$OUT"
echo "written $OUT"
