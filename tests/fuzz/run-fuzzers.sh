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
# corpus plus those inputs; archive_scanner_fuzzer and zip_reader_fuzzer also start
# from the small archives of /usr/share/clamav-testfiles when that package is
# installed. A crash
# input is written to BUILD_DIR/fuzz-artifacts/; copy it into
# tests/fuzz/regressions/<target>/ once the bug is fixed. Exits 1 when any target
# failed.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd)
seconds=$2
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
fuzz_dir="$build_dir/tests/fuzz"
clamav_samples=/usr/share/clamav-testfiles
# Archives in formats that libarchive cannot write (cab), and other small samples.
# They come from the Debian package and are not committed.
clamav_archives=(clam.cab clam.7z clam.zip clam.impl.zip clam.d64.zip clam.bz2.zip clam.tar.gz
                 clam_cache_emax.tgz clam.exe.bz2 clam.bin-be.cpio clam.bin-le.cpio
                 clam.newc.cpio clam.odc.cpio)
artifacts="$build_dir/fuzz-artifacts"
mkdir -p "$artifacts"
limits=(-timeout=10 -rss_limit_mb=2048)

mapfile -t fuzzers < <(find "$fuzz_dir" -maxdepth 1 -type f -perm -u+x -name '*_fuzzer' | sort)
if [[ ${#fuzzers[@]} -eq 0 ]]; then
  echo "no fuzzers found in $fuzz_dir; build the fuzz preset first" >&2
  exit 2
fi

# archive_scanner_fuzzer lets every allocation over 256 MiB fail on purpose, and
# ASan prints a warning for each one. Those lines are dropped from the output.
drop_allocation_warnings() {
  grep -v --line-buffered 'WARNING: AddressSanitizer failed to allocate' || true
}

failed=()
for fuzzer in "${fuzzers[@]}"; do
  name=$(basename "$fuzzer")
  regressions="$script_dir/regressions/$name"
  corpus="$build_dir/fuzz-corpus/$name"
  mkdir -p "$corpus"
  if [[ -d "$fuzz_dir/seed-corpus/$name" ]]; then
    cp -n "$fuzz_dir/seed-corpus/$name"/* "$corpus"/ 2>/dev/null || true
  fi
  if [[ ($name == archive_scanner_fuzzer || $name == zip_reader_fuzzer) && -d $clamav_samples ]]; then
    for sample in "${clamav_archives[@]}"; do
      if [[ -f "$clamav_samples/$sample" ]]; then
        cp -n "$clamav_samples/$sample" "$corpus"/
      fi
    done
  fi

  echo "== $name: replaying regression inputs"
  if [[ -d "$regressions" ]] && compgen -G "$regressions/*" > /dev/null; then
    if ! "$fuzzer" -runs=0 "${limits[@]}" "$regressions"/* 2>&1 | drop_allocation_warnings; then
      failed+=("$name (regression input)")
      continue
    fi
    cp -n "$regressions"/* "$corpus"/ 2>/dev/null || true
  fi

  echo "== $name: fuzzing for $seconds s"
  if ! "$fuzzer" -max_total_time="$seconds" "${limits[@]}" \
      -print_final_stats=1 -artifact_prefix="$artifacts/$name-" "$corpus" 2>&1 |
      drop_allocation_warnings; then
    failed+=("$name")
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "failed: ${failed[*]}; crash inputs are in $artifacts" >&2
  exit 1
fi
echo "all ${#fuzzers[@]} fuzzers ran for $seconds s without a failure"
