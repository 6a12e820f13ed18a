#!/usr/bin/env bash
# The GPU check: every GPU path of alpa4j in one call, on a machine with an NVIDIA GPU, no Java and no
# network. It runs what scripts/bundle-gpu.sh made here beforehand (bundle/) and builds nothing. Parts:
#   setup          unpack the bundle, put the CUDA libraries on the loader path, name the card
#   doctor         alpa4j doctor (driver, GPU, CUDA libraries)
#   tests-native   the "gpu" test group of native, kernels and energy-monitor (kernels against their CPU twins)
#   tests-engine   the "gpu" test group of engine (GPT losses on one GPU and on a 2x2 logical mesh against the
#                  CPU's, no cudaMalloc in a step, same-GPU collectives, train --energy)
#   bench          the 12-layer GPT's step throughput at fp32, tf32 and bf16 with its matmuls' TFLOP/s
#   pytorch        the same GPT in PyTorch eager
#   pipeline       a 2-stage pipeline on 4 logical devices (megatron dp=2,tp=1,pp=2 on --mesh 1x4) ... with
#                  --energy-plan auto read-only: the stages profiled at the current clock (NVML), the frontier from
#                  the model, deployed as a dry run (no clock set); measured per-stage joules beside the model's
#   pipeline-cpu   ... and the same command on the CPU backend, whose losses it must match within 1e-4
#   energy         train --energy on the 12-layer GPT for at least 10 s of steady steps while one nvidia-smi
#                  process reads the power every 100 ms; NVML's energy against nvidia-smi over the same window
# Each part has a time limit (below; they add up to 400 s of the 420 s the check may take). After every part,
# and on every way out (a part timing out, a signal, a missing bundle), the table is written to $OUT/gpu-check.md
# with a row for every check: a value, or why there is none; it is printed at the end. Files under $OUT (8):
# gpu-check.md, gpu-check.log (progress, doctor), tests.log, junit.xml, bench.log, train.log, train.json,
# smi-power.csv. Nothing here changes the GPU's clocks, power limit or modes: nvidia-smi only reads.
#
# --dry-run runs the same parts on this machine from the build tree (./test.sh or
# `./test.sh -DskipTests` first) with the CPU backend where the GPU would be and small models where the
# 12-layer GPT would take too long; rows that need a GPU say so. Usage: scripts/gpu-check.sh [--dry-run]
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DRY=0
case "${1:-}" in
  "") ;;
  --dry-run) DRY=1 ;;
  -h|--help) sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  *) echo "gpu-check.sh: unknown argument '$1' (usage: scripts/gpu-check.sh [--dry-run])" >&2; exit 2 ;;
esac

# Time limits of the parts on a GPU machine, seconds: each part's whole run (timeout sends TERM 5 s before, KILL at
# the limit). The dry run stretches each by STRETCH (ALPA4J_DRY_RUN_STRETCH, default 4): a small, shared CPU is not
# the GPU machine's 16 cores, and a dry run checks the script, not the time.
TOTAL_LIMIT=420
LIMITS=(setup:20 doctor:15 tests-native:65 tests-engine:130 bench:50 pytorch:35 pipeline:20 pipeline-cpu:20 energy:45)
STRETCH=1
[ $DRY = 1 ] && STRETCH="${ALPA4J_DRY_RUN_STRETCH:-4}"

START=$(date +%s)
DEADLINE=$((START + (TOTAL_LIMIT - 10) * STRETCH))  # the last 10 s are for the final table
RESULTS="${OUT:-$(mktemp -d /tmp/alpa4j-gpu-check-out.XXXXXX)}"
mkdir -p "$RESULTS"
WORK=$(mktemp -d /tmp/alpa4j-gpu-check.XXXXXX)
LOG="$RESULTS/gpu-check.log"
: >"$LOG"; : >"$RESULTS/tests.log"; : >"$RESULTS/bench.log"; : >"$RESULTS/train.log"; : >"$RESULTS/smi-power.csv"
printf '%s\n' "${LIMITS[@]}" | tr ':' '\t' >"$WORK/limits.tsv"
: >"$WORK/parts.tsv"
PART_PID=""
PART_NAME=""
SMI_PID=""
ENDED=""

elapsed() { echo $(( $(date +%s) - START )); }
say() { echo "$*" | tee -a "$LOG"; }
limit_of() { awk -F'\t' -v p="$1" '$1 == p { print $2 }' "$WORK/limits.tsv"; }

# The table as it stands: written to $OUT/gpu-check.md, printed with --print. A failing renderer leaves the raw states.
render() { # exit code 3: a row failed, timed out or is missing
  python3 "$ROOT/scripts/gpu_check_table.py" --work "$WORK" --out "$RESULTS" --mode "$([ $DRY = 1 ] && echo dry || echo gpu)" \
    --seconds "$(elapsed)" --total "$TOTAL_LIMIT" --stretch "$STRETCH" --ended "$ENDED" "$@" 2>>"$LOG"
  local rc=$?
  if [ $rc != 0 ] && [ $rc != 3 ]; then
    echo "gpu_check_table.py failed (see gpu-check.log); the parts' states:" | tee -a "$RESULTS/gpu-check.md"
    tee -a "$RESULTS/gpu-check.md" <"$WORK/parts.tsv"
  fi
  return $rc
}

stop_sampler() {
  if [ -n "$SMI_PID" ]; then
    kill "$SMI_PID" 2>/dev/null
    wait "$SMI_PID" 2>/dev/null
    SMI_PID=""
  fi
}

finish() {
  local rc=$?
  trap - EXIT INT TERM HUP
  stop_sampler
  [ -z "$ENDED" ] && [ $rc -ne 0 ] && ENDED="the check stopped with exit code $rc"
  say "== done after $(elapsed) s; results in $RESULTS"
  echo
  render --print
  local verdict=$?
  rm -rf "$WORK"
  # 0: every part ran and no row failed; 1: a row failed, timed out or is missing; 2: nothing to run
  [ $rc = 0 ] && [ $verdict != 0 ] && rc=1
  exit $rc
}

on_signal() {
  ENDED="the check was stopped by SIG$1 ${PART_NAME:+during $PART_NAME }after $(elapsed) s"
  if [ -n "$PART_NAME" ]; then
    [ -n "$PART_PID" ] && kill -TERM "$PART_PID" 2>/dev/null
    printf '%s\tinterrupted\t-\t%s\t%s\tSIG%s\n' "$PART_NAME" "$(( $(date +%s) - PART_T0 ))" "$PART_LIMIT" "$1" >>"$WORK/parts.tsv"
  fi
  exit 130
}
trap finish EXIT
trap 'on_signal TERM' TERM
trap 'on_signal INT' INT
trap 'on_signal HUP' HUP

# run_part NAME OUTPUT CMD...: CMD under the part's limit (cut to what is left of the whole), its output appended
# to OUTPUT under a header line; the outcome goes to parts.tsv and the table is rewritten.
run_part() {
  local name=$1 output=$2 limit left rc state
  shift 2
  limit=$(( $(limit_of "$name") * STRETCH ))
  left=$((DEADLINE - $(date +%s)))
  if [ "$left" -lt 10 ]; then
    printf '%s\tskipped\t-\t0\t%s\tno time left of the %s s\n' "$name" "$limit" "$TOTAL_LIMIT" >>"$WORK/parts.tsv"
    render
    return 1
  fi
  [ "$limit" -gt "$left" ] && limit=$left
  PART_NAME=$name
  PART_LIMIT=$limit
  PART_T0=$(date +%s)
  say "== $name (limit $limit s) at $(elapsed) s"
  echo "=== part $name: $*" >>"$output"
  timeout -k 5 $((limit - 5)) "$@" >>"$output" 2>&1 &
  PART_PID=$!
  wait "$PART_PID"
  rc=$?
  PART_PID=""
  PART_NAME=""
  case $rc in
    0) state=ok ;;
    124|137) state=timeout ;;
    *) state=failed ;;
  esac
  printf '%s\t%s\t%s\t%s\t%s\t\n' "$name" "$state" "$rc" "$(( $(date +%s) - PART_T0 ))" "$limit" >>"$WORK/parts.tsv"
  say "   $name: $state (exit code $rc) after $(( $(date +%s) - PART_T0 )) s"
  render
  return $rc
}

# ---- setup: the Java runtime, jars and test classes; the card; the CUDA libraries' folders
ORIG_LD_LIBRARY_PATH="${LD_LIBRARY_PATH:-}"
SETUP_T0=$(date +%s)
if [ $DRY = 1 ]; then
  . "$ROOT/scripts/jdk.sh"
  alpa4j_setup_java
  JAVA="$JAVA_HOME/bin/java"
  JAR="$ROOT/engine/target/alpa4j.jar"
  LIB="$ROOT/tests/target/gpu-check-lib"
  TC="$ROOT/native/target/test-classes:$ROOT/kernels/target/test-classes:$ROOT/energy-monitor/target/test-classes"
  TC_ENGINE="$ROOT/engine/target/test-classes"
  PYTORCH_GPT="$ROOT/bench/pytorch_gpt.py"
  for f in "$JAR" "$LIB/junit-platform-console-standalone.jar" "$LIB/assertj-core.jar" ${TC//:/ } "$TC_ENGINE"; do
    if [ ! -e "$f" ]; then
      ENDED="no $f: build first (./test.sh -DskipTests)"
      echo "gpu-check.sh: $ENDED" >&2
      exit 2
    fi
  done
  echo "$(git -C "$ROOT" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null \
    || echo ' with uncommitted changes')" >"$WORK/commit.txt"
  echo "dry run on $(hostname), $(nproc) cores: CPU backend" >"$WORK/card.txt"
  JOPTS=(--enable-native-access=ALL-UNNAMED -Xss16m -Xmx4g -Duser.language=en -Duser.country=US)
  GPT=(--layers 2 --heads 4 --hidden 64 --seq 64 --vocab 64 --batch 8)
  BENCH_STEPS=(--warmup 1 --steps 2)
  PIPE=(--layers 2 --heads 2 --hidden 32 --seq 16 --vocab 32 --batch 8 --steps 5)
  BACKEND=cpu
  say "== dry run: the build tree, the CPU backend where the GPU would be"
else
  ARCHIVE="$ROOT/bundle/alpa4j-gpu.tar.xz"
  if [ ! -f "$ARCHIVE" ]; then
    ENDED="no bundle/alpa4j-gpu.tar.xz: run scripts/bundle-gpu.sh where Maven works, and carry bundle/ here"
    echo "gpu-check.sh: $ENDED" >&2
    exit 2
  fi
  sed -n 's/^commit: //p' "$ROOT/bundle/BUNDLE.txt" >"$WORK/commit.txt" 2>/dev/null
  say "== setup: unpacking the bundle"
  if command -v xz >/dev/null 2>&1; then
    timeout 12 tar -C "$WORK" -xJf "$ARCHIVE" 2>>"$LOG"
  else
    timeout 12 python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$ARCHIVE" "$WORK" 2>>"$LOG"
  fi
  B="$WORK/alpa4j-gpu"
  JAVA="$B/jre/bin/java"
  JAR="$B/lib/alpa4j.jar"
  LIB="$B/lib"
  TC="$B/test-classes/native:$B/test-classes/kernels:$B/test-classes/energy-monitor"
  TC_ENGINE="$B/test-classes/engine"
  PYTORCH_GPT="$B/pytorch_gpt.py"
  timeout 3 nvidia-smi --query-gpu=name,driver_version,memory.total,power.limit,clocks.max.sm --format=csv,noheader \
    >"$WORK/card.txt" 2>&1
  POWER=power.draw.instant  # for the energy part; older drivers only know power.draw (a one-second average on recent cards)
  timeout 2 nvidia-smi --query-gpu=$POWER --format=csv,noheader,nounits -i 0 2>/dev/null | grep -q '^ *[0-9]' || POWER=power.draw
  # the folders of the CUDA libraries the JNI glue loads by soname, on the loader path
  LIB_DIRS=$(bash "$ROOT/scripts/cuda-lib-dirs.sh")
  export LD_LIBRARY_PATH="$LIB_DIRS${ORIG_LD_LIBRARY_PATH:+:$ORIG_LD_LIBRARY_PATH}"
  JOPTS=(--enable-native-access=ALL-UNNAMED -Xss16m -Xmx32g -Duser.language=en -Duser.country=US)
  GPT=(--layers 12 --heads 12 --hidden 768 --seq 1024 --vocab 1024 --batch 8)
  BENCH_STEPS=(--warmup 3 --steps 10)
  PIPE=(--layers 4 --heads 4 --hidden 128 --seq 64 --vocab 256 --batch 16 --steps 10)
  BACKEND=cuda
fi
# English number formats: the stored reference losses are fingerprinted with them. One kernel cache for every part.
export ALPA4J_CACHE="$WORK/kernel-cache"
# the CPU pipeline's 4 simulated devices share the cores
export OPENBLAS_NUM_THREADS=$(( $(nproc) / 4 > 0 ? $(nproc) / 4 : 1 ))
{
  echo "bench, PyTorch and energy: GPT ${GPT[*]}"
  echo "pipeline: GPT ${PIPE[*]}, --plan megatron:dp=2,tp=1,pp=2 --mesh 1x4 --microbatches 4"
} >"$WORK/models.txt"
say "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
SETUP_RC=0
[ -x "$JAVA" ] || SETUP_RC=1
printf 'setup\t%s\t%s\t%s\t%s\t%s\n' "$([ $SETUP_RC = 0 ] && echo ok || echo failed)" "$SETUP_RC" "$(( $(date +%s) - SETUP_T0 ))" \
  "$(limit_of setup)" "$([ $SETUP_RC = 0 ] || echo "no Java runtime at $JAVA: the bundle did not unpack")" >>"$WORK/parts.tsv"
render
if [ $SETUP_RC != 0 ]; then
  ENDED="setup failed: no Java runtime at $JAVA"
  exit 1
fi

# ---- doctor
run_part doctor "$LOG" "$JAVA" "${JOPTS[@]}" -jar "$JAR" doctor

# ---- the gpu test groups; a test that hangs fails after its own limit, and the rest still run
junit() { # junit PART TEST-CLASS-DIRS PER-TEST-LIMIT
  run_part "$1" "$RESULTS/tests.log" "$JAVA" "${JOPTS[@]}" -jar "$LIB/junit-platform-console-standalone.jar" execute \
    --disable-banner --details=testfeed --disable-ansi-colors --class-path "$2:$JAR:$LIB/assertj-core.jar" \
    --scan-class-path "$2" --include-tag gpu --config="junit.jupiter.execution.timeout.default=$3" \
    --reports-dir "$WORK/junit-$1"
}
junit tests-native "$TC" 50s  # the kernel test's set-up compiles every kernel family (NVRTC), once for the whole check
junit tests-engine "$TC_ENGINE" 100s

# ---- throughput: alpa4j, then PyTorch eager (with the caller's loader path: PyTorch brings its own libraries)
run_part bench "$RESULTS/bench.log" "$JAVA" "${JOPTS[@]}" -cp "$JAR" io.github.alpa4j.engine.cli.BenchGpuCommand \
  --backend "$BACKEND" "${GPT[@]}" "${BENCH_STEPS[@]}" --precision "$([ $DRY = 1 ] && echo fp32 || echo fp32,tf32,bf16)"
run_part pytorch "$RESULTS/bench.log" env LD_LIBRARY_PATH="$ORIG_LD_LIBRARY_PATH" PYTHONUNBUFFERED=1 python3 "$PYTORCH_GPT" \
  "${GPT[@]}" "${BENCH_STEPS[@]}" --precision fp32,tf32,bf16 --attention math,sdpa

# ---- a 2-stage pipeline on 4 logical devices, and the same command on the CPU backend
train() { # train PART BACKEND JSON ARGS...
  local part=$1 backend=$2 json=$3
  shift 3
  run_part "$part" "$RESULTS/train.log" "$JAVA" "${JOPTS[@]}" -jar "$JAR" train --backend "$backend" --no-progress --log-every 5 \
    --json "$json" "$@"
}
PIPE_PLAN=(--plan megatron:dp=2,tp=1,pp=2 --mesh 1x4 --microbatches 4 --energy-plan auto)
train pipeline "$BACKEND" "$WORK/pipeline.json" "${PIPE[@]}" "${PIPE_PLAN[@]}"
train pipeline-cpu cpu "$WORK/pipeline-cpu.json" "${PIPE[@]}" "${PIPE_PLAN[@]}"

# ---- energy: enough steps for 12 s of steady training at the benchmark's fp32 step time (60 steps without one)
STEP_MS=$(sed -n 's/^BENCH|engine|fp32|.*|step_ms=\([0-9.]*\)|.*/\1/p' "$RESULTS/bench.log" | head -1)
ENERGY_STEPS=$(awk -v ms="${STEP_MS:-0}" 'BEGIN { n = ms > 0 ? int(12000 / ms) + 2 : 60; print (n < 8 ? 8 : (n > 3000 ? 3000 : n)) }')
if [ $DRY = 0 ] && command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=timestamp,$POWER,clocks.sm,utilization.gpu --format=csv,nounits -lms 100 -i 0 \
    >"$RESULTS/smi-power.csv" 2>&1 &
  SMI_PID=$!
else
  echo "# no nvidia-smi on this machine$([ $DRY = 1 ] && echo ' (dry run)'): no power samples" >"$RESULTS/smi-power.csv"
fi
train energy "$BACKEND" "$WORK/energy.json" "${GPT[@]}" --steps "$ENERGY_STEPS" --energy
stop_sampler
exit 0
