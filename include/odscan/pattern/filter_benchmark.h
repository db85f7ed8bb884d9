// Measures a Smart Scan Agent Pattern of a given size built from random SHA-256
// digests, for `odscan-pattern bench-filter` and the benchmark scripts. The result
// has the build time, the file size, the load time (read, signature check,
// decompression, parse) and the filter's false-positive rate.
//
// Thread safety: runFilterBenchmark() uses no shared state.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>

#include "odscan/common/status.h"

namespace odscan {

struct FilterBenchmarkOptions {
  std::uint64_t keys = 1000000;
  int loads = 5;                        // loads timed; the median is reported
  std::uint64_t queries = 1000000;      // random digests for the false-positive rate
  std::filesystem::path workDirectory;  // where the temporary pattern file goes
};

struct FilterBenchmarkResult {
  std::uint64_t keys = 0;
  std::chrono::duration<double, std::milli> buildTime{0};  // AgentPattern::build
  std::chrono::duration<double, std::milli> sealTime{0};   // compress and sign
  std::uint64_t fileSize = 0;
  std::uint64_t filterBytes = 0;
  std::chrono::duration<double, std::milli> medianLoadTime{0};  // AgentPattern::load
  std::uint64_t queries = 0;
  std::uint64_t falsePositives = 0;

  double fileBytesPerKey() const {
    return keys == 0 ? 0.0 : static_cast<double>(fileSize) / static_cast<double>(keys);
  }
  double filterBytesPerKey() const {
    return keys == 0 ? 0.0 : static_cast<double>(filterBytes) / static_cast<double>(keys);
  }
  double falsePositiveRate() const {
    return queries == 0 ? 0.0 : static_cast<double>(falsePositives) / static_cast<double>(queries);
  }
};

// Builds an agent pattern over `options.keys` random SHA-256 digests, writes it
// signed with a fresh key into the work folder, loads it `options.loads` times and
// queries it with random digests. Removes the file before returning. Fails with
// kInternal if a key the pattern was built from is reported absent.
Result<FilterBenchmarkResult> runFilterBenchmark(const FilterBenchmarkOptions& options);

}  // namespace odscan
