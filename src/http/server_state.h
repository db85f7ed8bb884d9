// ServerState: what every connection of one HttpServer reads: the options, the
// router, the logger, the metrics and the in-flight limit.
//
// Thread safety: const after start, except the atomics.
#pragma once

#include <atomic>
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <optional>
#include <string>

#include "http_metrics.h"
#include "odscan/http/http_server.h"
#include "odscan/http/router.h"

namespace odscan::http {

struct ServerState {
  ServerState(HttpServerOptions serverOptions, Router serverRouter,
              std::shared_ptr<spdlog::logger> serverLogger, MetricsRegistry& registry)
      : options(std::move(serverOptions)),
        router(std::move(serverRouter)),
        routePaths(router.paths()),
        logger(std::move(serverLogger)),
        gauges(std::make_shared<ServerGauges>()),
        metrics(registry, options.metricsPrefix, routePaths, gauges),
        retryAfter(std::to_string(options.retryAfter.count())) {}

  // Takes one slot of the in-flight limit; returns false when none is free.
  bool acquireSlot() {
    const std::size_t before = gauges->inFlight.fetch_add(1, std::memory_order_relaxed);
    if (before < options.maxInFlight) return true;
    gauges->inFlight.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  void releaseSlot() { gauges->inFlight.fetch_sub(1, std::memory_order_relaxed); }

  const HttpServerOptions options;
  const Router router;
  const std::vector<std::string_view> routePaths;
  const std::shared_ptr<spdlog::logger> logger;
  const std::shared_ptr<ServerGauges> gauges;
  HttpMetrics metrics;
  const std::string retryAfter;
  std::optional<boost::asio::ssl::context> tls;
  std::atomic<bool> stopping{false};
};

}  // namespace odscan::http
