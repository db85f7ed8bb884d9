#include "odscan/scanner/scan_monitor.h"

#include <gtest/gtest.h>

#include <sstream>
#include <thread>

#include "test_support.h"

namespace odscan::scanner {
namespace {

using std::chrono::milliseconds;

TEST(ProgressLineTest, ShowsFilesBytesAndRate) {
  const std::string line =
      formatProgressLine({12, 10ull << 20}, VerdictCounts{}, milliseconds(2000), "");
  EXPECT_EQ(line, "12 files, 10.0 MiB, 5.0 MiB/s");
}

TEST(ProgressLineTest, ShowsThreatCountAndCurrentPath) {
  VerdictCounts counts;
  counts.infected = 2;
  const std::string line = formatProgressLine({1, 100}, counts, milliseconds(1000), "/tmp/a.exe");
  EXPECT_EQ(line, "1 files, 100 B, 100 B/s, 2 found: /tmp/a.exe");
}

TEST(ProgressLineTest, LongPathIsShortenedToFitOneLine) {
  const std::string path = "/" + std::string(200, 'd') + "/setup.exe";
  const std::string line = formatProgressLine({1, 100}, VerdictCounts{}, milliseconds(1000), path);
  EXPECT_LE(line.size(), kProgressLineWidth);
  EXPECT_EQ(line.substr(line.size() - 9), "setup.exe");
}

class ScanMonitorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(home_.createLayout().ok());
    Result<std::unique_ptr<Session>> session = Session::create(home_, "scan");
    ASSERT_TRUE(session.ok());
    session_ = std::move(*session);
  }

  ScanMonitor::Hooks hooks() {
    return {[] { return ScanProgress{7, 2048}; }, [this] { ++cancelCalls_; }};
  }

  testing::TempFolder temp_;
  HomeFolder home_{temp_ / "HCEXEC"};
  std::unique_ptr<Session> session_;
  std::ostringstream out_;
  std::ostringstream err_;
  std::atomic<int> cancelCalls_{0};
};

TEST_F(ScanMonitorTest, TerminalShowsProgressThenClearsIt) {
  Console console(out_, err_, true);
  ResultReporter reporter(console, *session_, false);
  ScanMonitor monitor(console, reporter, hooks(), nullptr, milliseconds(10));
  monitor.start();
  std::this_thread::sleep_for(milliseconds(50));
  monitor.stop();

  const std::string progressOutput = err_.str();
  EXPECT_NE(progressOutput.find("7 files, 2.0 KiB"), std::string::npos) << progressOutput;
  EXPECT_EQ(progressOutput.substr(progressOutput.size() - 4), "\r\x1b[K");
  EXPECT_TRUE(out_.str().empty());
}

TEST_F(ScanMonitorTest, NonTerminalShowsNothing) {
  Console console(out_, err_, false);
  ResultReporter reporter(console, *session_, false);
  ScanMonitor monitor(console, reporter, hooks(), nullptr, milliseconds(10));
  monitor.start();
  std::this_thread::sleep_for(milliseconds(50));
  monitor.stop();
  EXPECT_TRUE(err_.str().empty());
  EXPECT_TRUE(out_.str().empty());
}

TEST_F(ScanMonitorTest, ResultLineClearsProgressFirst) {
  Console console(out_, err_, true);
  console.showProgress("3 files");
  console.printLine("/a: Eicar-Test-Signature FOUND");
  EXPECT_EQ(err_.str(), "\r\x1b[K3 files\r\x1b[K");
  EXPECT_EQ(out_.str(), "/a: Eicar-Test-Signature FOUND\n");
}

TEST_F(ScanMonitorTest, InterruptCancelsScanOnce) {
  Console console(out_, err_, false);
  ResultReporter reporter(console, *session_, false);
  std::atomic<bool> interrupt{false};
  ScanMonitor monitor(console, reporter, hooks(), &interrupt, milliseconds(10));
  monitor.start();
  interrupt = true;
  for (int i = 0; i < 200 && cancelCalls_ == 0; ++i) std::this_thread::sleep_for(milliseconds(10));
  std::this_thread::sleep_for(milliseconds(150));
  monitor.stop();
  EXPECT_EQ(cancelCalls_.load(), 1);
  EXPECT_TRUE(monitor.interrupted());
}

TEST_F(ScanMonitorTest, NoInterruptNoCancel) {
  Console console(out_, err_, false);
  ResultReporter reporter(console, *session_, false);
  std::atomic<bool> interrupt{false};
  ScanMonitor monitor(console, reporter, hooks(), &interrupt, milliseconds(10));
  monitor.start();
  std::this_thread::sleep_for(milliseconds(150));
  monitor.stop();
  EXPECT_EQ(cancelCalls_.load(), 0);
}

}  // namespace
}  // namespace odscan::scanner
