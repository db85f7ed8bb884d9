#!/usr/bin/env bash
# Checks that the C++ sources follow .clang-format and the naming rules in
# .clang-tidy. Exits non-zero on the first kind of violation found.
#
# Usage: scripts/check-style.sh BUILD_DIR
#   BUILD_DIR  a configured build folder with compile_commands.json (test.sh passes
#              build/ci); clang-tidy needs it to parse each source as the build does.
#
# To fix formatting: clang-format -i FILE...
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $# -ne 1 || ! -f $1/compile_commands.json ]]; then
  echo "usage: $0 BUILD_DIR (a configured build folder with compile_commands.json)" >&2
  exit 2
fi
build_dir=$1

mapfile -t sources < <(git ls-files 'include/*.h' 'src/*.h' 'src/*.cc' 'tests/*.h' 'tests/*.cc')

echo "== clang-format: ${#sources[@]} files"
if ! clang-format --dry-run -Werror "${sources[@]}"; then
  echo "check-style.sh: the files above differ from .clang-format; run clang-format -i on them" >&2
  exit 1
fi

# The Windows sources cannot be parsed with the Linux build's flags. The build's
# GCC-only warning flags are unknown to clang, hence -Wno-unknown-warning-option.
mapfile -t translation_units < <(git ls-files 'src/*.cc' | grep -v 'windows')
echo "== clang-tidy naming: ${#translation_units[@]} files"
printf '%s\n' "${translation_units[@]}" |
  xargs -P "$(nproc)" -n 4 clang-tidy -p "$build_dir" --quiet \
    --extra-arg=-Wno-unknown-warning-option \
    --checks='-*,readability-identifier-naming' --warnings-as-errors='*' \
    --header-filter="$(pwd)/(include|src)/.*"
echo "check-style.sh: formatting and naming are clean"
