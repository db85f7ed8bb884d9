# Shared compile settings and the helper that registers a test.

# Applies the project's warning set (and sanitizers, when enabled) to a target.
function(odscan_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                           -Wno-sign-conversion)
  # GCC 12 at -O2 reports -Wrestrict false positives inside libstdc++'s inlined
  # std::string concatenation (GCC PR 105651): with GCC 12.2 a full release build
  # printed 15 of them in 212 lines. Only GCC 12 is exempted, so other compilers
  # keep the warning for real overlapping copies.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12
     AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  if(ODSCAN_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

if(ODSCAN_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# odscan_add_test(NAME SOURCES src... [LIBS lib...] [LABELS label...])
# Builds one GoogleTest executable and registers each of its tests with ctest.
function(odscan_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  odscan_target_defaults(${name})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    ODSCAN_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    ODSCAN_BINARY_DIR="${PROJECT_BINARY_DIR}")
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "${ARG_LABELS}")
endfunction()
