#include "odscan/scanner/scan_report.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace odscan::scanner {
namespace {

using testing::TempFolder;

ScanReport completedReport() {
  ScanReport report;
  report.outcome = ScanOutcome::kCompleted;
  report.summary.files = 3;
  report.summary.objects = 3;
  report.summary.clean = 3;
  return report;
}

ScanResult infectedResult() {
  ScanResult result;
  result.path = "/tmp/x.zip!eicar.com";
  result.file = "/tmp/x.zip";
  result.depth = 1;
  result.size = 68;
  result.verdict = Verdict::kInfected;
  result.threatName = "Eicar-Test-Signature";
  result.source = DetectionSource::kAgentPattern;
  Digest md5;
  md5.kind = DigestKind::kMd5;
  result.digests.byKind[digestKindIndex(DigestKind::kMd5)] = md5;
  return result;
}

TEST(ScanExitCodeTest, CleanCompleteScanIsZero) {
  EXPECT_EQ(exitCodeOf(completedReport()), ExitCode::kNothingFound);
}

TEST(ScanExitCodeTest, InfectedIsOne) {
  ScanReport report = completedReport();
  report.summary.infected = 1;
  EXPECT_EQ(exitCodeOf(report), ExitCode::kThreatsFound);
}

TEST(ScanExitCodeTest, InfectedWinsOverErrors) {
  ScanReport report = completedReport();
  report.summary.infected = 1;
  report.summary.notScanned = 4;
  report.outcome = ScanOutcome::kCancelled;
  report.errors.push_back(Status(StatusCode::kIoError, "report write failed"));
  EXPECT_EQ(exitCodeOf(report), ExitCode::kThreatsFound);
}

TEST(ScanExitCodeTest, NotScannedObjectIsTwo) {
  ScanReport report = completedReport();
  report.summary.notScanned = 1;
  EXPECT_EQ(exitCodeOf(report), ExitCode::kError);
}

TEST(ScanExitCodeTest, UnresolvedObjectIsTwo) {
  ScanReport report = completedReport();
  report.summary.unresolved = 1;
  EXPECT_EQ(exitCodeOf(report), ExitCode::kError);
}

TEST(ScanExitCodeTest, CancelledScanIsTwo) {
  ScanReport report = completedReport();
  report.outcome = ScanOutcome::kCancelled;
  EXPECT_EQ(exitCodeOf(report), ExitCode::kError);
}

TEST(ScanExitCodeTest, ScanThatDidNotStartIsTwo) {
  ScanReport report;
  report.errors.push_back(Status(StatusCode::kBadSignature, "bad pattern"));
  EXPECT_EQ(exitCodeOf(report), ExitCode::kError);
}

TEST(ScanExitCodeTest, RecordedErrorIsTwo) {
  ScanReport report = completedReport();
  report.errors.push_back(Status(StatusCode::kIoError, "report write failed"));
  EXPECT_EQ(exitCodeOf(report), ExitCode::kError);
}

TEST(ScanReportTest, JsonHasIdentityVersionsAndCounts) {
  ScanReport report = completedReport();
  report.scannerVersion = "0.1.0";
  report.patternVersion = 2026120401;
  report.sessionId = "3f9c2a1b";
  report.host = "host1";
  report.user = "alice";
  const auto json = report.toJson();
  EXPECT_EQ(json["format"], "odscan-scan-report");
  EXPECT_EQ(json["scanner_version"], "0.1.0");
  EXPECT_EQ(json["pattern_version"], 2026120401u);
  EXPECT_EQ(json["session_id"], "3f9c2a1b");
  EXPECT_EQ(json["host"], "host1");
  EXPECT_EQ(json["user"], "alice");
  EXPECT_EQ(json["counts"]["clean"], 3u);
  EXPECT_EQ(json["outcome"], "completed");
  EXPECT_EQ(json["exit_code"], 0);
  EXPECT_TRUE(json["started_at"].is_string());
  EXPECT_TRUE(json["finished_at"].is_string());
}

TEST(ScanReportTest, InfectedFilesCountsEachFileOnDiskOnce) {
  ScanReport report = completedReport();
  ScanResult member = infectedResult();
  ScanResult nested = infectedResult();
  nested.path = "/tmp/x.zip!inner.zip!eicar.com";
  nested.depth = 2;
  ScanResult container = infectedResult();
  container.path = "/tmp/x.zip";
  container.depth = 0;
  ScanResult other = infectedResult();
  other.path = "/tmp/eicar.com";
  other.file = "/tmp/eicar.com";
  other.depth = 0;
  ScanResult notScanned = infectedResult();
  notScanned.path = "/tmp/big.iso";
  notScanned.file = "/tmp/big.iso";
  notScanned.verdict = Verdict::kNotScanned;
  report.findings = {member, nested, container, other, notScanned};
  report.summary.infected = 4;

  EXPECT_EQ(report.infectedFiles(), 2u);
  EXPECT_EQ(report.toJson()["counts"]["infected_files"], 2u);
  EXPECT_EQ(report.toJson()["counts"]["infected"], 4u);
}

TEST(ScanReportTest, CountsHaveScannerProgramTotals) {
  ScanReport report = completedReport();
  report.filesScanned = 2;
  report.symlinksSkipped = 4038;
  report.loopsSkipped = 1;
  const auto counts = report.toJson()["counts"];
  EXPECT_EQ(counts["files"], 3u);
  EXPECT_EQ(counts["files_scanned"], 2u);
  EXPECT_EQ(counts["symlinks_skipped"], 4038u);
  EXPECT_EQ(counts["loops_skipped"], 1u);
}

TEST(ScanReportTest, PatternVersionIsNullWhenNotLoaded) {
  EXPECT_TRUE(ScanReport().toJson()["pattern_version"].is_null());
}

TEST(ScanReportTest, ResultJsonHasVerdictThreatAndDigests) {
  const auto json = resultToJson(infectedResult());
  EXPECT_EQ(json["path"], "/tmp/x.zip!eicar.com");
  EXPECT_EQ(json["file"], "/tmp/x.zip");
  EXPECT_EQ(json["verdict"], "infected");
  EXPECT_EQ(json["threat"], "Eicar-Test-Signature");
  EXPECT_EQ(json["source"], "agent_pattern");
  EXPECT_EQ(json["size"], 68u);
  EXPECT_TRUE(json.contains("md5"));
  EXPECT_FALSE(json.contains("sha256"));
  EXPECT_FALSE(json.contains("reason"));
}

TEST(ScanReportTest, NotScannedResultJsonHasReasonAndDetail) {
  ScanResult result;
  result.path = "/tmp/big.iso";
  result.verdict = Verdict::kNotScanned;
  result.reason = SkipReason::kSizeLimit;
  result.detail = "larger than 100 MiB";
  const auto json = resultToJson(result);
  EXPECT_EQ(json["reason"], "size_limit");
  EXPECT_EQ(json["detail"], "larger than 100 MiB");
  EXPECT_FALSE(json.contains("threat"));
}

TEST(ScanReportTest, ActionsAndErrorsAreListed) {
  ScanReport report = completedReport();
  report.actions.push_back({"/tmp/a", "/tmp/a", "Eicar-Test-Signature", "1234abcd", {}});
  report.actions.push_back({"/tmp/b", "/tmp/b", "Eicar-Test-Signature", std::nullopt,
                            Status(StatusCode::kIoError, "cannot remove")});
  report.errors.push_back(Status(StatusCode::kNoSpace, "disk full"));
  const auto json = report.toJson();
  EXPECT_EQ(json["actions"][0]["action"], "quarantined");
  EXPECT_EQ(json["actions"][0]["quarantine_id"], "1234abcd");
  EXPECT_EQ(json["actions"][1]["action"], "quarantine_failed");
  EXPECT_EQ(json["actions"][1]["error"], "cannot remove");
  EXPECT_EQ(json["errors"][0]["code"], "no_space");
}

TEST(ScanReportTest, WriteJsonFileReplacesExistingFile) {
  TempFolder temp;
  testing::writeFile(temp / "report.json", "old");
  ASSERT_TRUE(writeJsonFile(temp / "report.json", {{"a", 1}}, FileAccess::kOwnerOnly).ok());
  EXPECT_EQ(nlohmann::json::parse(testing::readFile(temp / "report.json"))["a"], 1);
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& item : std::filesystem::directory_iterator(temp.path())) {
    ++files;
  }
  EXPECT_EQ(files, 1u);
}

// POSIX only: Windows files have no mode bits and there is no umask.
#ifndef _WIN32
TEST(ScanReportTest, OwnerOnlyJsonFileIgnoresUmask) {
  TempFolder temp;
  testing::ScopedUmask umask(0);
  ASSERT_TRUE(writeJsonFile(temp / "report.json", {{"a", 1}}, FileAccess::kOwnerOnly).ok());
  EXPECT_EQ(testing::modeOf(temp / "report.json"), 0600u);
}

TEST(ScanReportTest, UmaskJsonFileFollowsUmask) {
  TempFolder temp;
  testing::ScopedUmask umask(0027);
  ASSERT_TRUE(writeJsonFile(temp / "report.json", {{"a", 1}}, FileAccess::kUmask).ok());
  EXPECT_EQ(testing::modeOf(temp / "report.json"), 0640u);
}
#endif

TEST(ScanReportTest, WritableJsonPathPassesAndLeavesNothing) {
  TempFolder temp;
  EXPECT_TRUE(checkJsonFileWritable(temp / "report.json").ok());
  EXPECT_TRUE(std::filesystem::is_empty(temp.path()));
}

// Error paths

TEST(ScanReportTest, JsonPathInMissingFolderIsNotWritable) {
  TempFolder temp;
  const Status status = checkJsonFileWritable(temp / "missing" / "report.json");
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("'" + (temp / "missing").string() + "' does not exist"),
            std::string::npos)
      << status.message();
}

TEST(ScanReportTest, JsonPathThatIsAFolderIsNotWritable) {
  TempFolder temp;
  const Status status = checkJsonFileWritable(temp.path());
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("not a folder"), std::string::npos) << status.message();
}

TEST(ScanReportTest, WriteJsonFileIntoMissingFolderFails) {
  TempFolder temp;
  const Status status =
      writeJsonFile(temp / "missing" / "report.json", {{"a", 1}}, FileAccess::kUmask);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("report.json"), std::string::npos);
}

}  // namespace
}  // namespace odscan::scanner
