#!/usr/bin/env bash
# Alpa's Wide-ResNet weak-scaling cases (REFERENCES §2) planned on p3.16xlarge in fp32: the automatic plan
# against the best pipeline + data parallel plan under the same cost model. Writes
# bench/results/planner-wresnet.md (the benchmark's table under a header: date, machine, commit).
# Usage: bench/planner-wresnet.sh [CASES]   e.g. bench/planner-wresnet.sh 250M,1B,2B,4B (default: all six)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
CASES="${1:-}"
START=$(date +%s)
flock /tmp/alpa4j-heavy.lock ./test.sh -q -o -pl tests -am -Dtest=AlpaWresnetPlannerBenchmark -Dtest.excludedGroups= \
  -Dsurefire.failIfNoSpecifiedTests=false ${CASES:+-Dwresnet.cases=$CASES} >/dev/null
END=$(date +%s)
OUT=bench/results/planner-wresnet-table.md
{
  echo "<!-- made by bench/planner-wresnet.sh ${CASES:-(all cases)} on $(date -u +%Y-%m-%d), commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ":(exclude)$OUT" || echo ' + local changes'), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $((END - START)) s -->"
  cat tests/target/planner-wresnet.md
} >"$OUT"
echo "wrote $OUT"
