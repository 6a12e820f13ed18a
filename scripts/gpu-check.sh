#!/usr/bin/env bash
# The GPU check, on a machine with an NVIDIA GPU, no Java and no network: runs what scripts/bundle-gpu.sh
# made here beforehand (bundle/), builds nothing, and prints one markdown table of every check and number:
#   1. alpa4j doctor (driver, GPU, CUDA libraries)
#   2. the "gpu" test group of native, kernels and engine (kernels against their CPU twins, GPT training
#      on one GPU and on a 2x2 logical mesh against CPU losses, same-GPU collectives, no cudaMalloc in a step)
#   3. the 12-layer GPT's training-step throughput at fp32, tf32 and bf16, with the matmuls' TFLOP/s
#   4. the same GPT in PyTorch eager on the same GPU
#   5. train --energy's NVML joules (average power) against nvidia-smi's power over the same window
# Each part has a time limit; the whole stays under 8 minutes. With $OUT set (the device tool's run sets
# it), the table and the logs are written there. Usage: bash scripts/gpu-check.sh
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ARCHIVE="$ROOT/bundle/alpa4j-gpu.tar.xz"
RESULTS="${OUT:-$(mktemp -d)}"
mkdir -p "$RESULTS"
START=$(date +%s)
if [ ! -f "$ARCHIVE" ]; then
  echo "gpu-check.sh: no $ARCHIVE; run scripts/bundle-gpu.sh where Maven works, and carry bundle/ here" >&2
  exit 2
fi
elapsed() { echo $(( $(date +%s) - START )); }

WORK=$(mktemp -d /tmp/alpa4j-gpu-check.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
if ! tar -C "$WORK" -xJf "$ARCHIVE" 2>/dev/null; then
  python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$ARCHIVE" "$WORK"
fi
B="$WORK/alpa4j-gpu"
JAVA="$B/jre/bin/java"
# English number formats: the stored reference losses are fingerprinted with them
JOPTS=(--enable-native-access=ALL-UNNAMED -Xss16m -Xmx32g -Duser.language=en -Duser.country=US)
echo "== unpacked the bundle in $(elapsed) s: $(sed -n 's/^commit: //p' "$ROOT/bundle/BUNDLE.txt" 2>/dev/null)"

# The JNI glue loads libcudart, libcublas, libnvrtc, libnccl by soname: put the folders that hold them on
# the loader path (the CUDA toolkit first, then the driver's folder, then PyTorch's wheels).
PY_LIB_DIRS=$(python3 - <<'PY' 2>/dev/null
import glob, os, site
roots = list(site.getsitepackages()) + [site.getusersitepackages()]
for r in roots:
    for d in sorted(glob.glob(os.path.join(r, "nvidia", "**", "lib"), recursive=True)):
        print(d)
PY
)
LIB_DIRS=""
for lib in libcuda.so.1 libnvidia-ml.so.1 libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libnvrtc.so.13 libnccl.so.2; do
  for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/local/cuda-13*/lib64 \
           /usr/local/cuda-13*/targets/x86_64-linux/lib /usr/local/nvidia/lib64 /usr/local/nvidia/lib \
           /usr/lib/x86_64-linux-gnu $PY_LIB_DIRS; do
    if [ -e "$d/$lib" ]; then
      case ":$LIB_DIRS:" in *":$d:"*) ;; *) LIB_DIRS="${LIB_DIRS:+$LIB_DIRS:}$d" ;; esac
      break
    fi
  done
done
export LD_LIBRARY_PATH="$LIB_DIRS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export ALPA4J_CACHE="$WORK/kernel-cache"
# the CPU references in the tests (the 12-layer GPT's forward pass) may use every core for OpenBLAS
export OPENBLAS_NUM_THREADS="$(nproc)"
echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH" | tee "$RESULTS/doctor.txt"

echo "== doctor"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader >"$WORK/gpu.txt" 2>&1 || true
cat "$WORK/gpu.txt" | tee -a "$RESULTS/doctor.txt"
"$JAVA" "${JOPTS[@]}" -jar "$B/lib/alpa4j.jar" doctor 2>&1 | tee -a "$RESULTS/doctor.txt"

echo "== GPU tests ($(elapsed) s)"
TC="$B/test-classes/native:$B/test-classes/kernels:$B/test-classes/energy-monitor:$B/test-classes/engine"
timeout 250 "$JAVA" "${JOPTS[@]}" -jar "$B/lib/junit-platform-console-standalone.jar" execute \
  --disable-banner --details=testfeed --disable-ansi-colors \
  --class-path "$TC:$B/lib/alpa4j.jar:$B/lib/assertj-core.jar" --scan-class-path "$TC" \
  --include-tag gpu --reports-dir "$WORK/junit" >"$RESULTS/tests.log" 2>&1
echo "tests exit code $? after $(elapsed) s" | tee -a "$RESULTS/tests.log"
tail -15 "$RESULTS/tests.log"
cp "$WORK/junit/TEST-junit-jupiter.xml" "$RESULTS/junit.xml" 2>/dev/null || true

GPT=(--layers 12 --heads 12 --hidden 768 --seq 1024 --vocab 1024 --batch 8 --warmup 3 --steps 10)
echo "== alpa4j benchmark ($(elapsed) s)"
timeout 120 "$JAVA" "${JOPTS[@]}" -cp "$B/lib/alpa4j.jar" io.github.alpa4j.engine.cli.BenchGpuCommand "${GPT[@]}" \
  --precision fp32,tf32,bf16 >"$RESULTS/bench-engine.log" 2>&1
echo "benchmark exit code $? after $(elapsed) s" | tee -a "$RESULTS/bench-engine.log"
grep -v '^BENCH' "$RESULTS/bench-engine.log" | tail -8

echo "== PyTorch eager ($(elapsed) s)"
PYTHONUNBUFFERED=1 timeout 90 python3 "$B/pytorch_gpt.py" "${GPT[@]}" --precision fp32,tf32,bf16 --attention math,sdpa \
  >"$RESULTS/bench-pytorch.log" 2>&1
echo "pytorch exit code $? after $(elapsed) s" | tee -a "$RESULTS/bench-pytorch.log"
tail -8 "$RESULTS/bench-pytorch.log"

echo "== energy: NVML monitor against nvidia-smi ($(elapsed) s)"
# nvidia-smi's own reading about 10 times a second, stamped with the wall clock; only reads, never sets
( while :; do
    echo "$(date +%s%3N),$(nvidia-smi --query-gpu=power.draw --format=csv,noheader,nounits -i 0 2>/dev/null | head -1)"
    sleep 0.1
  done ) >"$WORK/smi-power.csv" 2>/dev/null &
SMI=$!
timeout 75 "$JAVA" "${JOPTS[@]}" -jar "$B/lib/alpa4j.jar" train --backend cuda --energy --layers 12 --heads 12 --hidden 768 \
  --seq 1024 --vocab 1024 --batch 8 --steps 30 --no-progress --log-every 10 --json "$RESULTS/energy.json" >"$RESULTS/energy.log" 2>&1
echo "train --energy exit code $? after $(elapsed) s" | tee -a "$RESULTS/energy.log"
kill "$SMI" 2>/dev/null
wait "$SMI" 2>/dev/null
cp "$WORK/smi-power.csv" "$RESULTS/smi-power.csv" 2>/dev/null || true
tail -3 "$RESULTS/energy.log"

echo
python3 "$ROOT/scripts/gpu_check_table.py" --gpu "$WORK/gpu.txt" --doctor "$RESULTS/doctor.txt" --junit "$RESULTS/junit.xml" \
  --tests-log "$RESULTS/tests.log" --engine "$RESULTS/bench-engine.log" --pytorch "$RESULTS/bench-pytorch.log" \
  --seconds "$(elapsed)" | tee "$RESULTS/gpu-check.md"
python3 "$ROOT/scripts/gpu_energy_check.py" "$RESULTS/energy.json" "$RESULTS/smi-power.csv" | tee -a "$RESULTS/gpu-check.md"
