#!/usr/bin/env bash
# The CPU kernels' exp and GELU loops as written (plain loops C2 vectorises) against the same with the
# JDK's incubating Vector API, side by side in one JVM; writes bench/results/vector-api-vs-loops.md.
# Usage: bench/vector-api-vs-loops.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/scripts/jdk.sh"
alpa4j_setup_java
OUT="$ROOT/bench/results/vector-api-vs-loops.md"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
RESULT=$("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector "$ROOT/bench/vector/VectorApiVsLoops.java" 2>/dev/null)
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
{
  echo "# exp and GELU: plain loops C2 vectorises against the Vector API"
  echo
  echo "Date: $(date -u +'%Y-%m-%d %H:%M UTC'). Machine: $(nproc)-core $(lscpu | sed -n 's/^Model name: *//p' | head -1)," \
    "$("$JAVA_HOME/bin/java" -version 2>&1 | head -1); $(echo "$RESULT" | sed -n 's/^species|//p')."
  echo "Command: \`bench/vector-api-vs-loops.sh\` (bench/vector/VectorApiVsLoops.java): 2^20 floats, best of 50 timed"
  echo "calls each, the two alternating, after 200 untimed calls. Load averages (1, 5, 15 min): $LOAD_BEFORE before, $LOAD_AFTER after."
  echo
  echo "| kernel | plain loops (CpuMath), ns per element | Vector API (SVML lanes), ns per element |"
  echo "|---|---|---|"
  echo "$RESULT" | grep -v '^species' | sed 's/|/ | /g; s/^/| /; s/$/ |/'
} >"$OUT"
cat "$OUT"
