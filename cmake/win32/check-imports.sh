#!/usr/bin/env bash
# Checks that a Windows program is a 32-bit PE (PE32, i386) that imports only
# DLLs which every Windows installation has, so it runs from a bare %TEMP%
# folder. A MinGW runtime DLL (libstdc++-6.dll, libgcc_s_dw2-1.dll,
# libwinpthread-1.dll) or a library DLL (zlib1.dll, libcrypto-3.dll, ...) in the
# import table means a static link went wrong. Exits with 1 and names the DLLs
# that are not allowed.
#
# Usage: cmake/win32/check-imports.sh OBJDUMP PROGRAM.exe
#   OBJDUMP  the MinGW objdump, e.g. i686-w64-mingw32-objdump
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 OBJDUMP PROGRAM.exe" >&2
  exit 2
fi
objdump=$1
program=$2

# Windows system DLLs, lower case. msvcrt.dll is the C runtime that MinGW-w64
# links by default; it ships with every Windows version.
allowed=(
  kernel32.dll advapi32.dll user32.dll gdi32.dll comctl32.dll comdlg32.dll
  shell32.dll shlwapi.dll ole32.dll oleaut32.dll uxtheme.dll ws2_32.dll
  crypt32.dll bcrypt.dll msvcrt.dll ntdll.dll secur32.dll iphlpapi.dll
  userenv.dll version.dll rpcrt4.dll
)

headers=$("$objdump" -p "$program") || {
  echo "check-imports.sh: $objdump could not read $program" >&2
  exit 2
}

if ! grep -q 'file format pei-i386' <<<"$headers"; then
  echo "check-imports.sh: $program is not a 32-bit Windows program (expected pei-i386):" >&2
  grep 'file format' <<<"$headers" >&2 || true
  exit 1
fi

mapfile -t imports < <(awk '/DLL Name:/ { print tolower($3) }' <<<"$headers" | sort -u)
if [[ ${#imports[@]} -eq 0 ]]; then
  echo "check-imports.sh: $objdump found no imported DLL in $program" >&2
  exit 1
fi

rejected=()
for dll in "${imports[@]}"; do
  is_allowed=false
  for system_dll in "${allowed[@]}"; do
    [[ $dll == "$system_dll" ]] && is_allowed=true
  done
  $is_allowed || rejected+=("$dll")
done

echo "check-imports.sh: $program imports ${imports[*]}"
if [[ ${#rejected[@]} -gt 0 ]]; then
  echo "check-imports.sh: not Windows system DLLs: ${rejected[*]}." \
    "Link those libraries statically (see cmake/OdscanWin32Dependencies.cmake)" \
    "or add a real system DLL to the list in $0" >&2
  exit 1
fi
echo "check-imports.sh: only Windows system DLLs"
