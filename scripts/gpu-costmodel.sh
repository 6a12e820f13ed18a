#!/usr/bin/env bash
# The cost model on a GPU (issue 14): profiles logical devices sharing GPU 0 (alpa4j profile --backend cuda on a
# 2x2 mesh: the matmul grid, memory-bound ops, collectives between logical devices, sends) and runs the validate
# suite on them with that profile (alpa4j validate --backend cuda), then writes $OUT/gpu-costmodel.md: the card,
# the commit, the profile's summary and the suite's table. Run it on the GPU machine after scripts/gpu-check.sh
# (same bundle, made here by scripts/bundle-gpu.sh); nothing here changes the GPU's clocks or modes.
# --dry-run does the same from the build tree on the CPU backend (a 1x2 mesh, the 1x2 cases).
# Usage: scripts/gpu-costmodel.sh [--dry-run]      (about 4 minutes on a GPU; limit it to 300 s)
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DRY=0
case "${1:-}" in
  "") ;;
  --dry-run) DRY=1 ;;
  *) echo "gpu-costmodel.sh: unknown argument '$1' (usage: scripts/gpu-costmodel.sh [--dry-run])" >&2; exit 2 ;;
esac
# $OUT (the device tool's folder that comes back), else a fresh folder kept for the user (its name is printed)
RESULTS="${OUT:-$(mktemp -d /tmp/alpa4j-gpu-costmodel-out.XXXXXX)}"
mkdir -p "$RESULTS"
WORK=$(mktemp -d /tmp/alpa4j-gpu-costmodel.XXXXXX)  # the unpacked bundle and the kernel cache, removed on exit
trap 'rm -rf "$WORK"' EXIT
if [ $DRY = 1 ]; then
  . "$ROOT/scripts/jdk.sh"
  alpa4j_setup_java
  JAVA="$JAVA_HOME/bin/java"
  JAR="$ROOT/engine/target/alpa4j.jar"
  [ -f "$JAR" ] || { echo "gpu-costmodel.sh: no $JAR: build first (./test.sh -DskipTests)" >&2; exit 2; }
  BACKEND=cpu; MESH=1x2; CARD="dry run on $(hostname), $(nproc) cores: CPU backend"
  COMMIT="$(git -C "$ROOT" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
else
  ARCHIVE="$ROOT/bundle/alpa4j-gpu.tar.xz"
  [ -f "$ARCHIVE" ] || { echo "gpu-costmodel.sh: no bundle/alpa4j-gpu.tar.xz: run scripts/bundle-gpu.sh and carry bundle/ here" >&2; exit 2; }
  if command -v xz >/dev/null 2>&1; then tar -C "$WORK" -xJf "$ARCHIVE"
  else python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$ARCHIVE" "$WORK"; fi
  JAVA="$WORK/alpa4j-gpu/jre/bin/java"
  JAR="$WORK/alpa4j-gpu/lib/alpa4j.jar"
  BACKEND=cuda; MESH=2x2
  CARD="$(timeout 3 nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -1)"
  COMMIT="$(sed -n 's/^commit: //p' "$ROOT/bundle/BUNDLE.txt" 2>/dev/null)"
  DIRS=$(bash "$ROOT/scripts/cuda-lib-dirs.sh")
  export LD_LIBRARY_PATH="$DIRS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
export ALPA4J_CACHE="$WORK/cache"
JOPTS=(--enable-native-access=ALL-UNNAMED -Xss16m -Duser.language=en -Duser.country=US)
VALIDATE_MESH=(); [ $DRY = 1 ] && VALIDATE_MESH=(--mesh 1x2)
"$JAVA" "${JOPTS[@]}" -jar "$JAR" profile --backend "$BACKEND" --mesh "$MESH" --no-progress --out "$RESULTS/profile.json" \
  >"$RESULTS/profile.txt" 2>&1
PROFILE_RC=$?
VALIDATE_RC=skipped
if [ $PROFILE_RC = 0 ]; then
  "$JAVA" "${JOPTS[@]}" -jar "$JAR" validate --backend "$BACKEND" --cluster "$RESULTS/profile.json" "${VALIDATE_MESH[@]}" \
    --json "$RESULTS/validate.json" >"$RESULTS/validate.txt" 2>&1
  VALIDATE_RC=$?
fi
{
  echo "# The cost model on $([ $DRY = 1 ] && echo 'the CPU (dry run)' || echo 'a GPU')"
  echo
  echo "Date $(date -u '+%Y-%m-%d %H:%M') UTC; card: $CARD; commit ${COMMIT:-unknown}."
  echo "Made by scripts/gpu-costmodel.sh$([ $DRY = 1 ] && echo ' --dry-run'): profile exit code $PROFILE_RC, validate exit code $VALIDATE_RC."
  echo
  echo '## alpa4j profile --backend '"$BACKEND"' --mesh '"$MESH"
  echo; echo '```'; cat "$RESULTS/profile.txt"; echo '```'; echo
  echo '## alpa4j validate --backend '"$BACKEND"
  echo; echo '```'; [ -f "$RESULTS/validate.txt" ] && sed -n '/^cost model of/,$p' "$RESULTS/validate.txt"; echo '```'
} >"$RESULTS/gpu-costmodel.md"
cat "$RESULTS/gpu-costmodel.md"
echo "files in $RESULTS: gpu-costmodel.md, profile.txt, profile.json, validate.txt, validate.json"
[ $PROFILE_RC = 0 ] && [ "$VALIDATE_RC" = 0 ]
