// MetricsRegistry: counters, gauges and histograms with labels, rendered in the
// Prometheus text exposition format 0.0.4 for a GET /metrics route.
//
// Registering a metric takes the registry's mutex and returns a reference that
// stays valid as long as the registry lives. Code on a hot path registers its
// metrics once and then updates them through those references: an update is one
// relaxed atomic operation, never a lock. Registering the same name and labels
// again returns the same metric.
//
// Metric names must match [a-zA-Z_:][a-zA-Z0-9_:]* and label names
// [a-zA-Z_][a-zA-Z0-9_]*, as Prometheus requires. Only our code supplies them.
// Label values may be any text because render() escapes them.
//
// Thread safety: every method may be called from any thread at any time.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace odscan::http {

// Label name and value pairs of one time series, rendered in this order.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void increment(std::uint64_t amount = 1) { value_.fetch_add(amount, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  // Own cache line, so threads updating different metrics do not slow each other.
  alignas(64) std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void set(std::int64_t value) { value_.store(value, std::memory_order_relaxed); }
  void add(std::int64_t delta) { value_.fetch_add(delta, std::memory_order_relaxed); }
  std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  alignas(64) std::atomic<std::int64_t> value_{0};
};

// Counts observations into buckets with fixed upper bounds. Rendering adds the
// implicit +Inf bucket and makes the bucket counts cumulative, as Prometheus
// expects.
class Histogram {
 public:
  // `upperBounds` must be sorted ascending.
  explicit Histogram(std::vector<double> upperBounds);

  void observe(double value);

  struct Snapshot {
    std::vector<std::uint64_t> cumulativeCounts;  // one per bound, then +Inf
    double sum = 0;
    std::uint64_t count = 0;
  };
  Snapshot snapshot() const;

  const std::vector<double>& upperBounds() const { return upperBounds_; }

 private:
  std::vector<double> upperBounds_;
  // One count per bound and one for values above the last bound.
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;
  std::atomic<double> sum_{0};
};

// Bucket bounds in seconds for request latency: 50 us to 5 s in steps of about
// 2 to 2.5 times.
std::vector<double> latencyBucketsSeconds();

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  Counter& counter(std::string_view name, std::string_view help, const MetricLabels& labels = {});
  Gauge& gauge(std::string_view name, std::string_view help, const MetricLabels& labels = {});
  Histogram& histogram(std::string_view name, std::string_view help,
                       const std::vector<double>& upperBounds, const MetricLabels& labels = {});

  // Adds a gauge whose value `read` computes at render time, for values such as an
  // age that change without an event. `read` runs under the registry's mutex, so it
  // must be quick and must not call back into the registry. Registering the same
  // name and labels again replaces the function.
  void gaugeFunction(std::string_view name, std::string_view help, const MetricLabels& labels,
                     std::function<double()> read);

  // Returns every metric in the Prometheus text format 0.0.4, families in the order
  // of their first registration.
  std::string render() const;

 private:
  struct Family;
  struct Series;
  enum class Type { kCounter, kGauge, kHistogram };

  static std::string_view typeName(Type type);
  Series& findOrAdd(std::string_view name, std::string_view help, Type type,
                    const MetricLabels& labels, const std::vector<double>* upperBounds);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Family>> families_;
};

// The content type of render()'s output.
inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

}  // namespace odscan::http
