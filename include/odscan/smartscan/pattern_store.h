// PatternStore: the Smart Scan Pattern in which scan queries are looked up. It is
// replaced as a whole when a newer one is verified.
//
// Each query takes one snapshot with current() and uses only that, so a swap
// never changes the verdicts within a query, never blocks a query and never fails
// one: the old pattern lives until its last query drops the snapshot.
//
// Thread safety: every method may be called from any thread at any time.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "odscan/pattern/smart_scan_pattern.h"

namespace odscan::smartscan {

struct LoadedPattern {
  SmartScanPattern pattern;
  // Origin of the pattern for logs: a file path or a source location.
  std::string origin;
  std::chrono::system_clock::time_point loadedAt;
};

class PatternStore {
 public:
  // Returns the current pattern, or null before the first one is loaded.
  std::shared_ptr<const LoadedPattern> current() const {
    return current_.load(std::memory_order_acquire);
  }

  void replace(std::shared_ptr<const LoadedPattern> pattern) {
    current_.store(std::move(pattern), std::memory_order_release);
  }

 private:
  std::atomic<std::shared_ptr<const LoadedPattern>> current_;
};

}  // namespace odscan::smartscan
