#!/usr/bin/env bash
# Makes bundle/ (git-ignored): all that scripts/gpu-check.sh runs on a GPU machine that has no Java and no
# network. Run it here after ./test.sh (or ./test.sh -DskipTests), which fetched everything: it builds offline.
# Then carry bundle/ to the GPU machine (docs/cuda.md says how); bundle/ and the working tree that travels
# with it (tracked and untracked, not ignored, files) must stay under 60 MiB together. The bundle is one xz
# archive of
#   jre/            a jlink'd Java runtime with only the modules the jars need
#   lib/            the shaded alpa4j.jar (linux-x86_64 natives only), the JUnit console launcher, AssertJ
#   test-classes/   the compiled tests (and their resources) of native, kernels, energy-monitor and engine: the "gpu" group
#   pytorch_gpt.py  the PyTorch eager twin of the benchmark's GPT
# plus BUNDLE.txt (commit, date, sizes). Usage: scripts/bundle-gpu.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/scripts/jdk.sh"
alpa4j_setup_java
alpa4j_need_maven
LIMIT_MIB=60
OUT_DIR="$ROOT/bundle"
cd "$ROOT"

mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }

echo "== building the shaded jar, the test classes and the test runner, offline (tests are not run)"
# the tests module copies the JUnit console launcher and AssertJ into tests/target/gpu-check-lib
if ! mvn -o -q -B -ntp -DskipTests -pl tests -am package; then
  echo "bundle-gpu.sh: the offline build failed; run ./test.sh once (it fetches what the build needs), then again" >&2
  exit 1
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
STAGE="$WORK/alpa4j-gpu"
mkdir -p "$STAGE/lib" "$STAGE/test-classes"
cp "$ROOT/tests/target/gpu-check-lib/junit-platform-console-standalone.jar" "$ROOT/tests/target/gpu-check-lib/assertj-core.jar" "$STAGE/lib/"

echo "== the application jar, stored uncompressed (the archive compresses it better as a whole)"
python3 - "$ROOT/engine/target/alpa4j.jar" "$STAGE/lib/alpa4j.jar" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as src, zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_STORED) as dst:
    for e in src.infolist():  # same order, names (UTF-8 ones too) and dates
        info = zipfile.ZipInfo(e.filename, date_time=e.date_time)
        info.external_attr = e.external_attr
        dst.writestr(info, src.read(e), compress_type=zipfile.ZIP_STORED)
PY
for m in native kernels energy-monitor engine; do
  cp -r "$ROOT/$m/target/test-classes" "$STAGE/test-classes/$m"
done
cp "$ROOT/bench/pytorch_gpt.py" "$STAGE/"

echo "== a Java runtime with the modules the jars use"
CP="$STAGE/lib/alpa4j.jar:$STAGE/lib/junit-platform-console-standalone.jar:$STAGE/lib/assertj-core.jar"
MODULES=$("$JAVA_HOME/bin/jdeps" --ignore-missing-deps --print-module-deps --multi-release 21 -q \
  --class-path "$CP" "$STAGE/lib/alpa4j.jar" "$STAGE/lib/junit-platform-console-standalone.jar" "$STAGE/lib/assertj-core.jar" \
  "$STAGE/test-classes/native" "$STAGE/test-classes/kernels" "$STAGE/test-classes/energy-monitor" "$STAGE/test-classes/engine")
# JavaCPP reaches sun.misc.Unsafe reflectively; the JUnit reports need the XML writer. java.desktop
# (AWT, for XChart's plots in the energy reports) is left out: a GPU check draws no plot, and it would
# take 8 MiB of the archive.
MODULES=$(echo "$MODULES,jdk.unsupported,java.xml,jdk.zipfs" | tr ',' '\n' | grep -vx 'java.desktop' | sort -u | paste -sd, -)
echo "modules: $MODULES"
STRIP=(--strip-java-debug-attributes)
if command -v objcopy >/dev/null 2>&1; then
  STRIP=(--strip-native-debug-symbols="objcopy=$(command -v objcopy)")
fi
"$JAVA_HOME/bin/jlink" --add-modules "$MODULES" "${STRIP[@]}" --no-man-pages --no-header-files --compress=zip-0 \
  --output "$STAGE/jre"
"$STAGE/jre/bin/java" -version 2>&1 | head -1

echo "== packing"
rm -rf "$OUT_DIR"
mkdir -p "$OUT_DIR"
XZ_OPT="-6 -T0" tar -C "$WORK" -cJf "$OUT_DIR/alpa4j-gpu.tar.xz" alpa4j-gpu
{
  echo "alpa4j GPU bundle: unpacked and run by scripts/gpu-check.sh"
  echo "commit: $(git -C "$ROOT" rev-parse HEAD)$(git -C "$ROOT" diff --quiet HEAD || echo ' (with uncommitted changes)')"
  echo "made: $(date -u +%Y-%m-%dT%H:%M:%SZ) with $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"
  echo "modules: $MODULES"
  echo "unpacked sizes:"
  (cd "$STAGE" && du -sb jre lib/* test-classes/* pytorch_gpt.py) | awk '{ printf "  %-45s %8.1f MiB\n", $2, $1 / 1048576 }'
} >"$OUT_DIR/BUNDLE.txt"
cat "$OUT_DIR/BUNDLE.txt"

# A device run carries the working tree (what git does not ignore) with bundle/: both count.
BUNDLE=$(du -sb "$OUT_DIR" | cut -f1)
TREE=$(git -C "$ROOT" ls-files -z --cached --others --exclude-standard \
  | (cd "$ROOT" && xargs -0 stat -c %s -- 2>/dev/null || true) | awk '{ s += $1 } END { print s + 0 }')
TOTAL=$((BUNDLE + TREE))
echo "bundle/: $(mib "$BUNDLE") (archive $(mib "$(stat -c %s "$OUT_DIR/alpa4j-gpu.tar.xz")")); working tree: $(mib "$TREE");" \
  "together $(mib "$TOTAL") of the $LIMIT_MIB MiB allowed"
if [ "$TOTAL" -gt $((LIMIT_MIB * 1048576)) ]; then
  echo "bundle-gpu.sh: bundle/ and the working tree are $(mib "$TOTAL"), over the $LIMIT_MIB MiB a device run may carry" >&2
  exit 1
fi
