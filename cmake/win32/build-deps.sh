#!/usr/bin/env bash
# Cross-builds the libraries of the Win32 scanner as static i686-w64-mingw32
# libraries into a cache folder outside the clone, and prints that folder (the
# prefix for cmake/toolchains/i686-w64-mingw32.cmake) as the only line on
# standard output. Progress and timings go to standard error.
#
# Sources come from Debian with `apt-get source` and are unpacked with
# `dpkg-source -x`, so Debian's patches (security fixes included) are applied:
#   bzip2, xz-utils (liblzma), libarchive, OpenSSL 3.0, curl, libdeflate.
# Debian's libz-mingw-w64-dev provides zlib, /usr/src/googletest provides
# GoogleTest, and the header-only nlohmann/json, CLI11, spdlog and fmt are copied
# from Debian's -dev packages.
#
# Cache: $ODSCAN_WIN32_DEPS (default /var/cache/odscan-win32)/prefix-KEY, where
# KEY hashes this script, the toolchain file, every source package version and the
# versions of the Debian packages used as they are. An existing prefix is a cache
# hit and nothing is built. A build runs in a temporary folder and is renamed into
# place only when every step succeeded. The link `current` points at the prefix
# made or found last. When the package registry cannot provide the newest
# version of a source package, the next older one is built, and later runs use
# that build for one day before they try the newest version again.
#
# Needs root the first time: it adds deb-src entries for bookworm,
# bookworm-updates and bookworm-security to /etc/apt/sources.list.d/ when they
# are missing (copied from the existing deb entries) and runs apt-get update.
#
# Usage: cmake/win32/build-deps.sh [--jobs N]
#   --jobs N           parallel compile jobs (default 2)
#   ODSCAN_WIN32_DEPS  cache folder (default /var/cache/odscan-win32)
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
script_path=$script_dir/$(basename "${BASH_SOURCE[0]}")
source_dir=$(cd "$script_dir/../.." && pwd)
toolchain_file="$source_dir/cmake/toolchains/i686-w64-mingw32.cmake"
triplet=i686-w64-mingw32
cache_root=${ODSCAN_WIN32_DEPS:-/var/cache/odscan-win32}
jobs=2

# Debian source packages built here, in build order.
source_packages=(bzip2 xz-utils libdeflate openssl curl libarchive)
# Debian packages whose files are used as they are; their versions join the key.
used_packages=(gcc-mingw-w64-i686-posix g++-mingw-w64-i686-posix mingw-w64-i686-dev
  binutils-mingw-w64-i686 libz-mingw-w64-dev googletest nlohmann-json3-dev
  libcli11-dev libspdlog-dev libfmt-dev cmake)
deb_src_suites=(bookworm bookworm-updates bookworm-security)

# odscan.exe has a size target (6 MB stripped), and most of it is library code.
# Every library gets one section per function and data item, so the release
# link (--gc-sections) drops what odscan does not call. Libraries that never
# call back into odscan's C++ code are built without unwind tables, which were
# about a fifth of the executable. curl and libarchive call odscan's callbacks,
# and an exception from those must unwind through their frames, so they keep
# theirs.
section_cflags="-ffunction-sections -fdata-sections"
no_unwind_cflags="-fno-asynchronous-unwind-tables"
deb_src_file=/etc/apt/sources.list.d/odscan-deb-src.sources

log() { echo "build-deps: $*" >&2; }
fail() {
  log "error: $*"
  exit 1
}

check_tools() {
  local tool
  for tool in "$triplet-gcc-posix" "$triplet-g++-posix" "$triplet-ar" "$triplet-windres" \
    apt-get apt-cache dpkg-source cmake ninja make perl flock sha256sum; do
    command -v "$tool" >/dev/null ||
      fail "'$tool' is not installed; run scripts/install-deps.sh first"
  done
}

# Prints the suites that already have a deb-src index configured.
configured_source_suites() {
  apt-get indextargets --format '$(CREATED_BY) $(RELEASE)' 2>/dev/null |
    awk '$1 == "Sources" { print $2 }' | sort -u
}

# Prints a deb822 deb-src stanza for every deb stanza of the given .sources file
# that lists one of the wanted suites, keeping its URIs, Components and Signed-By.
deb_src_stanzas() {
  awk -v suites="${deb_src_suites[*]}" '
    BEGIN {
      RS = ""; FS = "\n"
      count = split(suites, names, " ")
      for (i = 1; i <= count; i++) wanted[names[i]] = 1
    }
    {
      types = ""; suite_line = ""; rest = ""
      for (i = 1; i <= NF; i++) {
        if ($i ~ /^#/) continue
        if ($i ~ /^Types:/) { types = $i; continue }
        if ($i ~ /^Suites:/) {
          listed = split(substr($i, 8), stanza_suites, " ")
          for (j = 1; j <= listed; j++)
            if (stanza_suites[j] in wanted) suite_line = suite_line " " stanza_suites[j]
          continue
        }
        rest = rest $i "\n"
      }
      if (types ~ /[ \t]deb([ \t]|$)/ && suite_line != "")
        printf "Types: deb-src\nSuites:%s\n%s\n", suite_line, rest
    }' "$1"
}

# Prints a deb822 deb-src stanza for every one-line-format deb entry of the
# given file that names one of the wanted suites.
deb_src_stanzas_from_list() {
  awk -v suites="${deb_src_suites[*]}" '
    BEGIN {
      count = split(suites, names, " ")
      for (i = 1; i <= count; i++) wanted[names[i]] = 1
    }
    $1 == "deb" {
      field = 2; signed_by = ""
      if ($2 ~ /^\[/) {
        for (; field <= NF; field++) {
          if ($field ~ /signed-by=/) { signed_by = $field; sub(/.*signed-by=/, "", signed_by); sub(/\]$/, "", signed_by) }
          if ($field ~ /\]$/) { field++; break }
        }
      }
      if (!($(field + 1) in wanted)) next
      printf "Types: deb-src\nURIs: %s\nSuites: %s\nComponents:", $field, $(field + 1)
      for (i = field + 2; i <= NF; i++) printf " %s", $i
      printf "\n"
      if (signed_by != "") printf "Signed-By: %s\n", signed_by
      printf "\n"
    }' "$1"
}

# Adds deb-src entries when a wanted suite has none, then runs apt-get update once.
ensure_deb_src() {
  local configured missing=() suite file
  configured=$(configured_source_suites)
  for suite in "${deb_src_suites[@]}"; do
    grep -qx "$suite" <<<"$configured" || missing+=("$suite")
  done

  if [[ ${#missing[@]} -gt 0 ]]; then
    [[ $(id -u) -eq 0 ]] ||
      fail "no deb-src entry for ${missing[*]}; run this script once as root to add them"
    log "adding deb-src entries for ${deb_src_suites[*]} in $deb_src_file"
    local content=""
    for file in /etc/apt/sources.list.d/*.sources; do
      [[ -f $file && $file != "$deb_src_file" ]] || continue
      content+=$(deb_src_stanzas "$file")$'\n\n'
    done
    for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [[ -f $file ]] || continue
      content+=$(deb_src_stanzas_from_list "$file")$'\n\n'
    done
    grep -q '^Types: deb-src' <<<"$content" ||
      fail "no deb entry for ${deb_src_suites[*]} found in /etc/apt to copy as deb-src"
    printf '%s\n' "$content" >"$deb_src_file"
    run_apt_update
  elif ! apt-cache showsrc --only-source bzip2 2>/dev/null | grep -q '^Version:'; then
    run_apt_update
  fi
}

run_apt_update() {
  log "apt-get update"
  apt-get update -qq >&2 || fail "apt-get update failed; check the network and /etc/apt"
}

# Prints the versions of a source package, newest first.
source_versions() {
  local versions sorted=() version i
  versions=$(apt-cache showsrc --only-source "$1" 2>/dev/null | awk '/^Version:/ { print $2 }' |
    sort -u)
  for version in $versions; do
    i=${#sorted[@]}
    sorted+=("$version")
    while ((i > 0)) && dpkg --compare-versions "${sorted[i - 1]}" lt "$version"; do
      sorted[i]=${sorted[i - 1]}
      sorted[i - 1]=$version
      i=$((i - 1))
    done
  done
  [[ ${#sorted[@]} -gt 0 ]] || fail "apt-cache has no source package '$1'"
  printf '%s\n' "${sorted[@]}"
}

installed_version() {
  dpkg-query -W -f='${Version}' "$1" 2>/dev/null ||
    fail "package $1 is not installed; run scripts/install-deps.sh first"
}

# Prints the cache key for the given "package=version" lines: a hash of this
# script, the toolchain file, those versions and the used Debian packages.
cache_key() {
  {
    sha256sum "$script_path" "$toolchain_file" | awk '{ print $1 }'
    printf '%s\n' "$@"
    local package
    for package in "${used_packages[@]}"; do
      echo "$package=$(installed_version "$package")"
    done
  } | sha256sum | cut -c1-16
}

# Downloads and unpacks one source package into $work/src/NAME, newest version
# first. A version whose files the registry does not have falls back to the next
# older one with a warning. Prints the version used.
fetch_source() {
  local package=$1 version dsc
  local versions
  versions=$(source_versions "$package")
  for version in $versions; do
    rm -rf "$work/download"
    mkdir -p "$work/download"
    # apt downloads as the unprivileged _apt user when it can write the folder.
    if id _apt >/dev/null 2>&1; then chown _apt "$work/download"; fi
    if (cd "$work/download" && apt-get source --download-only -qq "$package=$version" \
      >"$work/logs/$package-download.log" 2>&1); then
      dsc=$(find "$work/download" -maxdepth 1 -name '*.dsc' | head -n 1)
      dpkg-source --no-check -x "$dsc" "$work/src/$package" >>"$work/logs/$package-download.log" 2>&1 ||
        fail "dpkg-source -x $dsc failed; see $work/logs/$package-download.log"
      rm -rf "$work/download"
      echo "$version"
      return 0
    fi
    log "warning: could not download $package $version" \
      "($(grep -m 1 '^E:' "$work/logs/$package-download.log" || echo 'apt-get source failed'));" \
      "trying the next older version"
  done
  fail "no version of source package $package could be downloaded"
}

cmake_cross() {
  local source=$1 build=$2
  shift 2
  cmake -S "$source" -B "$build" -G Ninja --toolchain "$toolchain_file" \
    -DODSCAN_WIN32_PREFIX="$stage_prefix" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$prefix" "$@"
}

build_bzip2() {
  local source=$work/src/bzip2 object objects=()
  # bzlib.h declares the functions as DLL function pointers on Windows unless
  # BZ_EXPORT is defined. libarchive is built with it too.
  for object in blocksort huffman crctable randtable compress decompress bzlib; do
    # shellcheck disable=SC2086 # the flag lists split into words
    "$triplet-gcc-posix" -O2 $section_cflags $no_unwind_cflags -DBZ_EXPORT \
      -D_FILE_OFFSET_BITS=64 -c "$source/$object.c" -o "$source/$object.o"
    objects+=("$source/$object.o")
  done
  mkdir -p "$stage_prefix/lib" "$stage_prefix/include"
  "$triplet-ar" rcs "$stage_prefix/lib/libbz2.a" "${objects[@]}"
  cp "$source/bzlib.h" "$stage_prefix/include/"
}

build_xz_utils() {
  local source=$work/src/xz-utils build=$work/build/xz-utils
  cmake_cross "$source" "$build" -DBUILD_SHARED_LIBS=OFF \
    -DCMAKE_C_FLAGS="$section_cflags $no_unwind_cflags"
  cmake --build "$build" --target liblzma -j "$jobs"
  mkdir -p "$stage_prefix/lib" "$stage_prefix/include"
  cp "$build/liblzma.a" "$stage_prefix/lib/"
  cp -r "$source/src/liblzma/api/lzma.h" "$source/src/liblzma/api/lzma" "$stage_prefix/include/"
}

build_libdeflate() {
  local source=$work/src/libdeflate
  # The Makefile names the static library libdeflatestatic.lib for MinGW targets.
  make -C "$source" -j "$jobs" CC="$triplet-gcc-posix" AR="$triplet-ar" \
    CFLAGS="-O2 $section_cflags $no_unwind_cflags" libdeflatestatic.lib
  mkdir -p "$stage_prefix/lib" "$stage_prefix/include"
  cp "$source/libdeflatestatic.lib" "$stage_prefix/lib/libdeflate.a"
  cp "$source/libdeflate.h" "$stage_prefix/include/"
  # The Makefile writes libdeflate.pc only in its install target, which also
  # builds the programs; this is the same substitution.
  local version
  version=$(sed -n 's/#define LIBDEFLATE_VERSION_STRING[^"]*"\(.*\)"/\1/p' "$source/libdeflate.h")
  mkdir -p "$stage_prefix/lib/pkgconfig"
  sed -e "s|@PREFIX@|$prefix|" -e "s|@INCDIR@|$prefix/include|" -e "s|@LIBDIR@|$prefix/lib|" \
    -e "s|@VERSION@|$version|" "$source/libdeflate.pc.in" >"$stage_prefix/lib/pkgconfig/libdeflate.pc"
}

build_openssl() {
  local source=$work/src/openssl
  # Only the libraries: no DLLs, engines, providers as modules or legacy
  # algorithms. Configure reads the tools from the environment.
  #
  # For size, the algorithms and protocols that odscan's TLS connections, its
  # digests (MD5, SHA-1, SHA-256) and Ed25519 signatures do not use are left out,
  # and the C code is compiled with -Os; the hash and cipher code is assembly and
  # keeps its speed. DES and OCSP stay because curl uses them (NTLM proxy
  # authentication, certificate status).
  (
    cd "$source"
    # Debian's pic.patch makes the 32-bit x86 assembly position-independent for
    # ELF (GOT-relative calls, .hidden), which the COFF assembler of MinGW cannot
    # represent. It carries no security fix, so it is reversed here.
    patch -R -p1 <debian/patches/pic.patch
    CC="$triplet-gcc-posix" CXX="$triplet-g++-posix" AR="$triplet-ar" \
      RANLIB="$triplet-ranlib" RC="$triplet-windres" \
      perl Configure mingw --prefix="$prefix" --libdir=lib \
      no-shared no-tests no-engine no-module no-dso no-legacy \
      no-aria no-bf no-blake2 no-camellia no-cast no-cmac no-dsa no-ec2m no-idea no-md4 \
      no-mdc2 no-ocb no-rc2 no-rc4 no-rc5 no-rmd160 no-scrypt no-seed no-siv no-sm2 no-sm3 \
      no-sm4 no-srp no-whirlpool no-siphash no-cms no-cmp no-ts no-ct no-rfc3779 no-comp \
      no-dtls no-ssl3 no-srtp no-sctp no-gost no-ui-console no-autoload-config \
      -Os $section_cflags $no_unwind_cflags
    make -j "$jobs" build_libs
    make install_dev DESTDIR="$work/stage"
  )
}

build_curl() {
  local source=$work/src/curl build=$work/build/curl
  # HTTP and HTTPS only, through OpenSSL rather than Windows Schannel, because
  # HTTPS through curl's Schannel backend was unreliable under wine 8.
  cmake_cross "$source" "$build" -DBUILD_SHARED_LIBS=OFF -DBUILD_CURL_EXE=OFF \
    -DBUILD_TESTING=OFF -DENABLE_MANUAL=OFF -DHTTP_ONLY=ON \
    -DCURL_USE_OPENSSL=ON -DCURL_USE_SCHANNEL=OFF -DOPENSSL_USE_STATIC_LIBS=ON \
    -DCURL_ZLIB=ON -DZLIB_USE_STATIC_LIBS=ON -DCURL_BROTLI=OFF -DCURL_ZSTD=OFF \
    -DUSE_NGHTTP2=OFF -DUSE_LIBIDN2=OFF -DCURL_USE_LIBSSH2=OFF -DCURL_USE_LIBSSH=OFF \
    -DCURL_USE_GSSAPI=OFF -DCURL_DISABLE_LDAP=ON -DENABLE_UNIX_SOCKETS=OFF \
    -DCMAKE_C_FLAGS_RELEASE="-Os -DNDEBUG $section_cflags"
  cmake --build "$build" -j "$jobs"
  DESTDIR="$work/stage" cmake --install "$build" >/dev/null
  # The exported CMake package names OpenSSL in the staging folder, so the
  # project finds curl itself (cmake/OdscanWin32Dependencies.cmake).
  rm -rf "$stage_prefix/lib/cmake/CURL" "$stage_prefix/bin/curl-config"
}

build_libarchive() {
  local source=$work/src/libarchive build=$work/build/libarchive
  # Only the static library, although the CMake project also builds a DLL from
  # the same sources. Compression comes from zlib, bzip2 and liblzma, and zip
  # encryption from Windows CNG (bcrypt). There is no XML (xar), iconv, lz4,
  # zstd or lzo support.
  cmake_cross "$source" "$build" -DCMAKE_C_FLAGS="-DBZ_EXPORT $section_cflags" \
    -DENABLE_TAR=OFF -DENABLE_CPIO=OFF -DENABLE_CAT=OFF -DENABLE_TEST=OFF \
    -DENABLE_OPENSSL=OFF -DENABLE_MBEDTLS=OFF -DENABLE_NETTLE=OFF -DENABLE_CNG=ON \
    -DENABLE_LIBXML2=OFF -DENABLE_EXPAT=OFF -DENABLE_ICONV=OFF -DENABLE_LIBB2=OFF \
    -DENABLE_LZ4=OFF -DENABLE_LZO=OFF -DENABLE_ZSTD=OFF -DENABLE_ACL=OFF -DENABLE_XATTR=OFF \
    -DENABLE_ZLIB=ON -DZLIB_USE_STATIC_LIBS=ON -DENABLE_BZip2=ON -DENABLE_LZMA=ON
  cmake --build "$build" --target archive_static -j "$jobs"
  mkdir -p "$stage_prefix/lib" "$stage_prefix/include"
  cp "$build/libarchive/libarchive_static.a" "$stage_prefix/lib/libarchive.a"
  cp "$source/libarchive/archive.h" "$source/libarchive/archive_entry.h" "$stage_prefix/include/"
}

build_googletest() {
  local build=$work/build/googletest
  cmake_cross /usr/src/googletest "$build" -DBUILD_GMOCK=ON -DBUILD_SHARED_LIBS=OFF
  cmake --build "$build" -j "$jobs"
  DESTDIR="$work/stage" cmake --install "$build" >/dev/null
}

copy_header_only_libraries() {
  # Debian's spdlog defines SPDLOG_FMT_EXTERNAL in tweakme.h, so fmt comes along.
  # Users compile with FMT_HEADER_ONLY and without SPDLOG_COMPILED_LIB.
  mkdir -p "$stage_prefix/include"
  cp -r /usr/include/nlohmann /usr/include/CLI /usr/include/spdlog /usr/include/fmt \
    "$stage_prefix/include/"
}

# Runs one build step with its output in $work/logs/NAME.log and prints its time.
run_step() {
  local name=$1 started=$SECONDS
  shift
  log "building $name"
  if ! "$@" >"$work/logs/$name.log" 2>&1; then
    tail -n 30 "$work/logs/$name.log" >&2
    fail "building $name failed; the full log is $work/logs/$name.log"
  fi
  log "built $name in $((SECONDS - started)) s"
  echo "$name $((SECONDS - started)) s" >>"$work/timings.txt"
}

write_build_info() {
  {
    echo "# Static $triplet libraries for odscan, made by cmake/win32/build-deps.sh"
    echo "key=$key"
    echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    printf 'source %s\n' "${chosen[@]}"
    local package
    for package in "${used_packages[@]}"; do
      echo "used $package=$(installed_version "$package")"
    done
    sed 's/^/seconds /' "$work/timings.txt"
  } >"$stage_prefix/build-info.txt"
}

# Prints the cached prefix for the key of the newest source versions. That is
# the build of those versions or, for one day, the build of the older versions
# that an earlier run fell back to because the newest could not be downloaded.
find_cached_prefix() {
  local newest_key=$1 fallback=$cache_root/fallback-$1 prefix
  if [[ -d $cache_root/prefix-$newest_key ]]; then
    echo "$cache_root/prefix-$newest_key"
    return 0
  fi
  if [[ -n $(find "$fallback" -mmin -1440 2>/dev/null) ]]; then
    prefix=$(<"$fallback")
    if [[ -d $prefix ]]; then
      echo "$prefix"
      return 0
    fi
  fi
  return 1
}

point_current_at() {
  ln -sfn "$(basename "$1")" "$cache_root/current.new"
  mv -T "$cache_root/current.new" "$cache_root/current"
}

finish_with() {
  point_current_at "$1"
  echo "$1"
  exit 0
}

parse_arguments() {
  while [[ $# -gt 0 ]]; do
    case $1 in
      --jobs)
        jobs=$2
        shift 2
        ;;
      -h | --help)
        sed -n '2,/^set -euo/p' "$script_path" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
      *)
        echo "build-deps.sh: unknown argument '$1'; see --help" >&2
        exit 2
        ;;
    esac
  done
}

# The whole run is one function, so bash has read all of it before it starts:
# editing this file during a run then cannot change what the run executes.
main() {
  parse_arguments "$@"
  check_tools
  mkdir -p "$cache_root" || fail "cannot create the cache folder $cache_root; set ODSCAN_WIN32_DEPS"
  ensure_deb_src

  newest=()
  for package in "${source_packages[@]}"; do
    versions=$(source_versions "$package")
    newest+=("$package=${versions%%$'\n'*}")
  done
  newest_key=$(cache_key "${newest[@]}")
  if cached=$(find_cached_prefix "$newest_key"); then
    log "cache hit: $cached"
    finish_with "$cached"
  fi

  exec 9>"$cache_root/.lock"
  if ! flock -n 9; then
    log "waiting for another build-deps.sh to release $cache_root/.lock"
    flock 9
  fi
  if cached=$(find_cached_prefix "$newest_key"); then
    log "cache hit after waiting: $cached"
    finish_with "$cached"
  fi
  # Removes what failed or stopped builds left. None is running, because this
  # run holds the lock.
  rm -rf "$cache_root"/.work-*

  work=$(mktemp -d "$cache_root/.work-XXXXXX")
  chmod 755 "$work"
  mkdir -p "$work/logs" "$work/src" "$work/build" "$work/stage"
  total_started=$SECONDS

  chosen=()
  for package in "${source_packages[@]}"; do
    log "fetching the source of $package"
    version=$(fetch_source "$package")
    chosen+=("$package=$version")
  done
  key=$(cache_key "${chosen[@]}")
  prefix=$cache_root/prefix-$key
  if [[ $key != "$newest_key" ]]; then
    echo "$prefix" >"$cache_root/fallback-$newest_key"
  fi
  if [[ -d $prefix ]]; then
    rm -rf "$work"
    log "cache hit with the downloadable versions: $prefix"
    finish_with "$prefix"
  fi
  stage_prefix=$work/stage$prefix
  log "building ${chosen[*]} into $prefix"

  run_step bzip2 build_bzip2
  run_step xz-utils build_xz_utils
  run_step libdeflate build_libdeflate
  run_step openssl build_openssl
  run_step curl build_curl
  run_step libarchive build_libarchive
  run_step googletest build_googletest
  run_step header-only copy_header_only_libraries
  write_build_info

  mv -T "$stage_prefix" "$prefix"
  rm -rf "$work"
  log "built every library in $((SECONDS - total_started)) s into $prefix"
  finish_with "$prefix"
}

main "$@"
