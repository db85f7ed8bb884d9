#!/usr/bin/env bash
# Installs every Debian 12 package that the build, the tests, the demo and the
# fuzzers need. Run it as root (it re-runs itself through sudo otherwise). When
# everything is installed already it only checks with dpkg-query and exits, so
# the other scripts call it on every run. It also installs the npm packages of
# the browser tests (tests/browser) with `npm ci` when they are missing or stale.
set -euo pipefail

packages=(
  # Build
  build-essential cmake ninja-build ccache pkg-config git
  # Libraries
  libssl-dev openssl libcurl4-openssl-dev zlib1g-dev nlohmann-json3-dev
  libspdlog-dev libfmt-dev libarchive-dev libcli11-dev libboost-dev libdeflate-dev
  libsqlite3-dev sqlite3
  # Tests
  libgtest-dev libgmock-dev googletest python3 bsdutils
  # Test files and archive tools used by the tests and the demo
  curl clamav clamav-testfiles zip unzip p7zip-full xz-utils bzip2 cpio libarchive-tools tar
  # Smart Scan Server benchmark references and the load-balancer sample
  redis-server redis-tools wrk nginx-light
  # Fuzzers (libFuzzer ships with clang's runtime libraries) and style checks
  clang clang-14 libclang-rt-14-dev clang-format clang-tidy
  # 32-bit Windows cross build (cmake/win32/build-deps.sh unpacks Debian sources
  # with dpkg-source), its tests under wine, and window screenshots under Xvfb
  gcc-mingw-w64-i686-posix g++-mingw-w64-i686-posix binutils-mingw-w64-i686
  mingw-w64-i686-dev libz-mingw-w64-dev dpkg-dev patch perl make
  wine wine32:i386 xvfb xauth imagemagick xdotool
  # Browser tests of the console pages (tests/browser)
  chromium
)

# The browser tests run under Node.js and npm. A machine that has them from
# elsewhere (NodeSource, nvm) keeps them, because Debian's packages would
# conflict.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    exec sudo "$0" "$@"
  fi
  echo "install-deps.sh: run this script as root (or install sudo) to install packages" >&2
  exit 1
fi

# Installs the npm packages of tests/browser with `npm ci` when node_modules is
# missing or was installed from another package-lock.json. The lock file's
# SHA-256 is kept beside the packages to tell.
install_browser_test_modules() {
  local folder stamp lock_sha256
  folder="$(cd "$(dirname "$0")/.." && pwd)/tests/browser"
  [[ -f $folder/package-lock.json ]] || return 0
  stamp=$folder/node_modules/.odscan-package-lock.sha256
  lock_sha256=$(sha256sum "$folder/package-lock.json" | cut -d' ' -f1)
  if [[ -f $stamp && $(<"$stamp") == "$lock_sha256" ]]; then
    return 0
  fi
  echo "install-deps.sh: installing the npm packages of tests/browser (npm ci)"
  (cd "$folder" && npm ci --no-audit --no-fund)
  echo "$lock_sha256" >"$stamp"
}

is_installed() {
  [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

missing=()
for package in "${packages[@]}"; do
  is_installed "$package" || missing+=("$package")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps.sh: all ${#packages[@]} packages are installed"
  install_browser_test_modules
  exit 0
fi

if ! grep -q '^VERSION_CODENAME=bookworm' /etc/os-release 2>/dev/null; then
  echo "install-deps.sh: warning: this script is written for Debian 12 (bookworm);" \
    "package names may differ on this system" >&2
fi

echo "install-deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# wine32:i386 runs the 32-bit Windows programs; it needs the i386 architecture.
if [[ " ${missing[*]} " == *":i386 "* ]] && ! dpkg --print-foreign-architectures | grep -qx i386; then
  echo "install-deps.sh: adding the i386 architecture for wine32:i386"
  dpkg --add-architecture i386
fi
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
install_browser_test_modules
