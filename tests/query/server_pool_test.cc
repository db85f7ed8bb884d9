#include "odscan/query/server_pool.h"

#include <gtest/gtest.h>

#include <deque>
#include <functional>

namespace odscan::query {
namespace {

// A server whose answers the test scripts: each query pops the next scripted
// attempt, or answers "not found" for every digest once the script is empty.
class ScriptedServer : public QueryTransport {
 public:
  ScriptedServer(ServerRole role, std::string url) : role_(role), url_(std::move(url)) {}

  QueryAttempt query(const protocol::QueryRequest& request) override {
    ++queries;
    requestSizes.push_back(request.items.size());
    if (down) return failure(StatusCode::kUnreachable, 0);
    if (!script.empty()) {
      QueryAttempt attempt = std::move(script.front());
      script.pop_front();
      if (attempt.status.ok() && !attempt.response) attempt.response = answerAll(request);
      return attempt;
    }
    QueryAttempt attempt;
    attempt.httpStatus = 200;
    attempt.response = answerAll(request);
    return attempt;
  }

  HealthAttempt checkHealth() override {
    ++healthChecks;
    HealthAttempt health;
    if (down) health.status = Status(StatusCode::kUnreachable, "connection refused");
    return health;
  }

  ServerRole role() const override { return role_; }
  const std::string& baseUrl() const override { return url_; }

  static QueryAttempt failure(StatusCode code, long httpStatus) {
    QueryAttempt attempt;
    attempt.status = Status(code, "scripted failure");
    attempt.httpStatus = httpStatus;
    return attempt;
  }

  bool down = false;
  int queries = 0;
  int healthChecks = 0;
  std::vector<std::size_t> requestSizes;
  std::deque<QueryAttempt> script;

 private:
  static protocol::QueryResponse answerAll(const protocol::QueryRequest& request) {
    protocol::QueryResponse response;
    response.patternVersion = 1;
    response.results.resize(request.items.size());
    return response;
  }

  ServerRole role_;
  std::string url_;
};

class ServerPoolTest : public ::testing::Test {
 protected:
  void makePool(bool withGlobal = true, ServerPoolOptions options = fastOptions()) {
    std::vector<std::unique_ptr<QueryTransport>> servers;
    auto localServer = std::make_unique<ScriptedServer>(ServerRole::kSmartScanServer, "local");
    local = localServer.get();
    servers.push_back(std::move(localServer));
    if (withGlobal) {
      auto globalServer =
          std::make_unique<ScriptedServer>(ServerRole::kGlobalSmartScanServer, "global");
      global = globalServer.get();
      servers.push_back(std::move(globalServer));
    }
    pool = std::make_unique<ServerPool>(
        std::move(servers), options,
        [this](const PoolEvent& event) { events.push_back(event.kind); },
        [this](std::chrono::milliseconds wait) { waits.push_back(wait); });
  }

  static ServerPoolOptions fastOptions() {
    ServerPoolOptions options;
    options.failbackInterval = std::chrono::milliseconds(0);
    options.offlineProbeInterval = std::chrono::milliseconds(0);
    return options;
  }

  static protocol::QueryRequest requestOf(std::size_t count) {
    protocol::QueryRequest request;
    for (std::size_t i = 0; i < count; ++i) {
      Digest digest;
      digest.bytes[0] = static_cast<std::uint8_t>(i);
      request.items.push_back({digest, i});
    }
    return request;
  }

  bool sawEvent(PoolEvent::Kind kind) const {
    return std::find(events.begin(), events.end(), kind) != events.end();
  }

  ScriptedServer* local = nullptr;
  ScriptedServer* global = nullptr;
  std::unique_ptr<ServerPool> pool;
  std::vector<PoolEvent::Kind> events;
  std::vector<std::chrono::milliseconds> waits;
};

TEST_F(ServerPoolTest, LocalServerAnswersFirst) {
  makePool();
  ASSERT_TRUE(pool->checkServers().ok());
  auto answer = pool->query(requestOf(3));
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->role, ServerRole::kSmartScanServer);
  EXPECT_EQ(global->queries, 0);
}

TEST_F(ServerPoolTest, CheckPicksGlobalWhenLocalIsDown) {
  makePool();
  local->down = true;
  ASSERT_TRUE(pool->checkServers().ok());
  EXPECT_EQ(pool->activeServer().role(), ServerRole::kGlobalSmartScanServer);
  EXPECT_TRUE(sawEvent(PoolEvent::Kind::kFailover));
}

TEST_F(ServerPoolTest, CheckNamesEveryDownServer) {
  makePool();
  local->down = true;
  global->down = true;
  Status status = pool->checkServers();
  EXPECT_EQ(status.code(), StatusCode::kUnreachable);
  EXPECT_NE(status.message().find("Smart Scan Server local: connection refused"),
            std::string::npos);
  EXPECT_NE(status.message().find("Global Smart Scan Server global"), std::string::npos);
  EXPECT_TRUE(pool->offline());
}

TEST_F(ServerPoolTest, TransientFailureIsRetriedWithBackoff) {
  makePool();
  ASSERT_TRUE(pool->checkServers().ok());
  local->script.push_back(ScriptedServer::failure(StatusCode::kTimeout, 0));
  local->script.push_back(ScriptedServer::failure(StatusCode::kUnavailable, 502));
  auto answer = pool->query(requestOf(1));
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->role, ServerRole::kSmartScanServer);
  EXPECT_EQ(local->queries, 3);
  ASSERT_EQ(waits.size(), 2u);
  EXPECT_LT(waits[0], waits[1]);
}

TEST_F(ServerPoolTest, OverloadHonoursRetryAfterUpToTheCap) {
  makePool();
  ASSERT_TRUE(pool->checkServers().ok());
  QueryAttempt overloaded = ScriptedServer::failure(StatusCode::kUnavailable, 503);
  overloaded.retryAfter = std::chrono::seconds(60);
  local->script.push_back(overloaded);
  auto answer = pool->query(requestOf(1));
  ASSERT_TRUE(answer.ok());
  ASSERT_EQ(waits.size(), 1u);
  EXPECT_EQ(waits[0], ServerPoolOptions{}.maxBackoff);
  EXPECT_EQ(global->queries, 0);
}

TEST_F(ServerPoolTest, FailingLocalServerFailsOverToGlobal) {
  makePool();
  ASSERT_TRUE(pool->checkServers().ok());
  local->down = true;
  auto answer = pool->query(requestOf(2));
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->role, ServerRole::kGlobalSmartScanServer);
  EXPECT_EQ(local->queries, ServerPoolOptions{}.attemptsPerServer);
  EXPECT_TRUE(sawEvent(PoolEvent::Kind::kServerDown));
  EXPECT_TRUE(sawEvent(PoolEvent::Kind::kFailover));
}

TEST_F(ServerPoolTest, LocalServerTakesQueriesBackWhenReady) {
  makePool();
  ASSERT_TRUE(pool->checkServers().ok());
  local->down = true;
  ASSERT_EQ(pool->query(requestOf(1))->role, ServerRole::kGlobalSmartScanServer);
  local->down = false;
  auto answer = pool->query(requestOf(1));
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->role, ServerRole::kSmartScanServer);
  EXPECT_TRUE(sawEvent(PoolEvent::Kind::kFailback));
}

TEST_F(ServerPoolTest, PermanentRejectionSkipsRetries) {
  makePool();
  ASSERT_TRUE(pool->checkServers().ok());
  local->script.push_back(ScriptedServer::failure(StatusCode::kPermissionDenied, 401));
  auto answer = pool->query(requestOf(1));
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(local->queries, 1);
  EXPECT_EQ(answer->role, ServerRole::kGlobalSmartScanServer);
}

TEST_F(ServerPoolTest, TooLargeBatchIsSplitInOrder) {
  makePool();
  ASSERT_TRUE(pool->checkServers().ok());
  local->script.push_back(ScriptedServer::failure(StatusCode::kLimitExceeded, 413));
  auto answer = pool->query(requestOf(10));
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->response.results.size(), 10u);
  EXPECT_EQ(local->requestSizes, (std::vector<std::size_t>{10, 5, 5}));
}

TEST_F(ServerPoolTest, AllServersLostMeansOffline) {
  makePool();
  ASSERT_TRUE(pool->checkServers().ok());
  local->down = true;
  global->down = true;
  auto lost = pool->query(requestOf(1));
  EXPECT_EQ(lost.status().code(), StatusCode::kUnreachable);
  EXPECT_TRUE(pool->offline());
  EXPECT_TRUE(sawEvent(PoolEvent::Kind::kOffline));

  const int queriesBefore = local->queries + global->queries;
  EXPECT_FALSE(pool->query(requestOf(1)).ok());
  EXPECT_EQ(local->queries + global->queries, queriesBefore) << "offline queries use no network";

  EXPECT_FALSE(pool->probe(true));
  global->down = false;
  EXPECT_TRUE(pool->probe(true));
  EXPECT_FALSE(pool->offline());
  EXPECT_EQ(pool->activeServer().role(), ServerRole::kGlobalSmartScanServer);
  EXPECT_TRUE(sawEvent(PoolEvent::Kind::kOnline));
}

TEST_F(ServerPoolTest, ProbeWaitsForTheInterval) {
  ServerPoolOptions options = fastOptions();
  options.offlineProbeInterval = std::chrono::hours(1);
  makePool(false, options);
  local->down = true;
  ASSERT_FALSE(pool->checkServers().ok());
  const int checks = local->healthChecks;
  EXPECT_FALSE(pool->probe());
  EXPECT_EQ(local->healthChecks, checks);
}

}  // namespace
}  // namespace odscan::query
