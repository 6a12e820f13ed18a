#!/usr/bin/env bash
# Runs every test of every module (GPU tests skip themselves, with a reason, where there is no GPU).
# Extra Maven arguments pass through, e.g. ./test.sh -pl planner -Dtest=AutodiffTest
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$ROOT/scripts/jdk.sh"
alpa4j_setup_java
alpa4j_need_maven
cd "$ROOT"
exec mvn -B -ntp verify "$@"
