# Finds the libraries every build uses. The install script (scripts/install-deps.sh)
# provides them from Debian packages; a Win32 cross build takes them from the
# prefix that cmake/win32/build-deps.sh made (see OdscanWin32Dependencies.cmake).

if(WIN32)
  include(OdscanWin32Dependencies)
  return()
endif()

find_package(Threads REQUIRED)
find_package(OpenSSL 3.0 REQUIRED)
find_package(ZLIB REQUIRED)
find_package(CURL REQUIRED)
find_package(LibArchive REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
# The console's embedded database (Threat Mitigator).
find_package(SQLite3 REQUIRED)
# Header-only Beast and Asio for the HTTP server layer (Boost::headers).
find_package(Boost 1.74 REQUIRED)

# libdeflate inflates gzip streams and zip members held in memory. Debian ships a
# pkg-config file (package libdeflate-dev); other systems may have only the
# library and its header.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(LIBDEFLATE QUIET IMPORTED_TARGET GLOBAL libdeflate)
endif()
if(TARGET PkgConfig::LIBDEFLATE)
  add_library(Libdeflate::Libdeflate ALIAS PkgConfig::LIBDEFLATE)
else()
  find_path(LIBDEFLATE_INCLUDE_DIR libdeflate.h)
  find_library(LIBDEFLATE_LIBRARY NAMES deflate libdeflate)
  if(NOT LIBDEFLATE_INCLUDE_DIR OR NOT LIBDEFLATE_LIBRARY)
    message(FATAL_ERROR "libdeflate not found: install libdeflate-dev "
                        "(scripts/install-deps.sh) or set LIBDEFLATE_LIBRARY and "
                        "LIBDEFLATE_INCLUDE_DIR")
  endif()
  add_library(Libdeflate::Libdeflate UNKNOWN IMPORTED)
  set_target_properties(Libdeflate::Libdeflate PROPERTIES
    IMPORTED_LOCATION "${LIBDEFLATE_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LIBDEFLATE_INCLUDE_DIR}")
endif()

if(ODSCAN_BUILD_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()
