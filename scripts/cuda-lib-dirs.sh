#!/usr/bin/env bash
# Prints, colon-separated, the folders that hold the CUDA libraries alpa4j's JNI glue loads by soname (libcuda,
# libnvidia-ml, libcudart, libcublas(Lt), libnvrtc, libnccl): the CUDA toolkit first, then the driver's folder, then
# the NVIDIA wheels beside PyTorch. For the GPU scripts' loader path (scripts/gpu-check.sh, scripts/gpu-costmodel.sh).
PY_LIB_DIRS=$(timeout 3 python3 - <<'PY' 2>/dev/null
import glob, os, site
for r in list(site.getsitepackages()) + [site.getusersitepackages()]:
    for d in sorted(glob.glob(os.path.join(r, "nvidia", "**", "lib"), recursive=True)):
        print(d)
PY
)
DIRS=""
for lib in libcuda.so.1 libnvidia-ml.so.1 libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libnvrtc.so.13 libnccl.so.2; do
  for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/local/cuda-13*/lib64 \
           /usr/local/cuda-13*/targets/x86_64-linux/lib /usr/local/nvidia/lib64 /usr/local/nvidia/lib \
           /usr/lib/x86_64-linux-gnu $PY_LIB_DIRS; do
    if [ -e "$d/$lib" ]; then
      case ":$DIRS:" in *":$d:"*) ;; *) DIRS="${DIRS:+$DIRS:}$d" ;; esac
      break
    fi
  done
done
echo "$DIRS"
