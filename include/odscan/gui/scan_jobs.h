// ScanJobs: the work behind the scanner's window, as blocking calls: run the scan,
// quarantine files the scan found, remove the HCEXEC folder. ScanWorker runs them
// on a background thread. CommandScanJobs is the real implementation, and tests of
// the window use their own.
//
// Thread safety: ScanWorker calls one method at a time, on its worker thread.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "odscan/common/status.h"
#include "odscan/scanner/quarantine_store.h"
#include "odscan/scanner/scan_observer.h"
#include "odscan/scanner/scan_report.h"

namespace odscan::gui {

// The outcome of a scan run, as the window needs it.
struct ScanConclusion {
  int exitCode = static_cast<int>(scanner::ExitCode::kError);
  // The report as written to report.json. Unset when the run ended before it had a
  // session folder, and then `errorOutput` gives the reason.
  std::optional<scanner::ScanReport> report;
  // The run's error lines, as `odscan scan` prints them on standard error.
  std::string errorOutput;
};

// The outcome of quarantining one file.
struct QuarantineOutcome {
  std::filesystem::path file;
  Result<scanner::QuarantineEntry> entry;
};

// The outcome of one "Quarantine selected" request.
struct QuarantineBatch {
  // The session that logged the request; empty when no session could be opened,
  // and then every outcome carries that error.
  std::string sessionId;
  std::vector<QuarantineOutcome> outcomes;
};

// The outcome of removing the HCEXEC folder.
struct HomeRemoval {
  std::filesystem::path folder;
  // Success, or an error that names what is left and why.
  Status status;
};

class ScanJobs {
 public:
  using ProgressCallback = std::function<void(const scanner::ScanProgressUpdate&)>;

  virtual ~ScanJobs() = default;

  // Runs the scan until it ends or `cancel` becomes true, and passes progress to
  // `progress` from another thread while it runs.
  virtual ScanConclusion runScan(const std::atomic<bool>& cancel,
                                 const ProgressCallback& progress) = 0;

  // Quarantines the files of `requests`. `scanSessionId` names the scan that found
  // them, for the log.
  virtual QuarantineBatch quarantine(const std::vector<scanner::QuarantineRequest>& requests,
                                     const std::string& scanSessionId) = 0;

  // Removes the HCEXEC folder with everything in it.
  virtual HomeRemoval removeHome() = 0;
};

}  // namespace odscan::gui
