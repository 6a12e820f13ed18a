#!/usr/bin/env bash
# The cost model against this machine: profiles the CPU devices afresh (alpa4j profile), runs the validate
# suite with that profile and with the analytic `cpu-analytic` preset (the baseline), and appends a dated
# section with both summaries to the results file: each case's predicted and measured iteration, stages and
# collectives, the median and largest relative error, the plan pairs ordered differently, the automatic plan
# against the fastest measured plan of its model and mesh. Load averages are recorded around each part.
# Usage: flock /tmp/alpa4j-heavy.lock bench/cost-model.sh [--steps N] [--out FILE.md]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STEPS=8
OUT="$ROOT/bench/results/cost-model-cpu.md"
while [ $# -gt 0 ]; do
  case "$1" in
    --steps) STEPS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    *) echo "usage: $0 [--steps N] [--out FILE.md]" >&2; exit 2 ;;
  esac
done
cd "$ROOT"
./alpa4j --version >/dev/null   # build first: no part below includes a build
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
load() { cut -d' ' -f1-3 /proc/loadavg; }
COMMIT="${ALPA4J_BENCH_COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}"
CPU="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"

L0="$(load)"; T0=$(date +%s.%N)
./alpa4j profile --no-progress --out "$WORK/profile.json" > "$WORK/profile.txt"
T1=$(date +%s.%N); L1="$(load)"
./alpa4j validate --cluster "$WORK/profile.json" --steps "$STEPS" --json "$WORK/measured.json" > "$WORK/measured.txt"
T2=$(date +%s.%N); L2="$(load)"
./alpa4j validate --cluster cpu-analytic --steps "$STEPS" --json "$WORK/analytic.json" > "$WORK/analytic.txt"
T3=$(date +%s.%N); L3="$(load)"

summary() {
  python3 - "$1" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
a = v.get('automatic_over_fastest', {})
s = v.get('automatic_over_fastest_searched', {})
auto = ""
if a:
    auto = (f"; automatic plans {min(a.values()):.2f}-{max(a.values()):.2f}x the fastest plan of their model and mesh"
            + (f", {min(s.values()):.2f}-{max(s.values()):.2f}x the fastest of the plans each chooses among" if s else ""))
print(f"median {100*v['median_relative_error']:.1f} %, largest {100*v['largest_relative_error']:.1f} %, "
      f"{len(v['order_disagreements'])} plan pairs ordered differently{auto}")
PY
}
{
  [ -s "$OUT" ] || printf '# The cost model against this machine (CPU devices)\n\nMade by `bench/cost-model.sh`; newest section last.\n'
  printf '\n## %s UTC, commit %s\n\n' "$(date -u '+%Y-%m-%d %H:%M')" "$COMMIT"
  printf 'Machine: %s, %s cores; validate with %s steps per case (the first is warm-up).\n' "$CPU" "$(nproc)" "$STEPS"
  printf 'Load averages (1, 5, 15 min): before profiling %s; before validating with the profile %s; before the analytic baseline %s; at the end %s.\n' "$L0" "$L1" "$L2" "$L3"
  printf 'Wall time: profile %.0f s, validate with the profile %.0f s, validate with the analytic preset %.0f s.\n\n' \
    "$(echo "$T1 - $T0" | bc)" "$(echo "$T2 - $T1" | bc)" "$(echo "$T3 - $T2" | bc)"
  printf -- '- With this machine'"'"'s profile: %s\n' "$(summary "$WORK/measured.json")"
  printf -- '- With the analytic `cpu-analytic` preset (baseline): %s\n\n' "$(summary "$WORK/analytic.json")"
  printf '### The profile (`alpa4j profile`)\n\n```\n'; cat "$WORK/profile.txt"; printf '```\n\n'
  printf '### validate with the profile\n\n```\n'; cat "$WORK/measured.txt"; printf '```\n\n'
  printf '### validate with `cpu-analytic`\n\n```\n'; cat "$WORK/analytic.txt"; printf '```\n'
} >> "$OUT"
echo "appended to $OUT"
