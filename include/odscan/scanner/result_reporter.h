// ResultReporter: the ScanSink of the scanner program. It counts every result,
// prints and logs the ones that are not clean, and keeps them for the report.
//
// Clean results are the vast majority and arrive from every worker thread, so
// their path through onResult() only increments an atomic counter: no lock, no
// allocation. Only when the progress display has asked for a fresh path does a
// clean result copy its path into a fixed buffer, at most once per request.
// Non-clean results take a lock, because they are printed, logged and stored.
//
// Ownership: refers to the Console and Session it is given; they must outlive it.
// Thread safety: onResult() and onEvent() may be called from many threads at once;
// the accessors may be called while they run.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "odscan/engine/scan_sink.h"
#include "odscan/scanner/console.h"
#include "odscan/scanner/session.h"

namespace odscan::scanner {

struct VerdictCounts {
  std::uint64_t clean = 0;
  std::uint64_t infected = 0;
  std::uint64_t unresolved = 0;
  std::uint64_t notScanned = 0;
};

// Returns the console line for a result that is not clean, in clamscan's style:
// "<path>: <threat> FOUND", "<path>: unresolved (scan query needed)" or
// "<path>: not scanned (<reason>: <detail>)".
std::string resultLine(const ScanResult& result);

class ResultReporter : public ScanSink {
 public:
  // With `infectedOnly`, only infected results are printed; every non-clean result
  // is still logged and stored.
  ResultReporter(Console& console, Session& session, bool infectedOnly);

  void onResult(const ScanResult& result) override;
  void onEvent(const ScanEvent& event) override;

  VerdictCounts counts() const;

  // Asks the next result to publish its path for currentPath().
  void requestCurrentPath() { pathRequested_.store(true, std::memory_order_relaxed); }
  // Returns the path that the most recent result published after a request.
  std::string currentPath() const;

  // The stored non-clean results and engine events, in arrival order. Call after
  // the scan has returned.
  const std::vector<ScanResult>& findings() const { return findings_; }
  const std::vector<ScanEvent>& events() const { return events_; }

 private:
  void publishPath(const std::string& path);
  void recordFinding(const ScanResult& result);

  Console& console_;
  Session& session_;
  const bool infectedOnly_;

  std::atomic<std::uint64_t> clean_{0};
  std::atomic<std::uint64_t> infected_{0};
  std::atomic<std::uint64_t> unresolved_{0};
  std::atomic<std::uint64_t> notScanned_{0};

  std::atomic<bool> pathRequested_{false};
  mutable std::mutex pathMutex_;
  std::array<char, 1024> pathBuffer_{};
  std::size_t pathLength_ = 0;

  std::mutex findingsMutex_;
  std::vector<ScanResult> findings_;
  std::vector<ScanEvent> events_;
};

}  // namespace odscan::scanner
