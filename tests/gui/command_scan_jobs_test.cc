#include "odscan/gui/command_scan_jobs.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "odscan/gui/scan_wizard.h"
#include "test_support.h"

namespace odscan::gui {
namespace {

namespace fs = std::filesystem;
using scanner::ScanOutcome;
using scanner::testing::readLines;
using scanner::testing::TempFolder;
using scanner::testing::writeFile;

// Runs the real scan command through CommandScanJobs over a small tree with one
// EICAR file and one clean file.
class CommandScanJobsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto pattern = scanner::testing::writeTestPattern(temp_ / "publisher");
    writeFile(tree() / "clean.txt", "nothing to see here\n");
    writeFile(tree() / "sub" / "eicar.com", scanner::testing::eicarText());
    options_.home = home();
    options_.patternPath = pattern.pattern;
    options_.publicKeyPath = pattern.publicKey;
    options_.roots = {tree()};
    options_.engine.threads = 2;
  }

  fs::path tree() const { return temp_ / "tree"; }
  fs::path home() const { return temp_ / "HCEXEC"; }

  ScanConclusion scan(const std::atomic<bool>& cancel) {
    CommandScanJobs jobs(options_);
    return jobs.runScan(cancel, [this](const scanner::ScanProgressUpdate&) { ++progressCalls_; });
  }

  ScanConclusion scan() { return scan(noCancel_); }

  // Returns the names of the events in `session`'s events.jsonl.
  static std::vector<nlohmann::json> events(const fs::path& sessionFolder) {
    std::vector<nlohmann::json> result;
    for (const auto& line : readLines(sessionFolder / "events.jsonl")) {
      result.push_back(nlohmann::json::parse(line));
    }
    return result;
  }

  TempFolder temp_;
  scanner::ScanCommandOptions options_;
  std::atomic<bool> noCancel_{false};
  std::atomic<int> progressCalls_{0};
};

TEST_F(CommandScanJobsTest, ScanReturnsReportWithThreat) {
  const ScanConclusion conclusion = scan();
  EXPECT_EQ(conclusion.exitCode, 1) << conclusion.errorOutput;
  ASSERT_TRUE(conclusion.report.has_value());
  EXPECT_EQ(conclusion.report->outcome, ScanOutcome::kCompleted);
  ASSERT_EQ(conclusion.report->findings.size(), 1u);
  EXPECT_EQ(conclusion.report->findings[0].file, tree() / "sub" / "eicar.com");
}

TEST_F(CommandScanJobsTest, ScanWritesSessionInHome) {
  const ScanConclusion conclusion = scan();
  ASSERT_TRUE(conclusion.report.has_value());
  EXPECT_EQ(conclusion.report->sessionFolder.parent_path(), home() / "sessions");
  EXPECT_TRUE(fs::exists(conclusion.report->sessionFolder / "report.json"));
}

TEST_F(CommandScanJobsTest, ScanReportsProgress) {
  const ScanConclusion conclusion = scan();
  EXPECT_EQ(conclusion.exitCode, 1);
  EXPECT_GE(progressCalls_.load(), 1);
}

TEST_F(CommandScanJobsTest, CancelBeforeScanReadsNoFile) {
  std::atomic<bool> cancel{true};
  const ScanConclusion conclusion = scan(cancel);
  EXPECT_EQ(conclusion.exitCode, 2);
  ASSERT_TRUE(conclusion.report.has_value());
  EXPECT_EQ(conclusion.report->outcome, ScanOutcome::kCancelled);
  EXPECT_EQ(conclusion.report->summary.files, 0u);
}

TEST_F(CommandScanJobsTest, CancelDuringScanEndsCancelled) {
  std::atomic<bool> cancel{false};
  options_.engine.threads = 1;
  // The first file is held long enough for the scan monitor to see the request.
  options_.engine.hooks.beforeOpen = [&cancel](const std::string&) {
    cancel = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
  };
  const ScanConclusion conclusion = scan(cancel);
  EXPECT_EQ(conclusion.exitCode, 2);
  ASSERT_TRUE(conclusion.report.has_value());
  EXPECT_EQ(conclusion.report->outcome, ScanOutcome::kCancelled);
}

TEST_F(CommandScanJobsTest, QuarantineMovesFileInSessionOfItsOwn) {
  const ScanConclusion conclusion = scan();
  ScanWizard wizard(options_, home());
  wizard.beginScan();
  wizard.completeScan(conclusion);
  ASSERT_EQ(wizard.threats().size(), 1u);

  CommandScanJobs jobs(options_);
  const QuarantineBatch batch =
      jobs.quarantine(wizard.quarantineRequests({0}), wizard.scanSessionId());
  ASSERT_EQ(batch.outcomes.size(), 1u);
  ASSERT_TRUE(batch.outcomes[0].entry.ok()) << batch.outcomes[0].entry.status().toString();
  EXPECT_FALSE(fs::exists(tree() / "sub" / "eicar.com"));
  EXPECT_TRUE(fs::exists(batch.outcomes[0].entry->entryFile));
  EXPECT_EQ(batch.outcomes[0].entry->sessionId, batch.sessionId);
  EXPECT_NE(batch.sessionId, wizard.scanSessionId());
}

TEST_F(CommandScanJobsTest, QuarantineSessionNamesScanSession) {
  const ScanConclusion conclusion = scan();
  ScanWizard wizard(options_, home());
  wizard.beginScan();
  wizard.completeScan(conclusion);

  CommandScanJobs jobs(options_);
  const QuarantineBatch batch =
      jobs.quarantine(wizard.quarantineRequests({0}), wizard.scanSessionId());
  ASSERT_FALSE(batch.sessionId.empty());
  fs::path sessionFolder;
  for (const auto& entry : fs::directory_iterator(home() / "sessions")) {
    if (entry.path().filename().string().find(batch.sessionId) != std::string::npos) {
      sessionFolder = entry.path();
    }
  }
  ASSERT_FALSE(sessionFolder.empty());

  const auto logged = events(sessionFolder);
  ASSERT_EQ(logged.size(), 3u);
  EXPECT_EQ(logged[0]["event"], "session_start");
  EXPECT_EQ(logged[0]["scan_session"], wizard.scanSessionId());
  EXPECT_EQ(logged[1]["event"], "quarantined");
  EXPECT_EQ(logged[2]["event"], "session_finish");
}

TEST_F(CommandScanJobsTest, RemoveHomeDeletesHcexec) {
  const ScanConclusion conclusion = scan();
  ASSERT_TRUE(fs::exists(home()));
  CommandScanJobs jobs(options_);
  const HomeRemoval removal = jobs.removeHome();
  EXPECT_TRUE(removal.status.ok()) << removal.status.toString();
  EXPECT_EQ(removal.folder, home());
  EXPECT_FALSE(fs::exists(home()));
}

// ---- error paths ----

TEST_F(CommandScanJobsTest, MissingPatternEndsNotStarted) {
  options_.patternPath = temp_ / "missing.ptn";
  const ScanConclusion conclusion = scan();
  EXPECT_EQ(conclusion.exitCode, 2);
  ASSERT_TRUE(conclusion.report.has_value());
  EXPECT_EQ(conclusion.report->outcome, ScanOutcome::kNotStarted);
  ASSERT_FALSE(conclusion.report->errors.empty());
  EXPECT_NE(conclusion.report->errors[0].message().find("missing.ptn"), std::string::npos);
}

TEST_F(CommandScanJobsTest, UnusableHomeEndsWithoutReport) {
  writeFile(home(), "a file where HCEXEC should be");
  const ScanConclusion conclusion = scan();
  EXPECT_EQ(conclusion.exitCode, 2);
  EXPECT_FALSE(conclusion.report.has_value());
  EXPECT_NE(conclusion.errorOutput.find("HCEXEC"), std::string::npos) << conclusion.errorOutput;
}

TEST_F(CommandScanJobsTest, ReplacedFileIsNotQuarantined) {
  const ScanConclusion conclusion = scan();
  ScanWizard wizard(options_, home());
  wizard.beginScan();
  wizard.completeScan(conclusion);
  writeFile(tree() / "sub" / "eicar.com", "replaced after the scan\n");

  CommandScanJobs jobs(options_);
  const QuarantineBatch batch =
      jobs.quarantine(wizard.quarantineRequests({0}), wizard.scanSessionId());
  ASSERT_EQ(batch.outcomes.size(), 1u);
  EXPECT_FALSE(batch.outcomes[0].entry.ok());
  EXPECT_TRUE(fs::exists(tree() / "sub" / "eicar.com"));
}

}  // namespace
}  // namespace odscan::gui
