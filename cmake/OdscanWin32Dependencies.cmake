# Finds the static i686-w64-mingw32 libraries of a Win32 cross build in
# ODSCAN_WIN32_PREFIX (set by cmake/toolchains/i686-w64-mingw32.cmake), which
# cmake/win32/build-deps.sh fills, plus Debian's MinGW zlib. The finished
# programs must import only Windows system DLLs, so only static archives are
# accepted, and the Windows libraries that each archive needs are named here.

if(NOT EXISTS "${ODSCAN_WIN32_PREFIX}/build-info.txt")
  message(FATAL_ERROR
    "No cross-built Win32 libraries in ODSCAN_WIN32_PREFIX='${ODSCAN_WIN32_PREFIX}'. "
    "Run cmake/win32/build-deps.sh and configure with -DODSCAN_WIN32_PREFIX=<the folder it "
    "prints>, or use the win32 preset after build-deps.sh has run once.")
endif()

# MinGW import libraries end in .dll.a, so a plain .a suffix selects static archives.
set(CMAKE_FIND_LIBRARY_SUFFIXES .a)

find_package(Threads REQUIRED)

set(OPENSSL_USE_STATIC_LIBS TRUE)
find_package(OpenSSL 3.0 REQUIRED)
# RAND_bytes draws from BCryptGenRandom. FindOpenSSL adds ws2_32 and crypt32.
set_property(TARGET OpenSSL::Crypto APPEND PROPERTY INTERFACE_LINK_LIBRARIES bcrypt)

# FindZLIB would pick Debian's libz.dll.a otherwise.
set(ZLIB_USE_STATIC_LIBS ON)
find_package(ZLIB REQUIRED)

# curl's own CMake package names the folder it was built in, so FindCURL
# searches for the library itself.
set(CURL_NO_CURL_CMAKE ON)
find_package(CURL REQUIRED)
set_property(TARGET CURL::libcurl APPEND PROPERTY INTERFACE_COMPILE_DEFINITIONS CURL_STATICLIB)
set_property(TARGET CURL::libcurl APPEND PROPERTY INTERFACE_LINK_LIBRARIES
             OpenSSL::SSL OpenSSL::Crypto ZLIB::ZLIB ws2_32 crypt32 bcrypt advapi32)

find_package(LibArchive REQUIRED)
find_package(BZip2 REQUIRED)
find_package(LibLZMA REQUIRED)
set_property(TARGET LibArchive::LibArchive APPEND PROPERTY INTERFACE_COMPILE_DEFINITIONS
             LIBARCHIVE_STATIC)
# libarchive uses Windows CNG (bcrypt) for zip encryption.
set_property(TARGET LibArchive::LibArchive APPEND PROPERTY INTERFACE_LINK_LIBRARIES
             BZip2::BZip2 LibLZMA::LibLZMA ZLIB::ZLIB bcrypt)

# libdeflate inflates gzip streams and zip members held in memory.
find_path(LIBDEFLATE_INCLUDE_DIR libdeflate.h REQUIRED)
find_library(LIBDEFLATE_LIBRARY NAMES deflate REQUIRED)
add_library(Libdeflate::Libdeflate STATIC IMPORTED)
set_target_properties(Libdeflate::Libdeflate PROPERTIES
  IMPORTED_LOCATION "${LIBDEFLATE_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${LIBDEFLATE_INCLUDE_DIR}")

# Header-only libraries, copied into the prefix from Debian's -dev packages.
# Debian's spdlog is configured for an external fmt (SPDLOG_FMT_EXTERNAL in its
# tweakme.h); FMT_HEADER_ONLY compiles fmt from its headers as well.
foreach(header nlohmann/json.hpp CLI/CLI.hpp spdlog/spdlog.h fmt/format-inl.h)
  if(NOT EXISTS "${ODSCAN_WIN32_PREFIX}/include/${header}")
    message(FATAL_ERROR "${ODSCAN_WIN32_PREFIX}/include/${header} is missing; "
                        "run cmake/win32/build-deps.sh again")
  endif()
endforeach()
add_library(nlohmann_json::nlohmann_json INTERFACE IMPORTED)
target_include_directories(nlohmann_json::nlohmann_json INTERFACE
                           "${ODSCAN_WIN32_PREFIX}/include")
add_library(CLI11::CLI11 INTERFACE IMPORTED)
target_include_directories(CLI11::CLI11 INTERFACE "${ODSCAN_WIN32_PREFIX}/include")
add_library(spdlog::spdlog INTERFACE IMPORTED)
target_include_directories(spdlog::spdlog INTERFACE "${ODSCAN_WIN32_PREFIX}/include")
# SPDLOG_WCHAR_FILENAMES makes spdlog open its files by UTF-16 name, so that a log
# in a folder named outside the ANSI code page lands where it should.
target_compile_definitions(spdlog::spdlog INTERFACE SPDLOG_FMT_EXTERNAL FMT_HEADER_ONLY
                                                    SPDLOG_WCHAR_FILENAMES)

if(ODSCAN_BUILD_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()
