// ScanObserver: receives the progress and the report of runScanCommand(), for a
// front end other than the console, such as the scanner's window. The console
// output of the run is unchanged by an observer.
//
// Ownership: the caller of runScanCommand() owns the observer, and it must
// outlive the call.
// Thread safety: onProgress() is called on the scan monitor's thread and
// onReport() on the thread that called runScanCommand(), so an implementation
// that shares state between them needs its own lock.
#pragma once

#include <chrono>
#include <string>

#include "odscan/engine/scan_engine.h"
#include "odscan/scanner/result_reporter.h"
#include "odscan/scanner/scan_report.h"

namespace odscan::scanner {

// The counters of a running scan at one moment.
struct ScanProgressUpdate {
  ScanProgress progress;  // files finished and bytes read
  VerdictCounts counts;   // verdicts so far, including those changed by scan queries
  // A file that finished recently, for display; empty until one has.
  std::string currentPath;
  std::chrono::milliseconds elapsed{0};  // since the scan started
};

class ScanObserver {
 public:
  virtual ~ScanObserver() = default;

  // Receives the counters a few times per second while the engine scans, and at
  // least once per scan, however short.
  virtual void onProgress(const ScanProgressUpdate& update) = 0;

  // Receives the report once, after report.json was written. A run that stopped
  // before scanning (no pattern, no server, too little disk space) has outcome
  // kNotStarted and its reason in report.errors. A run that could not open its
  // session folder ends without a report.
  virtual void onReport(const ScanReport& report, ExitCode exitCode) = 0;
};

}  // namespace odscan::scanner
