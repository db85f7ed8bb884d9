#include "odscan/smartscan/pattern_updater.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>
#include <thread>

#include "smartscan_test_support.h"

namespace odscan::smartscan {
namespace {

using namespace std::chrono_literals;
using testing::encodePattern;

// A pattern source whose next result the test sets.
class FakeSource final : public PatternSource {
 public:
  std::string location() const override { return "fake://source"; }

  Result<std::optional<FetchedPattern>> fetchNewer(std::uint64_t currentVersion) override {
    std::lock_guard lock(mutex_);
    ++calls_;
    lastCurrentVersion_ = currentVersion;
    if (!next_.ok()) return next_.status();
    return next_;
  }

  void offer(std::vector<std::uint8_t> bytes, std::optional<std::uint64_t> announced = {}) {
    std::lock_guard lock(mutex_);
    next_ =
        std::optional<FetchedPattern>(FetchedPattern{std::move(bytes), "fake://p.ptn", announced});
  }
  void offerNothing() {
    std::lock_guard lock(mutex_);
    next_ = std::optional<FetchedPattern>();
  }
  void fail(Status status) {
    std::lock_guard lock(mutex_);
    next_ = std::move(status);
  }
  int calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  std::uint64_t lastCurrentVersion() {
    std::lock_guard lock(mutex_);
    return lastCurrentVersion_;
  }

 private:
  std::mutex mutex_;
  Result<std::optional<FetchedPattern>> next_ = std::optional<FetchedPattern>();
  int calls_ = 0;
  std::uint64_t lastCurrentVersion_ = 0;
};

class PatternUpdaterTest : public ::testing::Test {
 protected:
  PatternUpdaterTest()
      : key_(testing::generateKey()),
        store_(std::make_shared<PatternStore>()),
        logger_(std::make_shared<spdlog::logger>(
            "test", std::make_shared<spdlog::sinks::ostream_sink_mt>(log_))) {
    auto source = std::make_unique<FakeSource>();
    source_ = source.get();
    updater_ = std::make_unique<PatternUpdater>(store_, key_.publicKey(), std::move(source),
                                                logger_, metrics_);
  }

  std::uint64_t loadedVersion() const {
    const auto current = store_->current();
    return current ? current->pattern.version() : 0;
  }

  std::uint64_t updates(const std::string& result) {
    return metrics_.counter("odscan_smartscan_pattern_updates_total", "", {{"result", result}})
        .value();
  }

  PrivateKey key_;
  std::shared_ptr<PatternStore> store_;
  std::ostringstream log_;
  std::shared_ptr<spdlog::logger> logger_;
  http::MetricsRegistry metrics_;
  FakeSource* source_ = nullptr;
  std::unique_ptr<PatternUpdater> updater_;
};

TEST_F(PatternUpdaterTest, NewerPatternIsSwappedIn) {
  source_->offer(encodePattern(key_, 3), 3);

  EXPECT_EQ(updater_->checkNow(), UpdateOutcome::kUpdated);
  EXPECT_EQ(loadedVersion(), 3u);
  EXPECT_EQ(updates("updated"), 1u);
}

TEST_F(PatternUpdaterTest, SourceSeesCurrentVersion) {
  source_->offer(encodePattern(key_, 3));
  ASSERT_EQ(updater_->checkNow(), UpdateOutcome::kUpdated);

  source_->offerNothing();
  EXPECT_EQ(updater_->checkNow(), UpdateOutcome::kUnchanged);
  EXPECT_EQ(source_->lastCurrentVersion(), 3u);
  EXPECT_EQ(updates("unchanged"), 1u);
}

TEST_F(PatternUpdaterTest, SameVersionIsUnchanged) {
  source_->offer(encodePattern(key_, 3));
  ASSERT_EQ(updater_->checkNow(), UpdateOutcome::kUpdated);
  const auto before = store_->current();

  EXPECT_EQ(updater_->checkNow(), UpdateOutcome::kUnchanged);
  EXPECT_EQ(store_->current(), before);
}

TEST_F(PatternUpdaterTest, OldSnapshotStaysValidAfterSwap) {
  source_->offer(encodePattern(key_, 3));
  ASSERT_EQ(updater_->checkNow(), UpdateOutcome::kUpdated);
  const auto snapshot = store_->current();

  source_->offer(encodePattern(key_, 4, testing::testSignatures(5)));
  ASSERT_EQ(updater_->checkNow(), UpdateOutcome::kUpdated);

  EXPECT_EQ(snapshot->pattern.version(), 3u);
  EXPECT_EQ(snapshot->pattern.signatureCount(), 2u);
  EXPECT_EQ(loadedVersion(), 4u);
}

TEST_F(PatternUpdaterTest, RequestedCheckRunsOnBackgroundThread) {
  source_->offer(encodePattern(key_, 8));
  updater_->start(0s, false);

  updater_->requestCheck();
  for (int i = 0; i < 400 && loadedVersion() != 8; ++i) std::this_thread::sleep_for(5ms);
  updater_->stop();

  EXPECT_EQ(loadedVersion(), 8u);
}

TEST_F(PatternUpdaterTest, IntervalPollsRepeatedly) {
  source_->offerNothing();
  updater_->start(1s, true);

  for (int i = 0; i < 500 && source_->calls() < 2; ++i) std::this_thread::sleep_for(5ms);
  updater_->stop();

  EXPECT_GE(source_->calls(), 2);
}

// Error paths.

TEST_F(PatternUpdaterTest, TamperedPatternKeepsCurrent) {
  source_->offer(encodePattern(key_, 3));
  ASSERT_EQ(updater_->checkNow(), UpdateOutcome::kUpdated);
  std::vector<std::uint8_t> tampered = encodePattern(key_, 4);
  tampered[tampered.size() / 2] ^= 0x01;
  source_->offer(tampered);

  EXPECT_EQ(updater_->checkNow(), UpdateOutcome::kFailed);
  EXPECT_EQ(loadedVersion(), 3u);
  EXPECT_EQ(updates("failed"), 1u);
  EXPECT_NE(log_.str().find("keeping version 3"), std::string::npos) << log_.str();
}

TEST_F(PatternUpdaterTest, PatternOfOtherKeyIsRejected) {
  source_->offer(encodePattern(testing::generateKey(), 4));

  EXPECT_EQ(updater_->checkNow(), UpdateOutcome::kFailed);
  EXPECT_EQ(store_->current(), nullptr);
}

TEST_F(PatternUpdaterTest, OlderPatternIsRejected) {
  source_->offer(encodePattern(key_, 5));
  ASSERT_EQ(updater_->checkNow(), UpdateOutcome::kUpdated);
  source_->offer(encodePattern(key_, 4));

  EXPECT_EQ(updater_->checkNow(), UpdateOutcome::kFailed);
  EXPECT_EQ(loadedVersion(), 5u);
  EXPECT_NE(log_.str().find("older than the loaded version 5"), std::string::npos) << log_.str();
}

TEST_F(PatternUpdaterTest, AnnouncedVersionMustMatchFile) {
  source_->offer(encodePattern(key_, 5), 6);

  EXPECT_EQ(updater_->checkNow(), UpdateOutcome::kFailed);
  EXPECT_EQ(store_->current(), nullptr);
}

TEST_F(PatternUpdaterTest, SourceErrorIsLoggedAndCounted) {
  source_->fail(Status(StatusCode::kUnreachable, "connection refused"));

  EXPECT_EQ(updater_->checkNow(), UpdateOutcome::kFailed);
  EXPECT_NE(log_.str().find("connection refused"), std::string::npos) << log_.str();
  EXPECT_EQ(updates("failed"), 1u);
}

}  // namespace
}  // namespace odscan::smartscan
