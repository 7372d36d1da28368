#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors, runs every test,
# then builds and runs them all again under AddressSanitizer and
# UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test

echo "== build (warnings are errors) and test"
scripts/build.sh build-test --buildtype=debugoptimized -Dwerror=true
meson test -C build-test --print-errorlogs --num-processes 2
python3 scripts/test-summary.py build-test

# The benchmarks' build (bench/scale.sh): -O3 sees uninitialised reads
# that -O2 does not; compiled, warnings as errors, not tested again.
echo "== release build (warnings are errors)"
scripts/build.sh build-release --buildtype=release -Dwerror=true

echo "== build and test under -Db_sanitize=address,undefined"
scripts/build.sh build-asan --buildtype=debug -Dwerror=true \
  -Db_sanitize=address,undefined -Db_lundef=false
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp \
  meson test -C build-asan --print-errorlogs --num-processes 2
python3 scripts/test-summary.py build-asan
