#!/usr/bin/env bash
# Runs every libFuzzer target of a fuzz build for a fixed time each.
#
# Usage: tests/fuzz/run-fuzzers.sh BUILD_DIR SECONDS
#   BUILD_DIR  a build configured with the `fuzz` preset (clang, ODSCAN_BUILD_FUZZERS=ON)
#              and built, for example build/fuzz
#   SECONDS    fuzzing time per target
#
# Each target first replays its committed regression inputs
# (tests/fuzz/regressions/<target>/), then fuzzes starting from the generated seed
# corpus plus those inputs. A crash input is written to BUILD_DIR/fuzz-artifacts/;
# copy it into tests/fuzz/regressions/<target>/ once the bug is fixed. Exits 1 when
# any target failed.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd)
seconds=$2
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
fuzz_dir="$build_dir/tests/fuzz"
artifacts="$build_dir/fuzz-artifacts"
mkdir -p "$artifacts"

mapfile -t fuzzers < <(find "$fuzz_dir" -maxdepth 1 -type f -perm -u+x -name '*_fuzzer' | sort)
if [[ ${#fuzzers[@]} -eq 0 ]]; then
  echo "no fuzzers found in $fuzz_dir; build the fuzz preset first" >&2
  exit 2
fi

failed=()
for fuzzer in "${fuzzers[@]}"; do
  name=$(basename "$fuzzer")
  regressions="$script_dir/regressions/$name"
  corpus="$build_dir/fuzz-corpus/$name"
  mkdir -p "$corpus"
  if [[ -d "$fuzz_dir/seed-corpus/$name" ]]; then
    cp -n "$fuzz_dir/seed-corpus/$name"/* "$corpus"/ 2>/dev/null || true
  fi

  echo "== $name: replaying regression inputs"
  if [[ -d "$regressions" ]] && compgen -G "$regressions/*" > /dev/null; then
    if ! "$fuzzer" -runs=0 "$regressions"/*; then
      failed+=("$name (regression input)")
      continue
    fi
    cp -n "$regressions"/* "$corpus"/ 2>/dev/null || true
  fi

  echo "== $name: fuzzing for $seconds s"
  if ! "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$artifacts/$name-" "$corpus"; then
    failed+=("$name")
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "failed: ${failed[*]}; crash inputs are in $artifacts" >&2
  exit 1
fi
echo "all ${#fuzzers[@]} fuzzers ran for $seconds s without a failure"
