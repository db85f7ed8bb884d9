# Cross-compiles for 32-bit Windows (PE32, i686) with Debian's MinGW-w64 GCC.
#
# The posix-thread compilers are used because the win32-thread ones have no
# std::thread or std::mutex in GCC 12. Programs link -static with static libgcc
# and libstdc++, so they import only Windows system DLLs and run from any folder.
#
# ODSCAN_WIN32_PREFIX is the folder with the cross-built libraries that
# cmake/win32/build-deps.sh made: OpenSSL, curl, libarchive, GoogleTest and the
# header-only libraries. It defaults to $ODSCAN_WIN32_PREFIX from the environment,
# then to the `current` link in the dependency cache ($ODSCAN_WIN32_DEPS, or
# /var/cache/odscan-win32). Debian's MinGW zlib (libz-mingw-w64-dev) is found in
# /usr/i686-w64-mingw32.
#
# ctest runs the test programs under wine through cmake/win32/wine-run.sh, with
# the wine prefix ODSCAN_WINEPREFIX (default: BUILD_DIR/wineprefix).

set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR i686)

set(ODSCAN_MINGW_TRIPLET i686-w64-mingw32)
set(CMAKE_C_COMPILER ${ODSCAN_MINGW_TRIPLET}-gcc-posix)
set(CMAKE_CXX_COMPILER ${ODSCAN_MINGW_TRIPLET}-g++-posix)
set(CMAKE_RC_COMPILER ${ODSCAN_MINGW_TRIPLET}-windres)
# CMake cannot derive the binutils prefix from a compiler name that ends in
# -posix, so it would pick the host's ar.
set(CMAKE_AR ${ODSCAN_MINGW_TRIPLET}-ar CACHE FILEPATH "MinGW archiver")
set(CMAKE_RANLIB ${ODSCAN_MINGW_TRIPLET}-ranlib CACHE FILEPATH "MinGW ranlib")
set(CMAKE_OBJDUMP ${ODSCAN_MINGW_TRIPLET}-objdump CACHE FILEPATH "MinGW objdump")
set(CMAKE_STRIP ${ODSCAN_MINGW_TRIPLET}-strip CACHE FILEPATH "MinGW strip")

set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -static-libgcc -static-libstdc++")

if(NOT ODSCAN_WIN32_PREFIX)
  if(DEFINED ENV{ODSCAN_WIN32_PREFIX})
    set(ODSCAN_WIN32_PREFIX "$ENV{ODSCAN_WIN32_PREFIX}")
  elseif(DEFINED ENV{ODSCAN_WIN32_DEPS})
    set(ODSCAN_WIN32_PREFIX "$ENV{ODSCAN_WIN32_DEPS}/current")
  else()
    set(ODSCAN_WIN32_PREFIX "/var/cache/odscan-win32/current")
  endif()
endif()
set(ODSCAN_WIN32_PREFIX "${ODSCAN_WIN32_PREFIX}" CACHE PATH
    "Folder with the cross-built Win32 libraries (cmake/win32/build-deps.sh prints it)")
# try_compile() projects read the toolchain file again; this hands them the prefix.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES ODSCAN_WIN32_PREFIX)

set(CMAKE_FIND_ROOT_PATH "${ODSCAN_WIN32_PREFIX}" /usr/${ODSCAN_MINGW_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# pkg-config must see only the cross-built libraries, never the host's.
set(ENV{PKG_CONFIG_LIBDIR} "${ODSCAN_WIN32_PREFIX}/lib/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

if(NOT ODSCAN_WINEPREFIX)
  set(ODSCAN_WINEPREFIX "${CMAKE_BINARY_DIR}/wineprefix")
endif()
set(ODSCAN_WINEPREFIX "${ODSCAN_WINEPREFIX}" CACHE PATH
    "Wine prefix in which ctest runs the Windows test programs")
get_filename_component(ODSCAN_WINE_RUN "${CMAKE_CURRENT_LIST_DIR}/../win32/wine-run.sh" ABSOLUTE)
set(CMAKE_CROSSCOMPILING_EMULATOR "${ODSCAN_WINE_RUN};${ODSCAN_WINEPREFIX}")
