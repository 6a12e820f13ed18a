#!/usr/bin/env bash
# Runs every test of every module (GPU tests skip themselves, with a reason, where there is no GPU).
# Extra Maven arguments pass through, e.g. ./test.sh -pl planner -Dtest=AutodiffTest
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$ROOT/scripts/jdk.sh"
alpa4j_setup_java
alpa4j_need_maven
cd "$ROOT"
# The report tests open pages in headless Chromium: install Debian's package where it is missing and
# apt-get can (as root); elsewhere those tests skip, saying why.
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "test.sh: installing Debian's chromium for the report tests (once)" >&2
  (apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1; }) \
    || echo "test.sh: could not install chromium; the report tests will skip" >&2
fi
exec mvn -B -ntp verify "$@"
