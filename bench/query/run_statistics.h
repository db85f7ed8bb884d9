// RunStatistics: what one load generator thread observed during a run. Latencies
// and digest counts cover only the measured window, after the warm-up, while
// errors cover the whole run, because an error during the warm-up also means the
// figures cannot be trusted.
//
// Thread safety: none. Each client thread fills its own object, and the runner
// merges them after the threads have joined.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace odscan::bench {

class RunStatistics {
 public:
  // Records one request whose response the load generator accepted.
  void recordResponse(std::chrono::nanoseconds latency, std::size_t digests, std::size_t hits,
                      std::uint64_t patternVersion);

  // Counts an error under `kind`, for example "status 503" or "timeout". The
  // first `example` of each kind is kept for the report.
  void recordError(const std::string& kind, std::string_view example = {});

  void merge(const RunStatistics& other);

  // Returns the latency that a share `quantile` (0 to 1) of the responses did
  // not exceed, or 0 when there are none. Sorts the samples on first use.
  std::chrono::nanoseconds latencyQuantile(double quantile);
  std::chrono::nanoseconds maxLatency();

  std::uint64_t responses() const { return latencies_.size(); }
  std::uint64_t digests() const { return digests_; }
  std::uint64_t hits() const { return hits_; }
  std::uint64_t errorCount() const;
  const std::map<std::string, std::uint64_t>& errors() const { return errors_; }
  // Returns the first example recorded for `kind`, or an empty view.
  std::string_view errorExample(const std::string& kind) const;

  // Smallest and largest pattern version seen in the responses, 0 when none.
  std::uint64_t firstPatternVersion() const { return minVersion_; }
  std::uint64_t lastPatternVersion() const { return maxVersion_; }

 private:
  void sortLatencies();

  // Every latency in nanoseconds. A sample vector is exact and small enough at
  // the rates one machine reaches: 100,000 responses/s for 60 s is 48 MB.
  std::vector<std::int64_t> latencies_;
  bool sorted_ = true;
  std::uint64_t digests_ = 0;
  std::uint64_t hits_ = 0;
  std::uint64_t minVersion_ = 0;
  std::uint64_t maxVersion_ = 0;
  std::map<std::string, std::uint64_t> errors_;
  std::map<std::string, std::string> examples_;
};

}  // namespace odscan::bench
