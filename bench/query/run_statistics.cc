#include "run_statistics.h"

#include <algorithm>
#include <cmath>

namespace odscan::bench {

void RunStatistics::recordResponse(std::chrono::nanoseconds latency, std::size_t digests,
                                   std::size_t hits, std::uint64_t patternVersion) {
  latencies_.push_back(latency.count());
  sorted_ = false;
  digests_ += digests;
  hits_ += hits;
  if (minVersion_ == 0 || patternVersion < minVersion_) minVersion_ = patternVersion;
  maxVersion_ = std::max(maxVersion_, patternVersion);
}

void RunStatistics::recordError(const std::string& kind, std::string_view example) {
  ++errors_[kind];
  if (!example.empty()) examples_.try_emplace(kind, example);
}

std::string_view RunStatistics::errorExample(const std::string& kind) const {
  const auto found = examples_.find(kind);
  return found == examples_.end() ? std::string_view() : std::string_view(found->second);
}

void RunStatistics::merge(const RunStatistics& other) {
  latencies_.insert(latencies_.end(), other.latencies_.begin(), other.latencies_.end());
  sorted_ = false;
  digests_ += other.digests_;
  hits_ += other.hits_;
  if (other.minVersion_ != 0 && (minVersion_ == 0 || other.minVersion_ < minVersion_)) {
    minVersion_ = other.minVersion_;
  }
  maxVersion_ = std::max(maxVersion_, other.maxVersion_);
  for (const auto& [kind, count] : other.errors_) errors_[kind] += count;
  for (const auto& [kind, example] : other.examples_) examples_.try_emplace(kind, example);
}

std::chrono::nanoseconds RunStatistics::latencyQuantile(double quantile) {
  if (latencies_.empty()) return std::chrono::nanoseconds(0);
  sortLatencies();

  // The nearest-rank definition: the smallest sample that at least `quantile` of
  // all samples do not exceed.
  const double rank =
      std::ceil(std::clamp(quantile, 0.0, 1.0) * static_cast<double>(latencies_.size()));
  const std::size_t index = rank < 1.0 ? 0 : static_cast<std::size_t>(rank) - 1;
  return std::chrono::nanoseconds(latencies_[std::min(index, latencies_.size() - 1)]);
}

std::chrono::nanoseconds RunStatistics::maxLatency() {
  if (latencies_.empty()) return std::chrono::nanoseconds(0);
  sortLatencies();
  return std::chrono::nanoseconds(latencies_.back());
}

std::uint64_t RunStatistics::errorCount() const {
  std::uint64_t total = 0;
  for (const auto& entry : errors_) total += entry.second;
  return total;
}

void RunStatistics::sortLatencies() {
  if (sorted_) return;
  std::sort(latencies_.begin(), latencies_.end());
  sorted_ = true;
}

}  // namespace odscan::bench
