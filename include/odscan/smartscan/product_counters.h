// ProductCounters: requests per calling product (the X-Odscan-Product header) as
// a Prometheus counter with a bounded label set. The first `maxProducts` distinct
// values get their own series; later ones count as "other", so a client cannot
// grow the metrics without bound. A missing header counts as "unknown", and a
// value longer than 64 bytes or with characters outside printable ASCII counts as
// "invalid".
//
// Thread safety: count() may be called from many threads at once. A known product
// costs a lock-free scan of the published names and one atomic increment; only a
// new product takes a mutex.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "odscan/http/metrics_registry.h"

namespace odscan::smartscan {

inline constexpr std::size_t kDefaultMaxProducts = 64;
inline constexpr std::size_t kMaxProductNameLength = 64;

class ProductCounters {
 public:
  ProductCounters(http::MetricsRegistry& registry, std::string metricName,
                  std::size_t maxProducts = kDefaultMaxProducts);

  void count(std::optional<std::string_view> product);

 private:
  struct Slot {
    std::string name;
    http::Counter* counter = nullptr;
  };

  http::Counter* findPublished(std::string_view name, std::size_t published) const;
  http::Counter& counterFor(std::string_view name);

  http::MetricsRegistry& registry_;
  const std::string metricName_;
  const std::size_t maxProducts_;
  // Slots [0, published_) are complete and never change again.
  std::unique_ptr<Slot[]> slots_;
  std::atomic<std::size_t> published_{0};
  std::mutex addMutex_;
  http::Counter& unknown_;
  http::Counter& invalid_;
  http::Counter& other_;
};

}  // namespace odscan::smartscan
