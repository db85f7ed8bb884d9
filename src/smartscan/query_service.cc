#include "odscan/smartscan/query_service.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "odscan/protocol/query_codec.h"

namespace odscan::smartscan {
namespace {

using protocol::QueryVerdict;

std::string_view queryErrorName(std::size_t index) {
  static constexpr std::string_view kNames[] = {"unauthorized", "unsupported_media_type",
                                                "malformed", "too_many_digests", "not_ready"};
  return kNames[index];
}

std::string utcText(std::int64_t secondsSinceEpoch) {
  const auto time = static_cast<std::time_t>(secondsSinceEpoch);
  std::tm utc{};
  gmtime_r(&time, &utc);
  char buffer[32];
  const std::size_t length = std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return std::string(buffer, length);
}

std::int64_t secondsSinceEpoch(std::chrono::system_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

// Returns `name`, or a copy in which every byte outside printable ASCII is '?'
// when the protocol would reject it. A pattern's threat names are checked for
// control characters but not for UTF-8, and a detection must never be dropped
// because of its name.
std::string sendableThreatName(std::string_view name) {
  if (protocol::isValidThreatName(name)) return std::string(name);
  std::string cleaned(name.substr(0, protocol::kMaxThreatNameLength));
  for (char& c : cleaned) {
    if (c < ' ' || c >= 0x7f) c = '?';
  }
  return cleaned.empty() ? std::string("Unnamed.Threat") : cleaned;
}

}  // namespace

QueryService::QueryService(std::shared_ptr<PatternStore> store, ApiKeyCheck apiKeys,
                           std::size_t maxDigestsPerQuery, http::MetricsRegistry& metrics,
                           std::shared_ptr<spdlog::logger> logger)
    : store_(std::move(store)),
      apiKeys_(std::move(apiKeys)),
      maxDigestsPerQuery_(maxDigestsPerQuery),
      metrics_(metrics),
      logger_(std::move(logger)),
      products_(metrics, "odscan_smartscan_product_requests_total"),
      digests_(metrics.counter("odscan_smartscan_digests_total",
                               "Digests looked up in answered scan queries")),
      hits_(metrics.counter("odscan_smartscan_hits_total",
                            "Digests the Smart Scan Pattern found malicious")) {
  for (std::size_t i = 0; i < kQueryErrorCount; ++i) {
    errors_[i] = &metrics.counter("odscan_smartscan_query_errors_total",
                                  "Scan query requests answered with an error, by reason",
                                  {{"reason", std::string(queryErrorName(i))}});
  }
}

Status QueryService::addRoutes(http::Router& router) {
  const std::pair<std::string_view, std::string_view> routes[] = {{"POST", protocol::kQueryPath},
                                                                  {"GET", protocol::kHealthPath},
                                                                  {"GET", protocol::kMetricsPath}};
  const http::Handler handlers[] = {[this](const http::Request& request, http::Response& response) {
                                      handleQuery(request, response);
                                    },
                                    [this](const http::Request& request, http::Response& response) {
                                      handleHealth(request, response);
                                    },
                                    [this](const http::Request& request, http::Response& response) {
                                      handleMetrics(request, response);
                                    }};
  for (std::size_t i = 0; i < std::size(routes); ++i) {
    if (Status status = router.add(routes[i].first, routes[i].second, handlers[i]); !status.ok()) {
      return status;
    }
  }
  return Status::success();
}

void QueryService::fail(QueryError error, unsigned status, std::string_view message,
                        const http::Request& request, http::Response& response) {
  errors_[static_cast<std::size_t>(error)]->increment();
  response.setError(status, message, request.requestId);
  response.addLogField("error", queryErrorName(static_cast<std::size_t>(error)));
}

bool QueryService::authorize(const http::Request& request, http::Response& response) {
  if (!apiKeys_.enabled()) return true;
  const auto name = apiKeys_.authenticate(request.header("Authorization"));
  if (name) {
    response.addLogField("api_key", *name);
    return true;
  }
  fail(QueryError::kUnauthorized, 401,
       "this server needs an API key: send \"Authorization: Bearer KEY\" with a key the "
       "server operator issued",
       request, response);
  response.addHeader("WWW-Authenticate", "Bearer");
  return false;
}

void QueryService::handleQuery(const http::Request& request, http::Response& response) {
  // Counted after the key check, so that clients without a key cannot fill the
  // bounded set of product labels.
  if (!authorize(request, response)) return;
  products_.count(request.header(protocol::kProductHeader));

  const auto format =
      protocol::bodyFormatFromContentType(request.header("Content-Type").value_or(""));
  if (!format.ok()) {
    fail(QueryError::kUnsupportedMediaType, 415, format.status().message(), request, response);
    return;
  }
  auto query = protocol::decodeQueryRequest(request.body, *format, maxDigestsPerQuery_);
  if (!query.ok()) {
    const bool tooMany = query.status().code() == StatusCode::kLimitExceeded;
    fail(tooMany ? QueryError::kTooManyDigests : QueryError::kMalformed, tooMany ? 413 : 400,
         query.status().message(), request, response);
    return;
  }
  const std::shared_ptr<const LoadedPattern> snapshot = store_->current();
  if (!snapshot) {
    fail(QueryError::kNotReady, 503,
         "no Smart Scan Pattern is loaded yet; retry later or use another server", request,
         response);
    response.addHeader("Retry-After", "5");
    return;
  }

  protocol::QueryResponse answer;
  answer.patternVersion = snapshot->pattern.version();
  answer.results.resize(query->items.size());
  std::size_t hits = 0;
  for (std::size_t i = 0; i < query->items.size(); ++i) {
    const protocol::QueryItem& item = query->items[i];
    const auto threat = snapshot->pattern.find(item.digest, item.size);
    if (!threat) continue;
    answer.results[i].verdict = QueryVerdict::kMalicious;
    answer.results[i].threatName = sendableThreatName(*threat);
    ++hits;
  }
  digests_.increment(query->items.size());
  hits_.increment(hits);

  response.status = 200;
  response.contentType = std::string(protocol::contentTypeOf(*format));
  response.body = protocol::encodeQueryResponse(answer, *format);
  response.addLogField("digests", std::to_string(query->items.size()));
  response.addLogField("hits", std::to_string(hits));
  response.addLogField("pattern_version", std::to_string(answer.patternVersion));
}

void QueryService::handleHealth(const http::Request&, http::Response& response) {
  const auto snapshot = store_->current();
  response.contentType = "application/json";
  if (!snapshot) {
    response.status = 503;
    response.addHeader("Retry-After", "5");
    response.body =
        nlohmann::json{{"status", "not_ready"}, {"reason", "no Smart Scan Pattern is loaded yet"}}
            .dump();
    return;
  }
  const SmartScanPattern& pattern = snapshot->pattern;
  const std::int64_t now = secondsSinceEpoch(std::chrono::system_clock::now());
  nlohmann::json body{{"status", "ready"},
                      {"pattern_version", pattern.version()},
                      {"pattern_signatures", pattern.signatureCount()},
                      {"pattern_loaded", utcText(secondsSinceEpoch(snapshot->loadedAt))}};
  if (pattern.creationTime() > 0) {
    body["pattern_created"] = utcText(pattern.creationTime());
    body["pattern_age_seconds"] = std::max<std::int64_t>(0, now - pattern.creationTime());
  }
  response.body = body.dump();
}

void QueryService::handleMetrics(const http::Request& request, http::Response& response) {
  if (!authorize(request, response)) return;
  response.contentType = std::string(http::kPrometheusContentType);
  response.body = metrics_.render();
}

}  // namespace odscan::smartscan
