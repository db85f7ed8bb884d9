// HttpMetrics: the metrics the HTTP layer records for every request, registered
// once so that recording is a few relaxed atomic operations.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "odscan/http/metrics_registry.h"

namespace odscan::http {

// Reason the server rejected a request or connection without running a handler.
enum class RejectionReason {
  kOverloaded,       // no free in-flight slot: 503
  kBodyTooLarge,     // 413
  kHeaderTooLarge,   // 431
  kBadRequest,       // malformed HTTP: 400
  kTimeout,          // header, body, write or handshake timeout
  kConnectionLimit,  // closed right after accept
  kTlsHandshake,     // the TLS handshake failed
};
inline constexpr std::size_t kRejectionReasonCount = 7;

std::string_view rejectionReasonName(RejectionReason reason);

// Live values that gauges read at render time. Shared with the registry's gauge
// functions, so a registry that outlives the server still reads valid memory.
struct ServerGauges {
  std::atomic<std::size_t> inFlight{0};
  std::atomic<std::size_t> connections{0};
};

class HttpMetrics {
 public:
  // `routeLabels` are the router's paths; one more label, "unmatched", takes the
  // requests that matched no path.
  HttpMetrics(MetricsRegistry& registry, std::string_view prefix,
              const std::vector<std::string_view>& routeLabels,
              std::shared_ptr<ServerGauges> gauges);

  void recordRequest(std::size_t routeIndex, unsigned status, double seconds);
  void recordRejection(RejectionReason reason);

 private:
  // Status codes whose counters are cached per route; others go through the
  // registry's mutex, which only unusual handlers reach.
  static constexpr std::array<unsigned, 16> kCachedStatuses{200, 201, 204, 400, 401, 403, 404, 405,
                                                            408, 413, 415, 422, 429, 431, 500, 503};

  struct RouteMetrics {
    std::string label;
    Histogram* latency = nullptr;
    std::array<std::atomic<Counter*>, kCachedStatuses.size()> byStatus{};
  };

  Counter& requestCounter(RouteMetrics& route, unsigned status);

  MetricsRegistry& registry_;
  std::string requestsName_;
  std::string requestsHelp_;
  std::vector<std::unique_ptr<RouteMetrics>> routes_;
  std::array<Counter*, kRejectionReasonCount> rejections_{};
};

}  // namespace odscan::http
