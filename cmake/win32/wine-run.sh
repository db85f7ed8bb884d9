#!/usr/bin/env bash
# Runs a Windows program under wine in the given wine prefix and exits with the
# program's exit code. The Win32 toolchain file makes this CMake's
# cross-compiling emulator, so ctest and gtest_discover_tests() run the .exe
# test programs through it.
#
# Usage: cmake/win32/wine-run.sh WINEPREFIX PROGRAM.exe [ARGUMENT...]
#
# A missing prefix is created first (about 8 s), under a lock so that parallel
# test runs do not create it twice. WINEDEBUG and WINEDLLOVERRIDES keep their
# values when set; by default wine prints no debug channels and skips the Mono
# and Gecko installers.
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 WINEPREFIX PROGRAM.exe [ARGUMENT...]" >&2
  exit 2
fi
WINEPREFIX=$1
shift
export WINEPREFIX
export WINEDEBUG=${WINEDEBUG:--all}
export WINEDLLOVERRIDES=${WINEDLLOVERRIDES:-mscoree,mshtml=}

if ! command -v wine >/dev/null; then
  echo "wine-run.sh: wine is not installed; run scripts/install-deps.sh" >&2
  exit 2
fi

if [[ ! -f $WINEPREFIX/system.reg ]]; then
  mkdir -p "$(dirname "$WINEPREFIX")"
  (
    flock 9
    if [[ ! -f $WINEPREFIX/system.reg ]]; then
      echo "wine-run.sh: creating the wine prefix $WINEPREFIX" >&2
      WINEARCH=win32 wine cmd /c exit >/dev/null 2>&1 || true
      # The wine server writes the new registry (system.reg) when it exits,
      # about 3 s after its last program.
      wineserver -w || true
      if [[ ! -f $WINEPREFIX/system.reg ]]; then
        echo "wine-run.sh: wine could not create the prefix $WINEPREFIX;" \
          "run 'WINEPREFIX=$WINEPREFIX wine cmd /c exit' to see why" >&2
        exit 2
      fi
    fi
  ) 9>"$WINEPREFIX.lock"
fi

# A Windows program writes its text output with CRLF line ends. CMake 3.25's
# gtest_discover_tests() would keep the CR in every test name it reads from
# --gtest_list_tests, so the CRs are removed from that listing only.
for argument in "$@"; do
  if [[ $argument == --gtest_list_tests ]]; then
    wine "$@" | tr -d '\r'
    exit "${PIPESTATUS[0]}"
  fi
done
exec wine "$@"
