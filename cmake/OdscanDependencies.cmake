# Finds the libraries every build uses. The install script (scripts/install-deps.sh)
# provides them from Debian packages.

find_package(Threads REQUIRED)
find_package(OpenSSL 3.0 REQUIRED)
find_package(ZLIB REQUIRED)
find_package(CURL REQUIRED)
find_package(LibArchive REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
# Header-only Beast and Asio for the HTTP server layer (Boost::headers).
find_package(Boost 1.74 REQUIRED)

if(ODSCAN_BUILD_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()
