// ServerPool: the Smart Scan Server and the Global Smart Scan Server of one scan,
// and the rules for choosing between them.
//
//  - The servers are tried in their order: the Smart Scan Server first, then the
//    Global Smart Scan Server when one is configured and allowed.
//  - A query that fails for a transient reason (no connection, timeout, 5xx,
//    malformed response) is retried on the same server with exponential backoff, up
//    to ServerPoolOptions::attemptsPerServer times. A 503 (overloaded) answer is
//    waited out for its Retry-After (capped) up to overloadAttempts times.
//  - A server that still fails is marked down, and the query fails over to the
//    next server. While a later server serves, the pool checks the health of the
//    earlier ones every failbackInterval and fails back to the first ready one.
//  - When every server has failed, query() returns kUnreachable and the pool is
//    offline: queries fail at once, without network traffic, until probe() finds
//    a ready server again (it checks at most every offlineProbeInterval).
//
// Every change (a server lost, a failover, a failback, offline, back online) is
// reported through the observer, which the scanner logs.
//
// Thread safety: not thread-safe; the scanner's query thread owns the pool.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "odscan/common/status.h"
#include "odscan/query/smart_scan_client.h"

namespace odscan::query {

struct ServerPoolOptions {
  int attemptsPerServer = 3;
  int overloadAttempts = 8;
  std::chrono::milliseconds initialBackoff{100};
  std::chrono::milliseconds maxBackoff{2000};
  std::chrono::milliseconds failbackInterval{15000};
  std::chrono::milliseconds offlineProbeInterval{2000};
};

// A change in which server receives the queries, or a failed attempt.
struct PoolEvent {
  enum class Kind {
    kRetry,       // one attempt failed and will be retried on the same server
    kServerDown,  // a server failed its retries or its health check
    kFailover,    // queries go to `role` now, because an earlier server is down
    kFailback,    // an earlier server is ready again and takes the queries back
    kOffline,     // no server responds, so the pool sends nothing until probe() finds one
    kOnline,      // probe() found a ready server after an offline period
  };
  Kind kind;
  ServerRole role;
  std::string url;
  std::string message;
};

// Returns "retry", "server_down", "failover", "failback", "offline" or "online".
std::string_view poolEventKindName(PoolEvent::Kind kind);

// A query's results and the server that produced them.
struct PoolAnswer {
  protocol::QueryResponse response;
  ServerRole role;
  std::string url;
};

class ServerPool {
 public:
  using Observer = std::function<void(const PoolEvent&)>;
  using Clock = std::chrono::steady_clock;
  // Waits for the given time; tests substitute one that does not sleep.
  using Sleeper = std::function<void(std::chrono::milliseconds)>;

  // `servers` in the order of preference; at least one.
  ServerPool(std::vector<std::unique_ptr<QueryTransport>> servers, ServerPoolOptions options,
             Observer observer, Sleeper sleeper = {});

  // Checks the health of every server before a scan. Succeeds when at least one is
  // ready, and the first ready one then takes the queries. Otherwise fails with
  // kUnreachable and a message that names each URL and its error.
  Status checkServers();

  // Sends `request` following the rules above. A 413 answer splits the batch and
  // sends the halves. Fails with kUnreachable when no server answered.
  Result<PoolAnswer> query(const protocol::QueryRequest& request);

  // Returns true when the pool is offline.
  bool offline() const { return offline_; }

  // While offline, checks the servers when offlineProbeInterval has passed since the
  // last check (or at once with `force`), and returns true when one is ready.
  bool probe(bool force = false);

  // Returns the server that answers queries now (the first one while offline).
  const QueryTransport& activeServer() const { return *servers_[active_]; }

 private:
  Result<PoolAnswer> queryServer(std::size_t index, const protocol::QueryRequest& request);
  Result<PoolAnswer> querySplit(std::size_t index, const protocol::QueryRequest& request);
  void failBackIfDue();
  void notify(PoolEvent::Kind kind, std::size_t index, std::string message);
  std::chrono::milliseconds backoff(int attempt) const;

  std::vector<std::unique_ptr<QueryTransport>> servers_;
  ServerPoolOptions options_;
  Observer observer_;
  Sleeper sleeper_;
  std::size_t active_ = 0;
  bool offline_ = false;
  Clock::time_point lastFailbackCheck_{};
  Clock::time_point lastProbe_{};
};

}  // namespace odscan::query
