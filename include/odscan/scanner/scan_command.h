// The `odscan scan` command as a library function, so tests can run a whole scan
// in-process with their own streams. The program's main() only parses the command
// line into ScanCommandOptions and calls runScanCommand().
//
// A run goes through these steps, and each of the first four can stop it with
// exit code 2 before any file is scanned:
//  1. create the HCEXEC layout and a new session folder;
//  2. check that --json FILE can be written;
//  3. check free disk space on the HCEXEC folder;
//  4. load the publisher's public key and the Smart Scan Agent Pattern;
//  5. scan the roots, printing each result that is not clean;
//  6. with --action quarantine, quarantine each infected file;
//  7. write report.json (and --json FILE), log the end, print the summary.
//
// Thread safety: one call at a time per HCEXEC folder is the supported use; runs
// in different HCEXEC folders are independent.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "odscan/engine/scan_options.h"
#include "odscan/scanner/disk_space.h"

namespace odscan::scanner {

// The streams and terminal facts of one command run.
struct CommandIo {
  std::ostream& out;
  std::ostream& err;
  // Shows the progress line on `err`; set when standard error is a terminal.
  bool showProgress = false;
  // Set (by a SIGINT handler, for example) to cancel a running scan; may be null.
  const std::atomic<bool>* interrupt = nullptr;
};

enum class ScanAction {
  kReport,      // report infected files and leave them in place
  kQuarantine,  // move infected files into HCEXEC/quarantine
};

struct ScanCommandOptions {
  std::vector<std::filesystem::path> roots;
  std::optional<std::filesystem::path> home;         // default HomeFolder::defaultRoot()
  std::optional<std::filesystem::path> patternPath;  // default <home>/components/agent-pattern.ptn
  std::optional<std::filesystem::path> publicKeyPath;  // default <home>/components/publisher.pub
  std::optional<std::filesystem::path> jsonPath;       // also write the report here
  // Relative paths above are made absolute against the working directory.
  bool infectedOnly = false;
  bool noSummary = false;
  ScanAction action = ScanAction::kReport;
  std::uint64_t minFreeSpace = kDefaultMinFreeSpace;
  ScanOptions engine;
};

// Returns the scanner's version, for example "0.1.0".
std::string scannerVersion();

// Runs a scan and returns its exit code (see ExitCode in scan_report.h).
int runScanCommand(const ScanCommandOptions& options, CommandIo& io);

}  // namespace odscan::scanner
