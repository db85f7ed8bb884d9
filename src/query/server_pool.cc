#include "odscan/query/server_pool.h"

#include <algorithm>
#include <thread>

namespace odscan::query {
namespace {

bool isOverloaded(const QueryAttempt& attempt) {
  return attempt.status.code() == StatusCode::kUnavailable && attempt.httpStatus == 503;
}

// A 4xx answer other than 413 means that this server will refuse every retry
// (a missing API key, a request it cannot read), so it counts as down at once.
bool isPermanent(const QueryAttempt& attempt) {
  return attempt.status.code() == StatusCode::kPermissionDenied ||
         attempt.status.code() == StatusCode::kInvalidArgument;
}

}  // namespace

std::string_view poolEventKindName(PoolEvent::Kind kind) {
  switch (kind) {
    case PoolEvent::Kind::kRetry:
      return "retry";
    case PoolEvent::Kind::kServerDown:
      return "server_down";
    case PoolEvent::Kind::kFailover:
      return "failover";
    case PoolEvent::Kind::kFailback:
      return "failback";
    case PoolEvent::Kind::kOffline:
      return "offline";
    case PoolEvent::Kind::kOnline:
      return "online";
  }
  return "unknown";
}

ServerPool::ServerPool(std::vector<std::unique_ptr<QueryTransport>> servers,
                       ServerPoolOptions options, Observer observer, Sleeper sleeper)
    : servers_(std::move(servers)),
      options_(options),
      observer_(std::move(observer)),
      sleeper_(std::move(sleeper)) {
  if (!sleeper_)
    sleeper_ = [](std::chrono::milliseconds wait) { std::this_thread::sleep_for(wait); };
}

Status ServerPool::checkServers() {
  std::string errors;
  for (std::size_t index = 0; index < servers_.size(); ++index) {
    HealthAttempt health = servers_[index]->checkHealth();
    if (health.status.ok()) {
      active_ = index;
      offline_ = false;
      if (index > 0) notify(PoolEvent::Kind::kFailover, index, "the servers before it are down");
      return Status::success();
    }
    notify(PoolEvent::Kind::kServerDown, index, health.status.message());
    if (!errors.empty()) errors += "; ";
    errors += std::string(serverRoleTitle(servers_[index]->role())) + " " +
              servers_[index]->baseUrl() + ": " + health.status.message();
  }
  offline_ = true;
  lastProbe_ = Clock::now();
  return Status(StatusCode::kUnreachable, "no Smart Scan Server answers: " + errors);
}

Result<PoolAnswer> ServerPool::query(const protocol::QueryRequest& request) {
  if (offline_) {
    return Status(StatusCode::kUnreachable,
                  "no Smart Scan Server is reachable; the pool checks them again every " +
                      std::to_string(options_.offlineProbeInterval.count()) + " ms");
  }
  failBackIfDue();

  std::string errors;
  for (std::size_t step = 0; step < servers_.size(); ++step) {
    const std::size_t index = (active_ + step) % servers_.size();
    Result<PoolAnswer> answer = queryServer(index, request);
    if (answer.ok()) {
      if (index != active_) {
        const std::size_t previous = active_;
        active_ = index;
        notify(PoolEvent::Kind::kFailover, index,
               "after " + servers_[previous]->baseUrl() + " failed");
      }
      return answer;
    }
    notify(PoolEvent::Kind::kServerDown, index, answer.status().message());
    if (!errors.empty()) errors += "; ";
    errors += answer.status().message();
  }

  offline_ = true;
  lastProbe_ = Clock::now();
  notify(PoolEvent::Kind::kOffline, active_, errors);
  return Status(StatusCode::kUnreachable, "no Smart Scan Server answered: " + errors);
}

Result<PoolAnswer> ServerPool::queryServer(std::size_t index,
                                           const protocol::QueryRequest& request) {
  QueryTransport& server = *servers_[index];
  int failures = 0;
  int overloads = 0;
  while (true) {
    QueryAttempt attempt = server.query(request);
    if (attempt.status.ok()) {
      return PoolAnswer{std::move(*attempt.response), server.role(), server.baseUrl()};
    }
    if (attempt.status.code() == StatusCode::kLimitExceeded && request.items.size() > 1) {
      return querySplit(index, request);
    }
    if (isPermanent(attempt)) return attempt.status;

    std::chrono::milliseconds wait{0};
    if (isOverloaded(attempt) && ++overloads <= options_.overloadAttempts) {
      wait = attempt.retryAfter
                 ? std::min<std::chrono::milliseconds>(*attempt.retryAfter, options_.maxBackoff)
                 : backoff(overloads);
    } else if (!isOverloaded(attempt) && ++failures < options_.attemptsPerServer) {
      wait = backoff(failures);
    } else {
      return attempt.status;
    }
    notify(PoolEvent::Kind::kRetry, index,
           attempt.status.message() + "; retrying in " + std::to_string(wait.count()) + " ms");
    sleeper_(wait);
  }
}

// Sends the two halves of a batch that the server found too large, and joins
// their results in the original order.
Result<PoolAnswer> ServerPool::querySplit(std::size_t index,
                                          const protocol::QueryRequest& request) {
  const auto middle = request.items.begin() + static_cast<std::ptrdiff_t>(request.items.size() / 2);
  protocol::QueryRequest first{{request.items.begin(), middle}};
  protocol::QueryRequest second{{middle, request.items.end()}};

  Result<PoolAnswer> head = queryServer(index, first);
  if (!head.ok()) return head;
  Result<PoolAnswer> tail = queryServer(index, second);
  if (!tail.ok()) return tail;

  std::vector<protocol::QueryResult>& results = head->response.results;
  for (protocol::QueryResult& result : tail->response.results) results.push_back(std::move(result));
  head->response.patternVersion =
      std::max(head->response.patternVersion, tail->response.patternVersion);
  return head;
}

void ServerPool::failBackIfDue() {
  if (active_ == 0) return;
  const Clock::time_point now = Clock::now();
  if (now - lastFailbackCheck_ < options_.failbackInterval) return;
  lastFailbackCheck_ = now;
  for (std::size_t index = 0; index < active_; ++index) {
    if (servers_[index]->checkHealth().status.ok()) {
      active_ = index;
      notify(PoolEvent::Kind::kFailback, index, "the server is ready again");
      return;
    }
  }
}

bool ServerPool::probe(bool force) {
  if (!offline_) return true;
  const Clock::time_point now = Clock::now();
  if (!force && now - lastProbe_ < options_.offlineProbeInterval) return false;
  lastProbe_ = now;
  for (std::size_t index = 0; index < servers_.size(); ++index) {
    if (servers_[index]->checkHealth().status.ok()) {
      active_ = index;
      offline_ = false;
      lastFailbackCheck_ = now;
      notify(PoolEvent::Kind::kOnline, index, "the server is ready again");
      return true;
    }
  }
  return false;
}

void ServerPool::notify(PoolEvent::Kind kind, std::size_t index, std::string message) {
  if (!observer_) return;
  observer_(
      PoolEvent{kind, servers_[index]->role(), servers_[index]->baseUrl(), std::move(message)});
}

std::chrono::milliseconds ServerPool::backoff(int attempt) const {
  std::chrono::milliseconds wait = options_.initialBackoff;
  for (int step = 1; step < attempt && wait < options_.maxBackoff; ++step) wait *= 2;
  return std::min(wait, options_.maxBackoff);
}

}  // namespace odscan::query
