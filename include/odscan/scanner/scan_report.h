// ScanReport: what one scan found, written as report.json in the session folder
// and, with --json FILE, to that file too (the same document). It lists every
// result that is not clean, the verdict counts, the versions of scanner and
// pattern, the session id, start and end times, host and user. docs/scanner.md
// describes every field.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "odscan/common/status.h"
#include "odscan/engine/scan_engine.h"
#include "odscan/engine/scan_result.h"

namespace odscan::scanner {

// The report document's format version; bump it when a field changes meaning.
inline constexpr int kScanReportFormatVersion = 1;

// Exit codes of `odscan scan`, following clamscan.
enum class ExitCode : int {
  // The scan ran to the end, and every object it looked at is clean. Files left out
  // on purpose (exclusions, the quick profile, symbolic links not followed,
  // devices) are counted in the report, not checked, and do not change the code.
  kNothingFound = 0,
  kThreatsFound = 1,  // at least one object is infected (wins over everything else)
  kError = 2,         // the scan did not start or did not check everything
};

enum class ScanOutcome {
  kCompleted,   // the engine walked every root
  kCancelled,   // interrupted (Ctrl+C) before the end
  kNotStarted,  // stopped before scanning: bad pattern or key, no disk space
};

// Returns "completed", "cancelled" or "not_started".
std::string_view scanOutcomeName(ScanOutcome outcome);

// The outcome of quarantining one infected file.
struct QuarantineAction {
  std::filesystem::path file;
  std::string detectionPath;
  std::string threatName;
  std::optional<std::string> quarantineId;  // set on success
  Status error;                             // set on failure
};

// One object whose verdict a scan query decided.
struct CloudVerdict {
  std::string path;
  Verdict verdict = Verdict::kClean;
  DetectionSource server = DetectionSource::kNone;  // kNone while bypassed
  bool wasBypassed = false;
};

// The report keeps at most this many CloudVerdict entries; events.jsonl has all.
inline constexpr std::size_t kMaxReportedCloudVerdicts = 10000;

// What the scan queries of one scan did.
struct CloudStats {
  std::uint64_t queries = 0;  // requests that got an answer
  std::uint64_t digests = 0;  // digests sent in those requests
  std::uint64_t cacheHits = 0;
  // Objects decided by a scan query, per server that answered.
  std::uint64_t localVerdicts = 0;
  std::uint64_t globalVerdicts = 0;
  std::uint64_t bypassed = 0;       // objects that got kBypassed at some point
  std::uint64_t requeried = 0;      // of those, objects a server answered later
  std::uint64_t stillBypassed = 0;  // objects still kBypassed at the end
  std::vector<CloudVerdict> verdicts;
  std::uint64_t verdictsNotListed = 0;  // beyond kMaxReportedCloudVerdicts
};

// The servers configured for scan queries, and what they did.
struct SmartScanReport {
  struct Server {
    std::string role;  // "smart_scan_server" or "global_smart_scan_server"
    std::string url;
  };
  std::vector<Server> servers;
  CloudStats stats;
};

struct ScanReport {
  std::string scannerVersion;
  std::optional<std::uint64_t> patternVersion;  // unset when the pattern did not load
  std::string sessionId;
  std::filesystem::path sessionFolder;
  std::string host;
  std::string user;
  std::chrono::system_clock::time_point startedAt;
  std::chrono::system_clock::time_point finishedAt;
  std::vector<std::filesystem::path> roots;
  nlohmann::ordered_json options = nlohmann::ordered_json::object();

  ScanOutcome outcome = ScanOutcome::kNotStarted;
  ScanSummary summary;
  // Counts the scanner program keeps beside the engine's summary.
  std::uint64_t filesScanned = 0;     // files on disk with a verdict other than not scanned
  std::uint64_t symlinksSkipped = 0;  // symbolic links not followed (ScanEvent kSymlinkSkipped)
  std::uint64_t loopsSkipped = 0;     // folders reached twice (ScanEvent kLoopSkipped)
  // Objects left with Verdict::kBypassed; the engine's summary counts them as
  // unresolved, and the scanner moves them here.
  std::uint64_t bypassed = 0;
  std::optional<SmartScanReport> smartScan;  // set when servers were configured
  std::vector<ScanResult> findings;          // every result that is not clean
  // Loops, missing roots and other engine events; the reporter keeps only the
  // first few of each kind (kMaxLoggedEventsPerKind), the counts above have all.
  std::vector<ScanEvent> problems;
  std::vector<QuarantineAction> actions;
  std::vector<Status> errors;  // why the scan did not start, or other failures

  // Returns the number of distinct files on disk that hold an infected object.
  // An archive with three infected members at two levels counts once.
  std::uint64_t infectedFiles() const;

  // Returns the document written to report.json.
  nlohmann::ordered_json toJson() const;
};

// Returns the exit code for `report`. It is 1 when anything is infected. Otherwise
// it is 2 when the scan did not complete, an error was recorded, or any object is
// unresolved, bypassed or not scanned (a missing root counts as not scanned).
// Otherwise it is 0.
ExitCode exitCodeOf(const ScanReport& report);

// Returns one result as the report and events.jsonl store it.
nlohmann::ordered_json resultToJson(const ScanResult& result);

// The access mode of a file that odscan writes.
enum class FileAccess {
  kOwnerOnly,  // mode 0600 whatever the umask, for files inside HCEXEC
  kUmask,      // mode 0644 reduced by the umask, for --json FILE
};

// Writes `document` to `path` through a temporary file and a rename, so a reader
// never sees half a report. Errors name `path`.
Status writeJsonFile(const std::filesystem::path& path, const nlohmann::ordered_json& document,
                     FileAccess access);

// Checks before a scan that writeJsonFile() can later write `path`. The path must
// not be a folder, and a temporary file must be creatable in its folder; the
// probe file is removed again. Errors name `path` and the change to make.
Status checkJsonFileWritable(const std::filesystem::path& path);

}  // namespace odscan::scanner
