#!/usr/bin/env bash
# Plans chosen for energy as well as time (issue 20): for each GPT model and cluster below, runs
# `alpa4j plan --pipeline --objective energy --max-slowdown S` for S = 0, 0.02, 0.05, 0.10 and tabulates,
# from the plan JSON's energy object: the time-optimal plan at maximum clocks, Perseus applied to the
# time-optimal plan alone within S of its own fastest time, and the energy objective's plan and clocks
# within S of the fastest candidate. Energies come from the DVFS model (docs/energy-model.md).
#
# Usage: [SLOWDOWNS="0 0.02 0.05 0.10"] bench/planner-energy.sh [--out FILE.md]
# The machine is shared: run it under the heavy-work lock, flock /tmp/alpa4j-heavy.lock bench/planner-energy.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/target/planner-energy.md"
[ "${1:-}" = "--out" ] && OUT="$2"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$(dirname "$OUT")"
"$ROOT/alpa4j" --version >/dev/null

# name | cluster flags | model flags
CONFIGS=(
  "GPT-1.3B on hgx-h100 x 2|--cluster hgx-h100 --hosts 2|--layers 24 --hidden 2048 --heads 32 --seq 1024 --vocab 51200 --batch 32"
  "GPT-2.6B on dgx-a100 x 4|--cluster dgx-a100 --hosts 4|--layers 32 --hidden 2560 --heads 32 --seq 1024 --vocab 51200 --batch 32"
)
{
  echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'). Machine: $(nproc) cores, $(uname -m). Commit: $(git -C "$ROOT" rev-parse --short HEAD)."
  echo "Load average before: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
} > "$OUT"
for cfg in "${CONFIGS[@]}"; do
  IFS='|' read -r name cluster model <<< "$cfg"
  {
    echo "## $name"
    echo
    echo "\`alpa4j plan --pipeline --model gpt $model $cluster --objective energy --max-slowdown S\`"
    echo
    echo "| S | time-optimal plan, max clocks | Perseus on it alone | energy objective: plan | its time | its J/iter | tokens/J | saving vs time-optimal at max clocks | vs Perseus alone | candidates | wall |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
  } >> "$OUT"
  for s in ${SLOWDOWNS:-0 0.02 0.05 0.10}; do
    json="$TMP/plan-$s.json"
    start=$(date +%s.%N)
    # shellcheck disable=SC2086
    "$ROOT/alpa4j" plan --pipeline --model gpt $model $cluster --objective energy --max-slowdown "$s" --no-progress --json "$json" > "$TMP/out-$s.txt"
    wall=$(echo "$(date +%s.%N) - $start" | bc)
    python3 - "$json" "$s" "$wall" >> "$OUT" <<'PY'
import json, sys
j = json.load(open(sys.argv[1])); e = j["energy"]; s = sys.argv[2]; wall = float(sys.argv[3])
t = e["candidates"][0]; c = next(x for x in e["candidates"] if x["chosen"]); a = e["time_optimal_alone"]
ms = lambda x: f"{x*1e3:.2f} ms" if x < 1 else f"{x:.3f} s"
print(f"| {s} | {t['name']}: {ms(t['fastest_seconds'])}, {t['max_clock_joules_per_iteration']:.1f} J "
      f"| {ms(a['iteration_seconds'])}, {a['joules_per_iteration']:.1f} J "
      f"| {c['name']} | {ms(e['iteration_seconds'])} (+{100*(e['iteration_seconds']/e['fastest_seconds']-1):.2f} %) "
      f"| {e['joules_per_iteration']:.1f} | {e.get('tokens_per_joule', 0):.1f} "
      f"| {100*(1-e['joules_per_iteration']/t['max_clock_joules_per_iteration']):.2f} % "
      f"| {100*(1-e['joules_per_iteration']/a['joules_per_iteration']):.2f} % | {len(e['candidates'])} | {wall:.0f} s |")
PY
  done
  echo >> "$OUT"
  last="$(echo ${SLOWDOWNS:-0 0.02 0.05 0.10} | awk '{print $NF}')"
  echo "Candidates at S = $last (fastest time, J/iter at maximum clocks, least J/iter within the bound):" >> "$OUT"
  echo >> "$OUT"
  sed -n '/^energy (DVFS/,/^chosen:/p' "$TMP/out-$last.txt" | sed 's/^/    /' >> "$OUT"
  echo >> "$OUT"
done
echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg)." >> "$OUT"
cat "$OUT"
