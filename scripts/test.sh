#!/usr/bin/env bash
# Sets up a Debian 12 machine and runs every test: the `ci` preset (Debug with
# AddressSanitizer, UndefinedBehaviorSanitizer and warnings as errors) through
# ctest, the formatting and naming checks, then each fuzzer for a short run.
# Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
source scripts/ccache-env.sh

echo "== build and test: ci preset"
cmake --preset ci
cmake --build --preset ci -j2
ctest --preset ci --output-on-failure -j2

echo "== style: clang-format and clang-tidy naming"
scripts/check-style.sh build/ci

if [[ -f tests/fuzz/CMakeLists.txt ]]; then
  echo "== build fuzzers: fuzz preset"
  cmake --preset fuzz
  cmake --build --preset fuzz -j2 --target odscan_fuzzers
  if [[ -x tests/fuzz/run-fuzzers.sh ]]; then
    echo "== run fuzzers (20 s each)"
    tests/fuzz/run-fuzzers.sh build/fuzz 20
  fi
fi

echo "test.sh: all tests passed"
