#!/usr/bin/env bash
# Runs the scan benchmark (bench/scan_bench.py) with the odscan executables of a
# release build. Options are passed through; see bench/README.md.
#
# Environment: ODSCAN_BUILD_DIR is the build folder to take odscan and
# odscan-pattern from (default: build/bench-release in the work tree).
set -euo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build_dir=${ODSCAN_BUILD_DIR:-$bench_dir/../build/bench-release}

find_executable() {
  if [[ -d $build_dir ]]; then
    find "$build_dir" -type f -name "$1" -perm -u+x -print -quit
  fi
}

tool_args=()
case " $* " in
  *" --odscan "* | *" --odscan="*) ;;
  *)
    odscan=$(find_executable odscan)
    odscan_pattern=$(find_executable odscan-pattern)
    if [[ -n $odscan && -n $odscan_pattern ]]; then
      tool_args=(--odscan "$odscan" --odscan-pattern "$odscan_pattern")
    else
      echo "note: odscan or odscan-pattern not found under $build_dir;" \
        "build them (see bench/README.md) or only the references are measured" >&2
    fi
    ;;
esac

exec python3 "$bench_dir/scan_bench.py" "${tool_args[@]}" "$@"
