// SmartScanClient: one Smart Scan Server as the scanner sees it. It sends scan
// queries (POST /v1/query) and health checks (GET /v1/health) over one libcurl
// handle, so the connection is kept alive between requests.
//
// A client makes one attempt per call. Retries, backoff and the choice between
// the Smart Scan Server and the Global Smart Scan Server belong to ServerPool
// (server_pool.h), which reads the attempt's outcome from QueryAttempt.
//
// Thread safety: not thread-safe; one thread uses a client at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "odscan/common/status.h"
#include "odscan/protocol/query_codec.h"

namespace odscan::query {

// The two places a scanner sends scan queries to. The names appear in reports and
// events.
enum class ServerRole { kSmartScanServer, kGlobalSmartScanServer };

// Returns "smart_scan_server" or "global_smart_scan_server".
std::string_view serverRoleName(ServerRole role);
// Returns "Smart Scan Server" or "Global Smart Scan Server", for messages.
std::string_view serverRoleTitle(ServerRole role);

struct SmartScanClientOptions {
  std::chrono::milliseconds connectTimeout{2000};
  std::chrono::milliseconds requestTimeout{10000};
  // Sent as X-Odscan-Product and X-Odscan-Endpoint.
  std::string product = "odscan-scanner";
  std::string endpoint;
  // Sent as "Authorization: Bearer <key>" when not empty (Global Smart Scan
  // Servers may require one).
  std::string apiKey;
  // CA certificates for https URLs; the system's store when unset.
  std::optional<std::filesystem::path> caFile;
  protocol::BodyFormat format = protocol::BodyFormat::kBinary;
};

// The outcome of one request. `status` is kUnreachable when no connection could be
// made, kTimeout when the server did not respond in time, kUnavailable for 5xx
// answers (503 when overloaded), kLimitExceeded for 413, kPermissionDenied for
// 401 and 403, kInvalidArgument for other 4xx answers, and kCorrupt when the body
// could not be decoded or does not match the request.
struct QueryAttempt {
  Status status;
  long httpStatus = 0;  // 0 when no response arrived
  // The server's Retry-After (seconds form), when it sent one.
  std::optional<std::chrono::seconds> retryAfter;
  std::optional<protocol::QueryResponse> response;  // set when status is ok
  std::chrono::microseconds elapsed{0};
};

struct HealthAttempt {
  Status status;
  long httpStatus = 0;
  std::uint64_t patternVersion = 0;  // reported by a ready server
};

// The requests ServerPool makes of one server. SmartScanClient is the real one;
// unit tests substitute their own.
class QueryTransport {
 public:
  virtual ~QueryTransport() = default;
  virtual QueryAttempt query(const protocol::QueryRequest& request) = 0;
  virtual HealthAttempt checkHealth() = 0;
  virtual ServerRole role() const = 0;
  virtual const std::string& baseUrl() const = 0;
};

class SmartScanClient : public QueryTransport {
 public:
  // `baseUrl` is "http://host:port" or "https://host:port", optionally with a path
  // prefix; "/v1/query" and "/v1/health" are appended.
  SmartScanClient(ServerRole role, std::string baseUrl, SmartScanClientOptions options);
  ~SmartScanClient() override;
  SmartScanClient(const SmartScanClient&) = delete;
  SmartScanClient& operator=(const SmartScanClient&) = delete;

  QueryAttempt query(const protocol::QueryRequest& request) override;
  HealthAttempt checkHealth() override;

  ServerRole role() const override { return role_; }
  const std::string& baseUrl() const override { return baseUrl_; }

 private:
  struct Exchange;
  Exchange exchange(const std::string& url, const std::string* body);

  ServerRole role_;
  std::string baseUrl_;
  SmartScanClientOptions options_;
  struct Handle;
  std::unique_ptr<Handle> handle_;
};

}  // namespace odscan::query
