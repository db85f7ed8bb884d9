#include "odscan/scanner/result_reporter.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <sstream>

#include "test_support.h"

namespace odscan::scanner {
namespace {

using testing::readLines;
using testing::TempFolder;

ScanResult resultOf(const std::string& path, Verdict verdict) {
  ScanResult result;
  result.path = path;
  result.file = path;
  result.verdict = verdict;
  if (verdict == Verdict::kInfected) {
    result.threatName = "Eicar-Test-Signature";
    result.source = DetectionSource::kAgentPattern;
  }
  if (verdict == Verdict::kNotScanned) {
    result.reason = SkipReason::kAccessDenied;
    result.detail = "permission denied";
  }
  return result;
}

class ResultReporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(home_.createLayout().ok());
    Result<std::unique_ptr<Session>> session = Session::create(home_, "scan");
    ASSERT_TRUE(session.ok());
    session_ = std::move(*session);
  }

  TempFolder temp_;
  HomeFolder home_{temp_ / "HCEXEC"};
  std::unique_ptr<Session> session_;
  std::ostringstream out_;
  std::ostringstream err_;
  Console console_{out_, err_, false};
};

TEST(ResultLineTest, LinesFollowClamscanStyle) {
  EXPECT_EQ(resultLine(resultOf("/a", Verdict::kInfected)), "/a: Eicar-Test-Signature FOUND");
  EXPECT_EQ(resultLine(resultOf("/b", Verdict::kUnresolved)), "/b: unresolved (scan query needed)");
  EXPECT_EQ(resultLine(resultOf("/c", Verdict::kNotScanned)),
            "/c: not scanned (access_denied: permission denied)");
}

TEST_F(ResultReporterTest, PrintsEveryResultThatIsNotClean) {
  ResultReporter reporter(console_, *session_, false);
  reporter.onResult(resultOf("/clean", Verdict::kClean));
  reporter.onResult(resultOf("/infected", Verdict::kInfected));
  reporter.onResult(resultOf("/unresolved", Verdict::kUnresolved));
  reporter.onResult(resultOf("/skipped", Verdict::kNotScanned));
  EXPECT_EQ(out_.str(),
            "/infected: Eicar-Test-Signature FOUND\n"
            "/unresolved: unresolved (scan query needed)\n"
            "/skipped: not scanned (access_denied: permission denied)\n");
}

TEST_F(ResultReporterTest, InfectedOnlyPrintsOnlyInfected) {
  ResultReporter reporter(console_, *session_, true);
  reporter.onResult(resultOf("/infected", Verdict::kInfected));
  reporter.onResult(resultOf("/unresolved", Verdict::kUnresolved));
  reporter.onResult(resultOf("/skipped", Verdict::kNotScanned));
  EXPECT_EQ(out_.str(), "/infected: Eicar-Test-Signature FOUND\n");
  EXPECT_EQ(reporter.findings().size(), 3u);
}

TEST_F(ResultReporterTest, CountsEveryVerdict) {
  ResultReporter reporter(console_, *session_, false);
  reporter.onResult(resultOf("/a", Verdict::kClean));
  reporter.onResult(resultOf("/b", Verdict::kClean));
  reporter.onResult(resultOf("/c", Verdict::kInfected));
  reporter.onResult(resultOf("/d", Verdict::kNotScanned));
  const VerdictCounts counts = reporter.counts();
  EXPECT_EQ(counts.clean, 2u);
  EXPECT_EQ(counts.infected, 1u);
  EXPECT_EQ(counts.unresolved, 0u);
  EXPECT_EQ(counts.notScanned, 1u);
}

TEST_F(ResultReporterTest, CleanResultsAreNotStored) {
  ResultReporter reporter(console_, *session_, false);
  reporter.onResult(resultOf("/clean", Verdict::kClean));
  EXPECT_TRUE(reporter.findings().empty());
}

TEST_F(ResultReporterTest, FindingsAreLoggedAsEvents) {
  ResultReporter reporter(console_, *session_, false);
  reporter.onResult(resultOf("/clean", Verdict::kClean));
  reporter.onResult(resultOf("/infected", Verdict::kInfected));
  const auto lines = readLines(session_->eventsPath());
  ASSERT_EQ(lines.size(), 1u);
  const auto event = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(event["event"], "result");
  EXPECT_EQ(event["path"], "/infected");
  EXPECT_EQ(event["threat"], "Eicar-Test-Signature");
}

TEST_F(ResultReporterTest, ThreatIsLoggedWithPath) {
  ResultReporter reporter(console_, *session_, false);
  reporter.onResult(resultOf("/infected", Verdict::kInfected));
  session_->logger().flush();
  const std::string log = testing::readFile(session_->logPath());
  EXPECT_NE(log.find("threat found: Eicar-Test-Signature in '/infected'"), std::string::npos);
}

TEST_F(ResultReporterTest, EngineEventsAreLoggedAndStored) {
  ResultReporter reporter(console_, *session_, false);
  reporter.onEvent({ScanEvent::Kind::kLoopSkipped, "/a/loop", "already visited"});
  ASSERT_EQ(reporter.events().size(), 1u);
  const auto event = nlohmann::json::parse(readLines(session_->eventsPath()).at(0));
  EXPECT_EQ(event["event"], "problem");
  EXPECT_EQ(event["kind"], "loop_skipped");
  EXPECT_EQ(event["path"], "/a/loop");
}

TEST_F(ResultReporterTest, EventsBeyondLimitAreOnlyCounted) {
  ResultReporter reporter(console_, *session_, false);
  const std::uint64_t total = kMaxLoggedEventsPerKind + 5;
  for (std::uint64_t i = 0; i < total; ++i) {
    reporter.onEvent({ScanEvent::Kind::kSymlinkSkipped, "/usr/link" + std::to_string(i),
                      "symbolic links are not followed"});
  }
  reporter.onEvent({ScanEvent::Kind::kLoopSkipped, "/a/loop", "already visited"});

  EXPECT_EQ(reporter.eventCount(ScanEvent::Kind::kSymlinkSkipped), total);
  EXPECT_EQ(reporter.eventCount(ScanEvent::Kind::kLoopSkipped), 1u);
  EXPECT_EQ(reporter.events().size(), kMaxLoggedEventsPerKind + 1);

  std::uint64_t problems = 0;
  std::uint64_t limitNotes = 0;
  for (const auto& line : readLines(session_->eventsPath())) {
    const auto event = nlohmann::json::parse(line);
    problems += event["event"] == "problem";
    limitNotes += event["event"] == "problem_limit_reached";
  }
  EXPECT_EQ(problems, kMaxLoggedEventsPerKind + 1);
  EXPECT_EQ(limitNotes, 1u);

  session_->logger().flush();
  const std::string log = testing::readFile(session_->logPath());
  EXPECT_EQ(log.find("/usr/link" + std::to_string(kMaxLoggedEventsPerKind)), std::string::npos);
  EXPECT_NE(log.find("counted, not logged"), std::string::npos) << log;
}

TEST_F(ResultReporterTest, FilesScannedCountsFilesWithVerdict) {
  ResultReporter reporter(console_, *session_, false);
  ScanResult member = resultOf("/a.zip!b", Verdict::kClean);
  member.depth = 1;
  reporter.onResult(member);
  reporter.onResult(resultOf("/a.zip", Verdict::kClean));
  reporter.onResult(resultOf("/eicar.com", Verdict::kInfected));
  reporter.onResult(resultOf("/unknown.bin", Verdict::kUnresolved));
  reporter.onResult(resultOf("/locked.bin", Verdict::kNotScanned));
  EXPECT_EQ(reporter.filesScanned(), 3u);
}

TEST_F(ResultReporterTest, CurrentPathIsPublishedOnRequest) {
  ResultReporter reporter(console_, *session_, false);
  reporter.onResult(resultOf("/before", Verdict::kClean));
  EXPECT_EQ(reporter.currentPath(), "");
  reporter.requestCurrentPath();
  reporter.onResult(resultOf("/requested", Verdict::kClean));
  reporter.onResult(resultOf("/after", Verdict::kClean));
  EXPECT_EQ(reporter.currentPath(), "/requested");
}

// A stream buffer whose first write blocks until release(), to hold the reporter's
// lock while another thread reports clean results.
class BlockingBuffer : public std::streambuf {
 public:
  void waitUntilBlocked() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return blocked_; });
  }
  void release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }

 protected:
  int overflow(int c) override {
    std::unique_lock lock(mutex_);
    blocked_ = true;
    changed_.notify_all();
    changed_.wait(lock, [this] { return released_; });
    return c;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool blocked_ = false;
  bool released_ = false;
};

TEST_F(ResultReporterTest, CleanResultsDoNotWaitForPrinting) {
  BlockingBuffer buffer;
  std::ostream blockingOut(&buffer);
  Console console(blockingOut, err_, false);
  ResultReporter reporter(console, *session_, false);

  auto printing = std::async(std::launch::async, [&reporter] {
    reporter.onResult(resultOf("/infected", Verdict::kInfected));
  });
  buffer.waitUntilBlocked();

  auto cleanResults = std::async(std::launch::async, [&reporter] {
    for (int i = 0; i < 1000; ++i) reporter.onResult(resultOf("/clean", Verdict::kClean));
  });
  const auto state = cleanResults.wait_for(std::chrono::seconds(10));
  buffer.release();
  printing.wait();
  cleanResults.wait();
  EXPECT_EQ(state, std::future_status::ready);
  EXPECT_EQ(reporter.counts().clean, 1000u);
}

}  // namespace
}  // namespace odscan::scanner
