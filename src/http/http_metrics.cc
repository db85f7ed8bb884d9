#include "http_metrics.h"

namespace odscan::http {

std::string_view rejectionReasonName(RejectionReason reason) {
  switch (reason) {
    case RejectionReason::kOverloaded:
      return "overloaded";
    case RejectionReason::kBodyTooLarge:
      return "body_too_large";
    case RejectionReason::kHeaderTooLarge:
      return "header_too_large";
    case RejectionReason::kBadRequest:
      return "bad_request";
    case RejectionReason::kTimeout:
      return "timeout";
    case RejectionReason::kConnectionLimit:
      return "connection_limit";
    case RejectionReason::kTlsHandshake:
      return "tls_handshake";
  }
  return "unknown";
}

HttpMetrics::HttpMetrics(MetricsRegistry& registry, std::string_view prefix,
                         const std::vector<std::string_view>& routeLabels,
                         std::shared_ptr<ServerGauges> gauges)
    : registry_(registry),
      requestsName_(std::string(prefix) + "_requests_total"),
      requestsHelp_("HTTP requests answered, by route and status code") {
  const std::string latencyName = std::string(prefix) + "_request_duration_seconds";
  const std::vector<double> buckets = latencyBucketsSeconds();
  std::vector<std::string_view> labels = routeLabels;
  labels.push_back("unmatched");
  for (const std::string_view label : labels) {
    auto route = std::make_unique<RouteMetrics>();
    route->label = std::string(label);
    route->latency = &registry.histogram(
        latencyName,
        "Time from a request's first byte to its last response byte handed to the kernel", buckets,
        {{"route", route->label}});
    routes_.push_back(std::move(route));
  }

  for (std::size_t i = 0; i < kRejectionReasonCount; ++i) {
    const auto reason = static_cast<RejectionReason>(i);
    rejections_[i] = &registry.counter(
        std::string(prefix) + "_rejections_total",
        "Requests or connections the server refused without running a handler, by reason",
        {{"reason", std::string(rejectionReasonName(reason))}});
  }

  registry.gaugeFunction(std::string(prefix) + "_requests_in_flight",
                         "Requests between a complete header and a written response", {},
                         [gauges] { return static_cast<double>(gauges->inFlight.load()); });
  registry.gaugeFunction(std::string(prefix) + "_connections", "Open client connections", {},
                         [gauges] { return static_cast<double>(gauges->connections.load()); });
}

Counter& HttpMetrics::requestCounter(RouteMetrics& route, unsigned status) {
  std::size_t slot = 0;
  while (slot < kCachedStatuses.size() && kCachedStatuses[slot] != status) ++slot;
  if (slot == kCachedStatuses.size()) {
    return registry_.counter(requestsName_, requestsHelp_,
                             {{"route", route.label}, {"code", std::to_string(status)}});
  }

  Counter* counter = route.byStatus[slot].load(std::memory_order_acquire);
  if (counter == nullptr) {
    // Two threads may both get here; the registry returns the same counter to both.
    counter = &registry_.counter(requestsName_, requestsHelp_,
                                 {{"route", route.label}, {"code", std::to_string(status)}});
    route.byStatus[slot].store(counter, std::memory_order_release);
  }
  return *counter;
}

void HttpMetrics::recordRequest(std::size_t routeIndex, unsigned status, double seconds) {
  RouteMetrics& route = *routes_[std::min(routeIndex, routes_.size() - 1)];
  requestCounter(route, status).increment();
  route.latency->observe(seconds);
}

void HttpMetrics::recordRejection(RejectionReason reason) {
  rejections_[static_cast<std::size_t>(reason)]->increment();
}

}  // namespace odscan::http
