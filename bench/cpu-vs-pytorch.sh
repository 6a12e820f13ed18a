#!/usr/bin/env bash
# alpa4j's CPU backend (one device) against PyTorch eager on the same CPU: the same GPT configs and
# thread counts, the two run alternately, several rounds; writes bench/results/cpu-vs-pytorch.md.
# Usage: bench/cpu-vs-pytorch.sh [rounds] [threads...]     (defaults: 3 rounds, 1 and 2 threads)
#
# PyTorch is Debian's python3-torch (installed with apt-get when /usr/bin/python3 cannot import
# torch), with OpenBLAS (libopenblas0-pthread) as its BLAS: without it Debian's PyTorch multiplies
# with the reference BLAS, about 20 times slower, and the comparison would flatter alpa4j. Both take
# the same warm-up steps and report the median step time of the timed steps after it; both use
# AdamW; PyTorch's data are random tokens, alpa4j's its Markov source (the speed does not depend on
# them). Load averages are read before each run: the machine may be shared, so compare runs of one
# round, not absolute numbers across days.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS="${1:-3}"
shift || true
THREADS=("$@")
[ ${#THREADS[@]} -eq 0 ] && THREADS=(1 2)
PY=/usr/bin/python3
OUT="$ROOT/bench/results/cpu-vs-pytorch.md"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if ! "$PY" -c 'import torch' 2>/dev/null || [ ! -e /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ]; then
  echo "cpu-vs-pytorch: installing Debian's python3-torch and OpenBLAS (apt-get)..." >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get install -y -q python3-torch libopenblas0-pthread >&2
fi

# name | flags | warm-up steps | timed steps
CONFIGS=(
  "tiny|--layers 2 --hidden 64 --heads 4 --seq 32 --vocab 16 --batch 16|50|150"
  "gpt6|--layers 6 --hidden 256 --heads 8 --seq 128 --vocab 256 --batch 8|5|15"
)
LR=3e-3

"$ROOT/alpa4j" --version >/dev/null  # builds the jar first, outside the timed runs
COMMIT="$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- . ':!*.md' || echo ' (with uncommitted changes)')"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
load() { cut -d' ' -f1 /proc/loadavg; }

for cfg in "${CONFIGS[@]}"; do
  IFS='|' read -r name flags warm steps <<<"$cfg"
  for t in "${THREADS[@]}"; do
    for r in $(seq 1 "$ROUNDS"); do
      # shellcheck disable=SC2086
      l=$(load); OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$t "$PY" "$ROOT/bench/pytorch_gpt.py" --device cpu --threads "$t" \
        --precision fp32 --attention math $flags --lr $LR --warmup "$warm" --steps "$steps" >"$TMP/py-$name-$t-$r.txt"
      echo "$l" >"$TMP/py-$name-$t-$r.load"
      # shellcheck disable=SC2086
      l=$(load); "$ROOT/alpa4j" train $flags --lr $LR --cpu-threads "$t" --steps $((warm + steps)) --no-progress \
        --log-every 100000 --json "$TMP/j-$name-$t-$r.json" >/dev/null
      echo "$l" >"$TMP/j-$name-$t-$r.load"
      echo "cpu-vs-pytorch: $name, $t threads, round $r done" >&2
    done
  done
done

{
  echo "# alpa4j's CPU backend against PyTorch eager on the same CPU"
  echo
  echo "Date: $(date -u +'%Y-%m-%d %H:%M UTC'). Machine: $(nproc)-core $(lscpu | sed -n 's/^Model name: *//p' | head -1)." \
    "Commit: $COMMIT. Load average (1, 5, 15 min): $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end."
  echo "PyTorch $("$PY" -c 'import torch; print(torch.__version__)') (Debian python3-torch, OpenBLAS $(dpkg-query -W -f='${Version}' libopenblas0-pthread 2>/dev/null));" \
    "alpa4j on $(. "$ROOT/scripts/jdk.sh"; alpa4j_setup_java; "$JAVA_HOME/bin/java" -version 2>&1 | head -1)."
  echo "Command: \`bench/cpu-vs-pytorch.sh $ROUNDS ${THREADS[*]}\`. AdamW (lr $LR), fp32; each run: the warm-up steps, then the timed"
  echo "steps; tokens/s from the median timed step. Runs alternate PyTorch, alpa4j, PyTorch, ... ; the load average"
  echo "(1 minute) was read before each run."
  echo
  python3 - "$TMP" "$ROUNDS" "${THREADS[*]}" "${CONFIGS[@]}" <<'PY'
import json, os, statistics, sys
tmp, rounds, threads = sys.argv[1], int(sys.argv[2]), sys.argv[3].split()
configs = [c.split("|") for c in sys.argv[4:]]
all_loads, medians, labels = [], {}, {}
print("| GPT | threads | PyTorch tokens/s (runs) | alpa4j tokens/s (runs) | ratio alpa4j / PyTorch (medians) | load before the runs | first-step loss PyTorch / alpa4j |")
print("|---|---|---|---|---|---|---|")
for name, flags, warm, steps in configs:
    warm = int(warm)
    words = flags.split()
    f = {words[i][2:]: int(words[i + 1]) for i in range(0, len(words), 2)}
    label = f'{f["layers"]} layers, hidden {f["hidden"]}, {f["heads"]} heads, seq {f["seq"]}, vocab {f["vocab"]}, batch {f["batch"]}'
    tokens = f["batch"] * f["seq"]
    for t in threads:
        py, ja, loads, pyloss, jaloss = [], [], [], [], []
        for r in range(1, rounds + 1):
            line = [l for l in open(os.path.join(tmp, f"py-{name}-{t}-{r}.txt")) if l.startswith("BENCH|")][0]
            kv = dict(p.split("=", 1) for p in line.strip().split("|") if "=" in p)
            py.append(float(kv["tokens_per_s"]))
            pyloss.append(float(kv["first_loss"]))
            j = json.load(open(os.path.join(tmp, f"j-{name}-{t}-{r}.json")))
            secs = [s["seconds"] for s in j["steps"][warm:]]
            ja.append(tokens / statistics.median(secs))
            jaloss.append(j["steps"][0]["loss"])
            loads.append(open(os.path.join(tmp, f"py-{name}-{t}-{r}.load")).read().strip() + "/"
                         + open(os.path.join(tmp, f"j-{name}-{t}-{r}.load")).read().strip())
        ratio = statistics.median(ja) / statistics.median(py)
        print(f"| {label} | {t} | {', '.join(f'{x:,.0f}' for x in py)} | {', '.join(f'{x:,.0f}' for x in ja)} | {ratio:.2f} | "
              f"{', '.join(loads)} | {pyloss[0]:.4f} / {jaloss[0]:.4f} |")
        all_loads.extend(float(x) for l in loads for x in l.split("/"))
        medians[(name, t)] = statistics.median(py)
    labels[name] = label
print()
import math
vocabs = sorted({int(c[1].split("--vocab ")[1].split()[0]) for c in configs})
print("First-step losses: the two start from different random weights (same shapes and data kind); the loss of uniform predictions, "
      + ", ".join(f"ln {v} = {math.log(v):.4f}" for v in vocabs) + ", is what both should be near.")
print()
high = [x for x in all_loads if x > 3]
if high:
    print(f"**Load above 3 before {len(high)} of {len(all_loads)} runs (highest {max(high):.2f}):** other processes shared the "
          f"{os.cpu_count()} cores, so the absolute numbers are low and noisy; compare the two within a row, and repeat on a quieter machine.")
else:
    print(f"Load at most 3 before every run (highest {max(all_loads):.2f}).")
for name, *_ in configs:
    ts = sorted(int(t) for t in threads)
    for lo, hi in zip(ts, ts[1:]):
        if medians[(name, str(hi))] < medians[(name, str(lo))]:
            print(f"\n{labels[name]}: PyTorch with {hi} threads was slower than with {lo} ({medians[(name, str(hi))]:,.0f} against "
                  f"{medians[(name, str(lo))]:,.0f} tokens/s, medians): the cause is not isolated (PyTorch's OpenMP "
                  f"threads and OpenBLAS's own threads share the cores, with other processes), so the {hi}-thread ratio here flatters alpa4j.")
PY
} >"$OUT"
cat "$OUT"
