// ResultReporter: the ScanSink of the scanner program. It counts every result,
// prints and logs the ones that are not clean, and keeps them for the report.
//
// Clean results are the vast majority and arrive from every worker thread, so
// their path through onResult() only increments an atomic counter: no lock, no
// allocation. Only when the progress display has asked for a fresh path does a
// clean result copy its path into a fixed buffer, at most once per request.
// Non-clean results take a lock, because they are printed, logged and stored.
//
// Engine events are counted by kind. Only the first kMaxLoggedEventsPerKind of
// each kind are logged and stored, because a scan of /usr can skip thousands of
// symbolic links; one log line says when a kind reaches that limit.
//
// Ownership: refers to the Console and Session it is given; they must outlive it.
// Thread safety: onResult() and onEvent() may be called from many threads at once;
// the accessors may be called while they run.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "odscan/engine/scan_sink.h"
#include "odscan/scanner/console.h"
#include "odscan/scanner/session.h"

namespace odscan::scanner {

// The number of engine events of one kind that are logged and stored; further
// ones are only counted.
inline constexpr std::uint64_t kMaxLoggedEventsPerKind = 20;

struct VerdictCounts {
  std::uint64_t clean = 0;
  std::uint64_t infected = 0;
  std::uint64_t unresolved = 0;
  std::uint64_t notScanned = 0;
  std::uint64_t bypassed = 0;
};

// Returns the console line for a result that is not clean, in clamscan's style:
// "<path>: <threat> FOUND", "<path>: unresolved (scan query needed)",
// "<path>: bypassed (no Smart Scan Server answered)" or
// "<path>: not scanned (<reason>: <detail>)".
std::string resultLine(const ScanResult& result);

class ResultReporter : public ScanSink {
 public:
  // With `infectedOnly`, only infected results are printed; every non-clean result
  // is still logged and stored.
  ResultReporter(Console& console, Session& session, bool infectedOnly);

  void onResult(const ScanResult& result) override;
  void onEvent(const ScanEvent& event) override;

  // Replaces the verdict of an object reported before (same path), when a scan
  // query answered after the object was bypassed or a member of it turned out to
  // be infected. The counts move from `previous` to the new verdict; the stored
  // result is replaced, added or removed; the change is printed, logged and
  // written to events.jsonl as "verdict_updated".
  void updateResult(const ScanResult& updated, Verdict previous);

  VerdictCounts counts() const;

  // Returns the number of files on disk (depth 0) whose verdict is clean, infected
  // or unresolved.
  std::uint64_t filesScanned() const { return filesScanned_.load(std::memory_order_relaxed); }

  // Returns how many events of `kind` arrived, including those not logged.
  std::uint64_t eventCount(ScanEvent::Kind kind) const;

  // Asks the next result to publish its path for currentPath().
  void requestCurrentPath() { pathRequested_.store(true, std::memory_order_relaxed); }
  // Returns the path that the most recent result published after a request.
  std::string currentPath() const;

  // The stored non-clean results and the logged engine events, in arrival order.
  // Call after the scan has returned.
  const std::vector<ScanResult>& findings() const { return findings_; }
  const std::vector<ScanEvent>& events() const { return events_; }

 private:
  void publishPath(const std::string& path);
  std::atomic<std::uint64_t>& counterOf(Verdict verdict);
  void recordFinding(const ScanResult& result);
  // Logs and stores `event` unless its kind has reached the limit. Needs findingsMutex_.
  void recordEventLocked(const ScanEvent& event, std::uint64_t countOfKind);

  Console& console_;
  Session& session_;
  const bool infectedOnly_;

  std::atomic<std::uint64_t> clean_{0};
  std::atomic<std::uint64_t> infected_{0};
  std::atomic<std::uint64_t> unresolved_{0};
  std::atomic<std::uint64_t> notScanned_{0};
  std::atomic<std::uint64_t> bypassed_{0};
  std::atomic<std::uint64_t> filesScanned_{0};

  std::atomic<bool> pathRequested_{false};
  mutable std::mutex pathMutex_;
  std::array<char, 1024> pathBuffer_{};
  std::size_t pathLength_ = 0;

  mutable std::mutex findingsMutex_;
  std::vector<ScanResult> findings_;
  std::vector<ScanEvent> events_;
  std::map<ScanEvent::Kind, std::uint64_t> eventCounts_;
};

}  // namespace odscan::scanner
