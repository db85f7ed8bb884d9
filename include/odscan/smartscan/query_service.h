// QueryService: the Smart Scan Server's HTTP routes.
//   POST /v1/query:  looks up each digest of a scan query in the current pattern.
//   GET /v1/health:  returns 200 and the pattern version when a pattern is loaded,
//                    otherwise 503.
//   GET /metrics:    returns the metrics in Prometheus text format.
//
// When API keys are configured, /v1/query and /metrics need a valid
// "Authorization: Bearer KEY"; /v1/health stays open for load balancer probes.
//
// Ownership: shares the PatternStore with the updater; the registry must outlive
// the service.
// Thread safety: the handlers run on many worker threads at once. Each query uses
// one snapshot of the pattern.
#pragma once

#include <cstddef>
#include <memory>

#include "odscan/http/metrics_registry.h"
#include "odscan/http/request.h"
#include "odscan/http/response.h"
#include "odscan/http/router.h"
#include "odscan/smartscan/api_key_check.h"
#include "odscan/smartscan/pattern_store.h"
#include "odscan/smartscan/product_counters.h"

namespace spdlog {
class logger;
}

namespace odscan::smartscan {

class QueryService {
 public:
  QueryService(std::shared_ptr<PatternStore> store, ApiKeyCheck apiKeys,
               std::size_t maxDigestsPerQuery, http::MetricsRegistry& metrics,
               std::shared_ptr<spdlog::logger> logger);

  // Adds the three routes; the router keeps references to this service, which
  // must outlive it.
  Status addRoutes(http::Router& router);

  void handleQuery(const http::Request& request, http::Response& response);
  void handleHealth(const http::Request& request, http::Response& response);
  void handleMetrics(const http::Request& request, http::Response& response);

 private:
  enum class QueryError {
    kUnauthorized,
    kUnsupportedMediaType,
    kMalformed,
    kTooManyDigests,
    kNotReady
  };
  static constexpr std::size_t kQueryErrorCount = 5;

  // Returns true when the request may proceed; otherwise fills a 401 response.
  bool authorize(const http::Request& request, http::Response& response);
  void fail(QueryError error, unsigned status, std::string_view message,
            const http::Request& request, http::Response& response);

  std::shared_ptr<PatternStore> store_;
  const ApiKeyCheck apiKeys_;
  const std::size_t maxDigestsPerQuery_;
  http::MetricsRegistry& metrics_;
  std::shared_ptr<spdlog::logger> logger_;
  ProductCounters products_;
  http::Counter& digests_;
  http::Counter& hits_;
  std::array<http::Counter*, kQueryErrorCount> errors_{};
};

}  // namespace odscan::smartscan
