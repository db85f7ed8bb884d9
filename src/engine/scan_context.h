// State shared by every part of one scan: the pattern, the options, the sink, the
// cancellation flag and the progress counters. ResultReporter counts each result
// into a per-thread ScanCounters before handing it to the sink.
#pragma once

#include <atomic>
#include <cstdint>

#include "odscan/engine/scan_engine.h"
#include "odscan/engine/scan_options.h"
#include "odscan/engine/scan_sink.h"
#include "odscan/pattern/agent_pattern.h"
#include "odscan/platform/io_error.h"

namespace odscan::engine {

struct ProgressCounters {
  std::atomic<std::uint64_t> files{0};
  std::atomic<std::uint64_t> bytes{0};
};

// Read-only for the duration of scan(), except for the atomics.
struct ScanContext {
  const AgentPattern& pattern;
  const ScanOptions& options;
  ScanSink& sink;
  const std::atomic<bool>& cancelRequested;
  ProgressCounters& progress;

  bool cancelled() const { return cancelRequested.load(std::memory_order_relaxed); }
};

// Per-thread tallies, added into the ScanSummary when the threads are done, so the
// hot path touches no shared counter.
struct ScanCounters {
  std::uint64_t files = 0;
  std::uint64_t objects = 0;
  std::uint64_t bytes = 0;
  std::uint64_t clean = 0;
  std::uint64_t infected = 0;
  std::uint64_t unresolved = 0;
  std::uint64_t notScanned = 0;
  std::uint64_t excluded = 0;
  std::uint64_t skippedByProfile = 0;
  std::uint64_t specialFiles = 0;

  void addTo(ScanSummary& summary) const;
};

// Returns the reason reported for an object the operating system would not let
// the engine read. A file missing after it was listed has vanished.
SkipReason skipReasonFor(platform::IoErrorKind kind);

class ResultReporter {
 public:
  ResultReporter(ScanSink& sink, ScanCounters& counters) : sink_(sink), counters_(counters) {}

  void report(const ScanResult& result);
  // Reports an event; `path` is sanitized like result paths.
  void event(ScanEvent::Kind kind, std::string_view path, std::string detail);

 private:
  ScanSink& sink_;
  ScanCounters& counters_;
};

}  // namespace odscan::engine
