#include "odscan/gui/scan_wizard.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace odscan::gui {
namespace {

namespace fs = std::filesystem;
using scanner::ScanOutcome;

Digest digestOfByte(std::uint8_t value) {
  Digest digest;
  digest.kind = DigestKind::kSha256;
  digest.bytes.fill(value);
  return digest;
}

ScanResult infected(const std::string& path, const fs::path& file, int depth) {
  ScanResult result;
  result.path = path;
  result.file = file;
  result.depth = depth;
  result.verdict = Verdict::kInfected;
  result.threatName = "Eicar-Test-Signature";
  if (depth == 0) result.digests.byKind[digestKindIndex(DigestKind::kSha256)] = digestOfByte(7);
  return result;
}

bool contains(const std::vector<std::string>& lines, const std::string& part) {
  return std::any_of(lines.begin(), lines.end(), [&part](const std::string& line) {
    return line.find(part) != std::string::npos;
  });
}

class ScanWizardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.roots = {"/data/users", "/data/shared"};
    options_.smartScan.serverUrl = "http://127.0.0.1:8470";
  }

  ScanWizard wizard() const { return ScanWizard(options_, home_); }

  // A report of a completed scan that found EICAR in a file and in an archive.
  static ScanConclusion conclusionWithThreats() {
    scanner::ScanReport report;
    report.outcome = ScanOutcome::kCompleted;
    report.sessionId = "1a2b3c4d";
    report.sessionFolder = "/home/HCEXEC/sessions/20260101T000000Z-1a2b3c4d";
    report.filesScanned = 40;
    report.summary.bytes = 2048;
    report.findings = {infected("/data/users/eicar.com", "/data/users/eicar.com", 0),
                       infected("/data/shared/a.zip!eicar.com", "/data/shared/a.zip", 1),
                       infected("/data/shared/a.zip", "/data/shared/a.zip", 0)};
    report.summary.infected = 3;
    return {1, report, ""};
  }

  static ScanConclusion notStarted(const std::string& reason) {
    scanner::ScanReport report;
    report.outcome = ScanOutcome::kNotStarted;
    report.sessionId = "5e6f7a8b";
    report.sessionFolder = "/home/HCEXEC/sessions/20260101T000000Z-5e6f7a8b";
    report.errors.push_back(Status(StatusCode::kUnreachable, reason));
    return {2, report, ""};
  }

  static ScanWizard scannedWizard(const ScanWizard& start, ScanConclusion conclusion) {
    ScanWizard result = start;
    result.beginScan();
    result.completeScan(std::move(conclusion));
    return result;
  }

  scanner::ScanCommandOptions options_;
  fs::path home_ = "/home/HCEXEC";
};

TEST_F(ScanWizardTest, StartsAtWelcome) {
  const ScanWizard start = wizard();
  EXPECT_EQ(start.step(), WizardStep::kWelcome);
  EXPECT_EQ(start.stepCaption(), "Step 1 of 4: Welcome");
}

TEST_F(ScanWizardTest, WelcomeListsTargets) {
  const std::vector<std::string> expected = {"/data/users", "/data/shared"};
  EXPECT_EQ(wizard().targetLines(), expected);
}

TEST_F(ScanWizardTest, WelcomeListsServers) {
  options_.smartScan.globalServerUrl = "https://127.0.0.1:8471";
  const std::vector<std::string> lines = wizard().serverLines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "Smart Scan Server: http://127.0.0.1:8470");
  EXPECT_NE(lines[1].find("Global Smart Scan Server: https://127.0.0.1:8471"), std::string::npos);
}

TEST_F(ScanWizardTest, DisabledGlobalServerIsShownAsNotUsed) {
  options_.smartScan.globalServerUrl = "https://127.0.0.1:8471";
  options_.smartScan.allowGlobal = false;
  EXPECT_TRUE(contains(wizard().serverLines(), "Global Smart Scan Server: not used"));
}

TEST_F(ScanWizardTest, WelcomeWithoutServersSaysFilesStayUnresolved) {
  options_.smartScan.serverUrl.reset();
  EXPECT_TRUE(contains(wizard().serverLines(), "reported as unresolved"));
}

TEST_F(ScanWizardTest, WelcomeNamesHomeFolder) {
  EXPECT_NE(wizard().homeFolderLine().find("/home/HCEXEC"), std::string::npos);
}

TEST_F(ScanWizardTest, BeginScanMovesToScanning) {
  ScanWizard scan = wizard();
  EXPECT_TRUE(scan.beginScan());
  EXPECT_EQ(scan.step(), WizardStep::kScanning);
  EXPECT_EQ(scan.stepCaption(), "Step 2 of 4: Scanning");
}

TEST_F(ScanWizardTest, FiguresBeforeProgressSayPreparing) {
  ScanWizard scan = wizard();
  scan.beginScan();
  const ScanningFigures figures = scan.scanningFigures();
  EXPECT_EQ(figures.status.rfind("Preparing", 0), 0u) << figures.status;
  EXPECT_EQ(figures.filesScanned, "0");
  EXPECT_TRUE(figures.currentFile.empty());
}

TEST_F(ScanWizardTest, ProgressUpdatesFigures) {
  ScanWizard scan = wizard();
  scan.beginScan();
  scanner::ScanProgressUpdate update;
  update.progress = {1234, 3u << 20};
  update.counts.infected = 2;
  update.counts.notScanned = 5;
  update.currentPath = "/data/users/setup.exe";
  update.elapsed = std::chrono::milliseconds(65'000);
  scan.updateProgress(update);

  const ScanningFigures figures = scan.scanningFigures();
  EXPECT_EQ(figures.status, "Scanning");
  EXPECT_EQ(figures.currentFile, "/data/users/setup.exe");
  EXPECT_EQ(figures.filesScanned, "1234");
  EXPECT_EQ(figures.threatsFound, "2");
  EXPECT_EQ(figures.notScanned, "5");
  EXPECT_EQ(figures.dataRead, "3.0 MiB");
  EXPECT_EQ(figures.elapsed, "1:05");
}

TEST_F(ScanWizardTest, ElapsedShowsHoursFromOneHour) {
  ScanWizard scan = wizard();
  scan.beginScan();
  scanner::ScanProgressUpdate update;
  update.elapsed = std::chrono::milliseconds(3'725'000);
  scan.updateProgress(update);
  EXPECT_EQ(scan.scanningFigures().elapsed, "1:02:05");
}

TEST_F(ScanWizardTest, CancellingChangesStatus) {
  ScanWizard scan = wizard();
  scan.beginScan();
  scan.markCancelling();
  EXPECT_TRUE(scan.cancelling());
  EXPECT_EQ(scan.scanningFigures().status.rfind("Cancelling", 0), 0u);
}

TEST_F(ScanWizardTest, CompletedScanMovesToResults) {
  const ScanWizard scan = scannedWizard(wizard(), conclusionWithThreats());
  EXPECT_EQ(scan.step(), WizardStep::kResults);
  EXPECT_EQ(scan.stepCaption(), "Step 3 of 4: Results");
  EXPECT_EQ(scan.exitCode(), 1);
}

TEST_F(ScanWizardTest, ResultsListOneRowPerInfectedFile) {
  const ScanWizard scan = scannedWizard(wizard(), conclusionWithThreats());
  ASSERT_EQ(scan.threats().size(), 2u);
  EXPECT_EQ(scan.threats()[0].path, "/data/users/eicar.com");
  EXPECT_EQ(scan.threats()[1].path, "/data/shared/a.zip!eicar.com");
  EXPECT_EQ(scan.threats()[1].file, fs::path("/data/shared/a.zip"));
  EXPECT_EQ(scan.threats()[1].threatName, "Eicar-Test-Signature");
  EXPECT_EQ(scan.resultsHeadline(), "Threats found in 2 files.");
}

TEST_F(ScanWizardTest, ArchiveRowTakesDigestOfArchiveItself) {
  const ScanWizard scan = scannedWizard(wizard(), conclusionWithThreats());
  ASSERT_EQ(scan.threats().size(), 2u);
  ASSERT_TRUE(scan.threats()[1].scannedDigest.has_value());
  EXPECT_EQ(*scan.threats()[1].scannedDigest, digestOfByte(7));
}

TEST_F(ScanWizardTest, NewRowsProposeQuarantine) {
  const ScanWizard scan = scannedWizard(wizard(), conclusionWithThreats());
  ASSERT_FALSE(scan.threats().empty());
  EXPECT_EQ(actionText(scan.threats()[0]), "Quarantine (proposed)");
}

TEST_F(ScanWizardTest, CleanScanSaysNoThreats) {
  ScanConclusion clean = conclusionWithThreats();
  clean.report->findings.clear();
  clean.exitCode = 0;
  const ScanWizard scan = scannedWizard(wizard(), clean);
  EXPECT_TRUE(scan.threats().empty());
  EXPECT_EQ(scan.resultsHeadline(), "No threats found.");
}

TEST_F(ScanWizardTest, NotesCountUndecidedObjects) {
  ScanConclusion conclusion = conclusionWithThreats();
  conclusion.report->summary.unresolved = 3;
  conclusion.report->bypassed = 1;
  conclusion.report->summary.notScanned = 2;
  const std::vector<std::string> notes = scannedWizard(wizard(), conclusion).resultsNotes();
  EXPECT_TRUE(contains(notes, "3 objects could not be decided"));
  EXPECT_TRUE(contains(notes, "1 object was bypassed"));
  EXPECT_TRUE(contains(notes, "2 objects could not be scanned"));
}

TEST_F(ScanWizardTest, CancelledScanShowsResultsWithNote) {
  ScanConclusion conclusion = conclusionWithThreats();
  conclusion.report->outcome = ScanOutcome::kCancelled;
  const ScanWizard scan = scannedWizard(wizard(), conclusion);
  EXPECT_EQ(scan.step(), WizardStep::kResults);
  EXPECT_TRUE(contains(scan.resultsNotes(), "cancelled"));
}

TEST_F(ScanWizardTest, ScanWithQuarantineActionMarksRows) {
  ScanConclusion conclusion = conclusionWithThreats();
  conclusion.report->actions.push_back(
      {"/data/users/eicar.com", "/data/users/eicar.com", "Eicar-Test-Signature", "0badf00d", {}});
  const ScanWizard scan = scannedWizard(wizard(), conclusion);
  ASSERT_FALSE(scan.threats().empty());
  EXPECT_EQ(scan.threats()[0].state, ThreatState::kQuarantined);
  EXPECT_EQ(actionText(scan.threats()[0]), "Quarantined as 0badf00d");
}

TEST_F(ScanWizardTest, QuarantineRequestsCarrySelectedRows) {
  const ScanWizard scan = scannedWizard(wizard(), conclusionWithThreats());
  const auto requests = scan.quarantineRequests({1});
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].file, fs::path("/data/shared/a.zip"));
  EXPECT_EQ(requests[0].detectionPath, "/data/shared/a.zip!eicar.com");
  EXPECT_EQ(requests[0].threatName, "Eicar-Test-Signature");
  EXPECT_TRUE(requests[0].scannedDigest.has_value());
}

TEST_F(ScanWizardTest, QuarantineRequestsIgnoreRowsOutOfRange) {
  const ScanWizard scan = scannedWizard(wizard(), conclusionWithThreats());
  EXPECT_TRUE(scan.quarantineRequests({2, 99}).empty());
}

TEST_F(ScanWizardTest, AppliedQuarantineMarksRow) {
  ScanWizard scan = scannedWizard(wizard(), conclusionWithThreats());
  scanner::QuarantineEntry entry;
  entry.id = "9c8d7e6f";
  QuarantineBatch batch{"abcdef01", {}};
  batch.outcomes.push_back({"/data/shared/a.zip", entry});
  scan.applyQuarantine(batch);

  ASSERT_EQ(scan.threats().size(), 2u);
  EXPECT_EQ(scan.threats()[0].state, ThreatState::kFound);
  EXPECT_EQ(scan.threats()[1].state, ThreatState::kQuarantined);
  EXPECT_EQ(actionText(scan.threats()[1]), "Quarantined as 9c8d7e6f");
  EXPECT_EQ(scan.statusLine(), "Quarantined 1 of 1 file. Logged in session abcdef01.");
}

TEST_F(ScanWizardTest, QuarantinedRowIsNotRequestedAgain) {
  ScanWizard scan = scannedWizard(wizard(), conclusionWithThreats());
  scanner::QuarantineEntry entry;
  entry.id = "9c8d7e6f";
  scan.applyQuarantine({"abcdef01", {{"/data/shared/a.zip", entry}}});
  const auto requests = scan.quarantineRequests({0, 1});
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].file, fs::path("/data/users/eicar.com"));
}

TEST_F(ScanWizardTest, FinishCountsQuarantinedFiles) {
  ScanWizard scan = scannedWizard(wizard(), conclusionWithThreats());
  scanner::QuarantineEntry entry;
  entry.id = "9c8d7e6f";
  scan.applyQuarantine({"abcdef01", {{"/data/shared/a.zip", entry}}});
  ASSERT_TRUE(scan.showFinish());
  EXPECT_TRUE(contains(scan.finishLines(), "Files quarantined: 1 of 2"));
}

TEST_F(ScanWizardTest, FinishNamesSessionFolder) {
  ScanWizard scan = scannedWizard(wizard(), conclusionWithThreats());
  ASSERT_TRUE(scan.showFinish());
  EXPECT_EQ(scan.step(), WizardStep::kFinish);
  EXPECT_EQ(scan.finishHeadline(), "The scan is complete.");
  EXPECT_TRUE(contains(scan.finishLines(), "20260101T000000Z-1a2b3c4d"));
  EXPECT_TRUE(contains(scan.finishLines(), "Files scanned: 40"));
}

TEST_F(ScanWizardTest, CancelledScanFinishesWithCancelledHeadline) {
  ScanConclusion conclusion = conclusionWithThreats();
  conclusion.report->outcome = ScanOutcome::kCancelled;
  ScanWizard scan = scannedWizard(wizard(), conclusion);
  ASSERT_TRUE(scan.showFinish());
  EXPECT_EQ(scan.finishHeadline(), "The scan was cancelled.");
}

TEST_F(ScanWizardTest, ScanAgainFromFinishClearsResults) {
  ScanWizard scan = scannedWizard(wizard(), conclusionWithThreats());
  scan.showFinish();
  EXPECT_TRUE(scan.beginScan());
  EXPECT_EQ(scan.step(), WizardStep::kScanning);
  EXPECT_TRUE(scan.threats().empty());
  EXPECT_FALSE(scan.sessionFolder().has_value());
}

TEST_F(ScanWizardTest, HomeRemovalHidesSessionFolder) {
  ScanWizard scan = scannedWizard(wizard(), conclusionWithThreats());
  ASSERT_TRUE(scan.sessionFolder().has_value());
  scan.applyHomeRemoval({home_, Status::success()});
  EXPECT_FALSE(scan.sessionFolder().has_value());
  EXPECT_EQ(scan.statusLine().rfind("Removed /home/HCEXEC", 0), 0u) << scan.statusLine();
}

TEST_F(ScanWizardTest, RemovalWarningSaysEarlierScanDataGoes) {
  const std::string warning = wizard().removalWarning();
  EXPECT_NE(warning.find("/home/HCEXEC"), std::string::npos);
  EXPECT_NE(warning.find("earlier scans"), std::string::npos);
  EXPECT_NE(warning.find("can no longer be restored"), std::string::npos);
}

TEST_F(ScanWizardTest, ExitCodeBeforeScanIsError) { EXPECT_EQ(wizard().exitCode(), 2); }

// ---- error paths ----

TEST_F(ScanWizardTest, BeginScanWithoutTargetsStaysOnWelcome) {
  options_.roots.clear();
  ScanWizard scan = wizard();
  EXPECT_FALSE(scan.beginScan());
  EXPECT_EQ(scan.step(), WizardStep::kWelcome);
  EXPECT_TRUE(contains(scan.targetLines(), "Nothing to scan"));
}

TEST_F(ScanWizardTest, BeginScanDuringScanIsRejected) {
  ScanWizard scan = wizard();
  scan.beginScan();
  EXPECT_FALSE(scan.beginScan());
}

TEST_F(ScanWizardTest, ProgressOutsideScanningIsIgnored) {
  ScanWizard scan = wizard();
  scanner::ScanProgressUpdate update;
  update.progress.files = 5;
  scan.updateProgress(update);
  scan.beginScan();
  EXPECT_EQ(scan.scanningFigures().filesScanned, "0");
}

TEST_F(ScanWizardTest, NotStartedScanGoesToFinishWithReason) {
  const ScanWizard scan =
      scannedWizard(wizard(), notStarted("no Smart Scan Server answers at http://127.0.0.1:9"));
  EXPECT_EQ(scan.step(), WizardStep::kFinish);
  EXPECT_EQ(scan.finishHeadline(), "The scan did not start.");
  ASSERT_FALSE(scan.finishLines().empty());
  EXPECT_EQ(scan.finishLines()[0], "no Smart Scan Server answers at http://127.0.0.1:9");
}

TEST_F(ScanWizardTest, RunWithoutReportShowsLastErrorLine) {
  const ScanWizard scan = scannedWizard(
      wizard(), {2, std::nullopt, "odscan: first\nodscan: cannot create '/x/HCEXEC': denied\n\n"});
  EXPECT_EQ(scan.step(), WizardStep::kFinish);
  ASSERT_FALSE(scan.finishLines().empty());
  EXPECT_EQ(scan.finishLines()[0], "cannot create '/x/HCEXEC': denied");
  EXPECT_FALSE(scan.sessionFolder().has_value());
}

TEST_F(ScanWizardTest, FailedQuarantineShowsError) {
  ScanWizard scan = scannedWizard(wizard(), conclusionWithThreats());
  QuarantineBatch batch{"abcdef01", {}};
  batch.outcomes.push_back(
      {"/data/users/eicar.com", Status(StatusCode::kPermissionDenied, "cannot open: denied")});
  scan.applyQuarantine(batch);

  ASSERT_FALSE(scan.threats().empty());
  EXPECT_EQ(scan.threats()[0].state, ThreatState::kQuarantineFailed);
  EXPECT_EQ(actionText(scan.threats()[0]), "Quarantine failed: cannot open: denied");
  EXPECT_NE(scan.statusLine().find("Quarantined 0 of 1 file."), std::string::npos);
}

TEST_F(ScanWizardTest, FailedHomeRemovalKeepsSessionFolder) {
  ScanWizard scan = scannedWizard(wizard(), conclusionWithThreats());
  scan.applyHomeRemoval({home_, Status(StatusCode::kIoError, "'odscan.exe' remains")});
  EXPECT_TRUE(scan.sessionFolder().has_value());
  EXPECT_EQ(scan.statusLine(), "Could not remove HCEXEC: 'odscan.exe' remains");
}

TEST_F(ScanWizardTest, ShowFinishOutsideResultsIsRejected) {
  ScanWizard scan = wizard();
  EXPECT_FALSE(scan.showFinish());
  EXPECT_EQ(scan.step(), WizardStep::kWelcome);
}

}  // namespace
}  // namespace odscan::gui
