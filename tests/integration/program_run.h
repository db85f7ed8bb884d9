// Helpers for tests that run programs as processes and read the files they
// write: whole-file reads and writes, shell quoting, and running a program with
// its output captured.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace odscan::testing {

// Returns the whole file, or an empty string when it cannot be read.
std::string readText(const std::filesystem::path& path);

// Writes `text` as the whole file, creating its parent folders.
void writeText(const std::filesystem::path& path, const std::string& text);

// Returns `text` in single quotes for /bin/sh.
std::string shellQuote(const std::string& text);

struct ProgramResult {
  int exitCode = -1;  // -1 when the program did not exit normally
  std::string out;
  std::string err;
};

// Runs `command` (the program, then its arguments) with standard input from
// /dev/null, and with the "NAME=value" entries of `environment` added to the
// environment. The output goes through stdout.txt and stderr.txt in `scratch`,
// so a program that leaves children behind cannot block the test on a pipe.
ProgramResult runProgram(const std::vector<std::string>& command,
                         const std::filesystem::path& scratch,
                         const std::vector<std::string>& environment = {});

}  // namespace odscan::testing
