// ScanEngine walks paths, reads each file once, computes the digests the Smart
// Scan Agent Pattern needs, looks them up (exact signatures first, then the
// filter), opens containers with libarchive, and reports one ScanResult per
// object through a ScanSink.
//
// Thread safety: scan() runs on the calling thread plus worker threads it owns and
// returns when all are done; call it from one thread at a time. progress() and
// cancel() may be called from any thread while scan() runs.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "odscan/engine/scan_options.h"
#include "odscan/engine/scan_sink.h"
#include "odscan/pattern/agent_pattern.h"

namespace odscan {

// Counters that progress() returns while the scan runs.
struct ScanProgress {
  std::uint64_t files = 0;  // files on disk finished
  std::uint64_t bytes = 0;  // bytes of those files read
};

struct ScanSummary {
  std::uint64_t files = 0;             // files on disk examined
  std::uint64_t objects = 0;           // files plus archive members with a verdict
  std::uint64_t bytes = 0;             // bytes read from disk
  std::uint64_t clean = 0;
  std::uint64_t infected = 0;
  std::uint64_t unresolved = 0;
  std::uint64_t notScanned = 0;
  std::uint64_t excluded = 0;          // skipped by exclusions
  std::uint64_t skippedByProfile = 0;  // skipped by the quick profile
  bool cancelled = false;
  std::chrono::milliseconds elapsed{0};
};

class ScanEngine {
 public:
  ScanEngine(std::shared_ptr<const AgentPattern> pattern, ScanOptions options);
  ~ScanEngine();
  ScanEngine(const ScanEngine&) = delete;
  ScanEngine& operator=(const ScanEngine&) = delete;

  // Scans `roots` (files or folders) and blocks until every object is reported.
  ScanSummary scan(const std::vector<std::filesystem::path>& roots, ScanSink& sink);

  ScanProgress progress() const;

  // Asks a running scan to stop soon; scan() then returns with cancelled set.
  void cancel();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace odscan
