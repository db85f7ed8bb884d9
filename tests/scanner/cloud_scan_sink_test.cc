#include "odscan/scanner/cloud_scan_sink.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "test_support.h"

namespace odscan::scanner {
namespace {

using testing::readLines;
using testing::TempFolder;

Digest digestOf(std::uint8_t seed) {
  Digest digest;
  digest.kind = DigestKind::kSha256;
  digest.bytes.fill(seed);
  return digest;
}

// A Smart Scan Server that knows a fixed set of malicious digests and can be
// switched off. It records every request size.
class FakeServer : public query::QueryTransport {
 public:
  FakeServer(query::ServerRole role, std::string url) : role_(role), url_(std::move(url)) {}

  query::QueryAttempt query(const protocol::QueryRequest& request) override {
    query::QueryAttempt attempt;
    std::lock_guard lock(mutex_);
    if (down) {
      attempt.status = Status(StatusCode::kUnreachable, "connection refused");
      return attempt;
    }
    requestSizes.push_back(request.items.size());
    protocol::QueryResponse response;
    response.patternVersion = 7;
    for (const protocol::QueryItem& item : request.items) {
      protocol::QueryResult& result = response.results.emplace_back();
      if (auto found = malicious.find(item.digest); found != malicious.end()) {
        result.verdict = protocol::QueryVerdict::kMalicious;
        result.threatName = found->second;
      }
    }
    attempt.response = std::move(response);
    return attempt;
  }

  query::HealthAttempt checkHealth() override {
    query::HealthAttempt health;
    std::lock_guard lock(mutex_);
    if (down) health.status = Status(StatusCode::kUnreachable, "connection refused");
    return health;
  }

  query::ServerRole role() const override { return role_; }
  const std::string& baseUrl() const override { return url_; }

  void setDown(bool value) {
    std::lock_guard lock(mutex_);
    down = value;
  }
  std::vector<std::size_t> sizes() {
    std::lock_guard lock(mutex_);
    return requestSizes;
  }

  std::map<Digest, std::string> malicious;

 private:
  std::mutex mutex_;
  bool down = false;
  std::vector<std::size_t> requestSizes;
  query::ServerRole role_;
  std::string url_;
};

ScanResult objectOf(const std::string& path, const std::string& file, int depth, Verdict verdict,
                    std::uint8_t seed) {
  ScanResult result;
  result.path = path;
  result.file = file;
  result.depth = depth;
  result.size = 100;
  result.verdict = verdict;
  result.digests.byKind[digestKindIndex(DigestKind::kSha256)] = digestOf(seed);
  return result;
}

class CloudScanSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(home_.createLayout().ok());
    Result<std::unique_ptr<Session>> session = Session::create(home_, "scan");
    ASSERT_TRUE(session.ok());
    session_ = std::move(*session);
    reporter_ = std::make_unique<ResultReporter>(console_, *session_, false);

    auto local = std::make_unique<FakeServer>(query::ServerRole::kSmartScanServer, "local");
    local_ = local.get();
    local_->malicious[digestOf(9)] = "Test.Cloud.Threat";
    std::vector<std::unique_ptr<query::QueryTransport>> servers;
    servers.push_back(std::move(local));
    query::ServerPoolOptions poolOptions;
    poolOptions.initialBackoff = std::chrono::milliseconds(1);
    poolOptions.offlineProbeInterval = std::chrono::milliseconds(10);
    pool_ = std::make_unique<query::ServerPool>(std::move(servers), poolOptions, nullptr);
    ASSERT_TRUE(pool_->checkServers().ok());
  }

  CloudScanOptions fastOptions() const {
    CloudScanOptions options;
    options.batchDelay = std::chrono::milliseconds(5);
    options.requeryWait = std::chrono::milliseconds(0);
    return options;
  }

  const ScanResult* finding(const std::string& path) const {
    for (const ScanResult& result : reporter_->findings()) {
      if (result.path == path) return &result;
    }
    return nullptr;
  }

  TempFolder temp_;
  HomeFolder home_{temp_ / "HCEXEC"};
  std::unique_ptr<Session> session_;
  std::ostringstream out_;
  std::ostringstream err_;
  Console console_{out_, err_, false};
  std::unique_ptr<ResultReporter> reporter_;
  FakeServer* local_ = nullptr;
  std::unique_ptr<query::ServerPool> pool_;
};

TEST_F(CloudScanSinkTest, QueryTurnsUnresolvedIntoClean) {
  CloudScanSink sink(*pool_, *reporter_, *session_, fastOptions());
  sink.onResult(objectOf("/a", "/a", 0, Verdict::kUnresolved, 1));
  CloudStats stats = sink.finish();

  EXPECT_EQ(reporter_->counts().clean, 1u);
  EXPECT_EQ(reporter_->counts().unresolved, 0u);
  EXPECT_EQ(stats.localVerdicts, 1u);
  ASSERT_EQ(stats.verdicts.size(), 1u);
  EXPECT_EQ(stats.verdicts[0].server, DetectionSource::kSmartScanServer);
}

TEST_F(CloudScanSinkTest, MaliciousMemberInfectsItsContainers) {
  CloudScanSink sink(*pool_, *reporter_, *session_, fastOptions());
  sink.onResult(objectOf("/a.zip!b.zip!x", "/a.zip", 2, Verdict::kUnresolved, 9));
  sink.onResult(objectOf("/a.zip!b.zip", "/a.zip", 1, Verdict::kClean, 2));
  sink.onResult(objectOf("/a.zip!other", "/a.zip", 1, Verdict::kClean, 3));
  sink.onResult(objectOf("/a.zip", "/a.zip", 0, Verdict::kClean, 4));
  sink.finish();

  EXPECT_EQ(reporter_->counts().infected, 3u);
  EXPECT_EQ(reporter_->counts().clean, 1u);
  const ScanResult* file = finding("/a.zip");
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->threatName, "Test.Cloud.Threat");
  EXPECT_EQ(file->source, DetectionSource::kSmartScanServer);
  EXPECT_EQ(file->detail, "contains infected member '/a.zip!b.zip!x'");
  ASSERT_NE(finding("/a.zip!b.zip"), nullptr);
  EXPECT_EQ(finding("/a.zip!other"), nullptr);
}

TEST_F(CloudScanSinkTest, MembersArriveBeforeTheirFile) {
  CloudScanSink sink(*pool_, *reporter_, *session_, fastOptions());
  sink.onResult(objectOf("/a.zip!x", "/a.zip", 1, Verdict::kUnresolved, 9));
  sink.onResult(objectOf("/a.zip", "/a.zip", 0, Verdict::kClean, 4));
  sink.finish();
  ASSERT_EQ(reporter_->findings().size(), 2u);
  EXPECT_EQ(reporter_->findings()[0].path, "/a.zip!x");
  EXPECT_EQ(reporter_->findings()[1].path, "/a.zip");
}

TEST_F(CloudScanSinkTest, SameDigestIsQueriedOnce) {
  CloudScanSink sink(*pool_, *reporter_, *session_, fastOptions());
  for (int i = 0; i < 50; ++i) {
    const std::string path = "/copy" + std::to_string(i);
    sink.onResult(objectOf(path, path, 0, Verdict::kUnresolved, 9));
  }
  CloudStats stats = sink.finish();
  EXPECT_EQ(stats.digests, 1u);
  EXPECT_EQ(stats.queries, 1u);
  EXPECT_EQ(reporter_->counts().infected, 50u);
}

TEST_F(CloudScanSinkTest, BatchesStayWithinTheMaximum) {
  CloudScanOptions options = fastOptions();
  options.maxBatch = 7;
  CloudScanSink sink(*pool_, *reporter_, *session_, options);
  std::vector<std::thread> workers;
  for (int worker = 0; worker < 4; ++worker) {
    workers.emplace_back([&sink, worker] {
      for (int i = 0; i < 25; ++i) {
        const std::string path = "/w" + std::to_string(worker) + "/" + std::to_string(i);
        sink.onResult(objectOf(path, path, 0, Verdict::kUnresolved,
                               static_cast<std::uint8_t>(10 + worker * 25 + i)));
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  CloudStats stats = sink.finish();

  EXPECT_EQ(stats.digests, 100u);
  EXPECT_EQ(reporter_->counts().clean, 100u);
  for (std::size_t size : local_->sizes()) EXPECT_LE(size, 7u);
}

TEST_F(CloudScanSinkTest, LostServerBypassesAndRequeriesWhenBack) {
  CloudScanOptions options = fastOptions();
  options.requeryWait = std::chrono::seconds(10);
  CloudScanSink sink(*pool_, *reporter_, *session_, options);
  local_->setDown(true);
  sink.onResult(objectOf("/a.zip!x", "/a.zip", 1, Verdict::kUnresolved, 9));
  sink.onResult(objectOf("/a.zip", "/a.zip", 0, Verdict::kClean, 4));
  sink.onResult(objectOf("/b", "/b", 0, Verdict::kUnresolved, 5));

  // Wait until both objects are reported bypassed, then bring the server back.
  for (int i = 0; i < 500 && reporter_->counts().bypassed < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(reporter_->counts().bypassed, 2u);
  ASSERT_NE(finding("/b"), nullptr);
  EXPECT_EQ(finding("/b")->verdict, Verdict::kBypassed);
  local_->setDown(false);
  CloudStats stats = sink.finish();

  EXPECT_EQ(stats.bypassed, 2u);
  EXPECT_EQ(stats.requeried, 2u);
  EXPECT_EQ(stats.stillBypassed, 0u);
  EXPECT_EQ(reporter_->counts().bypassed, 0u);
  EXPECT_EQ(reporter_->counts().infected, 2u);
  EXPECT_EQ(reporter_->counts().clean, 1u);
  const ScanResult* member = finding("/a.zip!x");
  ASSERT_NE(member, nullptr);
  EXPECT_EQ(member->verdict, Verdict::kInfected);
  EXPECT_TRUE(member->wasBypassed);
  ASSERT_NE(finding("/a.zip"), nullptr);
  EXPECT_EQ(finding("/a.zip")->verdict, Verdict::kInfected);
  EXPECT_EQ(finding("/b"), nullptr) << "a clean answer removes the bypassed finding";

  bool loggedUpdate = false;
  for (const std::string& line : readLines(session_->eventsPath())) {
    loggedUpdate = loggedUpdate || line.find("\"verdict_updated\"") != std::string::npos;
  }
  EXPECT_TRUE(loggedUpdate);
}

TEST_F(CloudScanSinkTest, BypassedStaysBypassedWhenNoServerReturns) {
  CloudScanSink sink(*pool_, *reporter_, *session_, fastOptions());
  local_->setDown(true);
  sink.onResult(objectOf("/b", "/b", 0, Verdict::kUnresolved, 5));
  CloudStats stats = sink.finish();
  EXPECT_EQ(stats.stillBypassed, 1u);
  EXPECT_EQ(reporter_->counts().bypassed, 1u);
  EXPECT_EQ(reporter_->counts().clean, 0u);
}

TEST_F(CloudScanSinkTest, FileCutShortIsForwardedAsItIs) {
  CloudScanSink sink(*pool_, *reporter_, *session_, fastOptions());
  // The engine was cancelled inside /a.zip: its member came, its own result not.
  sink.onResult(objectOf("/a.zip!x", "/a.zip", 1, Verdict::kUnresolved, 1));
  sink.onResult(objectOf("/b", "/b", 0, Verdict::kClean, 2));
  sink.finish();
  EXPECT_EQ(reporter_->counts().clean, 2u);
}

}  // namespace
}  // namespace odscan::scanner
