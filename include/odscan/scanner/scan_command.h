// The `odscan scan` command as a library function, so tests can run a whole scan
// in-process with their own streams. The program's main() only parses the command
// line into ScanCommandOptions and calls runScanCommand().
//
// A run goes through these steps, and each of the first five can stop it with
// exit code 2 before any file is scanned:
//  1. create the HCEXEC layout and a new session folder;
//  2. check that --json FILE can be written;
//  3. check free disk space on the HCEXEC folder;
//  4. load the publisher's public key and the Smart Scan Agent Pattern;
//  5. when servers are configured, check that the Smart Scan Server or the Global
//     Smart Scan Server answers;
//  6. scan the roots, sending scan queries for the objects the local pattern cannot
//     decide, and print each result that is not clean;
//  7. with --action quarantine, quarantine each infected file;
//  8. write report.json (and --json FILE), log the end, print the summary;
//  9. with a console URL, deliver the session's logs to Threat Mitigator (see
//     SessionUploader). The delivery starts in the background before step 6,
//     after the earlier sessions that were not delivered. Upload failures are
//     printed once and never change the exit code.
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
#include "odscan/query/server_pool.h"
#include "odscan/query/smart_scan_client.h"
#include "odscan/scanner/cloud_scan_sink.h"
#include "odscan/scanner/disk_space.h"
#include "odscan/scanner/session_uploader.h"

namespace odscan::scanner {

class ScanObserver;

// The streams and terminal facts of one command run.
struct CommandIo {
  std::ostream& out;
  std::ostream& err;
  // Shows the progress line on `err`; set when standard error is a terminal.
  bool showProgress = false;
  // Set (by a SIGINT handler, for example) to cancel a running scan; may be null.
  const std::atomic<bool>* interrupt = nullptr;
  // Receives the progress and the report of `odscan scan`; may be null.
  ScanObserver* observer = nullptr;
};

enum class ScanAction {
  kReport,      // report infected files and leave them in place
  kQuarantine,  // move infected files into HCEXEC/quarantine
};

// Where scan queries go. Without any server the scan runs offline, and objects
// that need a query stay unresolved.
struct SmartScanSettings {
  std::optional<std::string> serverUrl;        // --server
  std::optional<std::string> globalServerUrl;  // --global-server
  bool allowGlobal = true;                     // cleared by --no-global
  std::string globalApiKey;                    // --global-api-key-file contents
  query::SmartScanClientOptions client;        // timeouts, CA file
  query::ServerPoolOptions pool;               // retries, backoff, failback
  CloudScanOptions batching;                   // batch size and delay, requery wait

  bool configured() const { return serverUrl.has_value() || (allowGlobal && globalServerUrl); }
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
  SmartScanSettings smartScan;

  // The On-demand Scan settings file applied to these options, for the logs;
  // unset when none was.
  std::optional<std::filesystem::path> settingsFile;
  // Threat Mitigator, which receives the session's logs (--console, or console_url
  // of the settings). Without it the logs stay in the session folder only.
  std::optional<std::string> consoleUrl;
  bool noUpload = false;        // --no-upload: keep the logs local even with a console
  SessionUploadOptions upload;  // timeouts, CA file (--console-ca-file), batches
};

// Returns the scanner's version, for example "0.1.0".
std::string scannerVersion();

// Runs a scan and returns its exit code (see ExitCode in scan_report.h).
int runScanCommand(const ScanCommandOptions& options, CommandIo& io);

}  // namespace odscan::scanner
