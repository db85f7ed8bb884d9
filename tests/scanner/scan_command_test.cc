#include "odscan/scanner/scan_command.h"

#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "odscan/scanner/home_folder.h"
#include "odscan/scanner/result_reporter.h"
#include "test_support.h"

namespace odscan::scanner {
namespace {

namespace fs = std::filesystem;
using testing::readFile;
using testing::readLines;
using testing::TempFolder;
using testing::writeFile;

class ScanCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pattern_ = testing::writeTestPattern(temp_ / "publisher");
    writeFile(tree() / "clean.txt", "nothing to see here\n");
    writeFile(tree() / "sub" / "notes.md", "# notes\n");
    options_.home = temp_ / "HCEXEC";
    options_.patternPath = pattern_.pattern;
    options_.publicKeyPath = pattern_.publicKey;
    options_.roots = {tree()};
    options_.engine.threads = 2;
  }

  fs::path tree() const { return temp_ / "tree"; }

  int run() {
    CommandIo io{out_, err_, false, interrupt_};
    return runScanCommand(options_, io);
  }

  // The only session folder, or an empty path when there is not exactly one.
  fs::path sessionFolder() const {
    std::vector<fs::path> sessions;
    for (const auto& item : fs::directory_iterator(temp_ / "HCEXEC" / "sessions")) {
      sessions.push_back(item.path());
    }
    return sessions.size() == 1 ? sessions[0] : fs::path();
  }

  std::vector<std::string> eventNames() const {
    std::vector<std::string> names;
    for (const auto& line : readLines(sessionFolder() / "events.jsonl")) {
      names.push_back(nlohmann::json::parse(line)["event"].get<std::string>());
    }
    return names;
  }

  bool hasEvent(const std::string& name) const {
    const auto names = eventNames();
    return std::find(names.begin(), names.end(), name) != names.end();
  }

  nlohmann::json sessionReport() const {
    return nlohmann::json::parse(readFile(sessionFolder() / "report.json"));
  }

  TempFolder temp_;
  testing::TestPattern pattern_;
  ScanCommandOptions options_;
  std::ostringstream out_;
  std::ostringstream err_;
  const std::atomic<bool>* interrupt_ = nullptr;
};

TEST_F(ScanCommandTest, CleanTreeExitsZero) {
  EXPECT_EQ(run(), 0) << err_.str();
  EXPECT_TRUE(err_.str().empty()) << err_.str();
}

TEST_F(ScanCommandTest, SummaryNamesCountsPatternAndSession) {
  ASSERT_EQ(run(), 0);
  const std::string out = out_.str();
  EXPECT_NE(out.find("Infected files: 0"), std::string::npos) << out;
  EXPECT_NE(out.find("Infected objects: 0"), std::string::npos) << out;
  EXPECT_NE(out.find("Files examined: 2"), std::string::npos) << out;
  EXPECT_NE(out.find("Files scanned: 2"), std::string::npos) << out;
  EXPECT_NE(out.find("Pattern version: 2026120401"), std::string::npos) << out;
  EXPECT_NE(out.find("Session folder: " + sessionFolder().string()), std::string::npos) << out;
}

TEST_F(ScanCommandTest, SummarySeparatesFilesSkippedByQuickProfile) {
  writeFile(tree() / "run.sh", "#!/bin/sh\necho hello\n");
  options_.engine.profile = ScanProfile::kQuick;
  ASSERT_EQ(run(), 0) << err_.str();
  const std::string out = out_.str();
  EXPECT_NE(out.find("Files examined: 3"), std::string::npos) << out;
  EXPECT_NE(out.find("Files scanned: 1"), std::string::npos) << out;
  EXPECT_NE(out.find("Skipped by the quick profile: 2"), std::string::npos) << out;
  EXPECT_EQ(sessionReport()["counts"]["files_scanned"], 1u);
}

TEST_F(ScanCommandTest, SummaryCountsInfectedFilesAndObjects) {
  writeFile(tree() / "eicar.com", testing::eicarText());
  writeFile(tree() / "sub" / "threat.txt", testing::testThreatText());
  ASSERT_EQ(run(), 1);
  const std::string out = out_.str();
  EXPECT_NE(out.find("Infected files: 2"), std::string::npos) << out;
  EXPECT_NE(out.find("Infected objects: 2"), std::string::npos) << out;
  EXPECT_EQ(sessionReport()["counts"]["infected_files"], 2u);
}

// POSIX only: MinGW's std::filesystem cannot create symbolic links (ENOSYS).
#ifndef _WIN32
TEST_F(ScanCommandTest, SymbolicLinksAreCountedNotListed) {
  const std::uint64_t links = kMaxLoggedEventsPerKind + 5;
  for (std::uint64_t i = 0; i < links; ++i) {
    fs::create_symlink(tree() / "clean.txt", tree() / ("link" + std::to_string(i)));
  }
  ASSERT_EQ(run(), 0) << err_.str();

  EXPECT_NE(out_.str().find("Symbolic links not followed: " + std::to_string(links)),
            std::string::npos)
      << out_.str();
  const auto report = sessionReport();
  EXPECT_EQ(report["counts"]["symlinks_skipped"], links);
  EXPECT_EQ(report["problems"].size(), kMaxLoggedEventsPerKind);
  const auto lines = readLines(sessionFolder() / "events.jsonl");
  const auto finish = nlohmann::json::parse(lines.back());
  EXPECT_EQ(finish["counts"]["symlinks_skipped"], links);
}
#endif

TEST_F(ScanCommandTest, RelativePatternPathIsLoggedAbsolute) {
  const fs::path previous = fs::current_path();
  fs::current_path(temp_.path());
  options_.patternPath = fs::relative(pattern_.pattern, temp_.path());
  const int exitCode = run();
  fs::current_path(previous);

  ASSERT_EQ(exitCode, 0) << err_.str();
  const std::string log = readFile(sessionFolder() / "scan.log");
  EXPECT_NE(log.find("from '" + pattern_.pattern.string() + "'"), std::string::npos) << log;
  EXPECT_EQ(sessionReport()["options"]["pattern"], pattern_.pattern.string());
}

// POSIX only: mode bits and the umask. home_folder_windows_test.cc checks the
// owner-only access list of HCEXEC and the warning for an open one on Windows.
#ifndef _WIN32
TEST_F(ScanCommandTest, HcexecFilesArePrivateAndJsonFollowsUmask) {
  testing::ScopedUmask umask(0);
  options_.jsonPath = temp_ / "report.json";
  ASSERT_EQ(run(), 0) << err_.str();
  EXPECT_EQ(testing::modeOf(sessionFolder()), 0700u);
  EXPECT_EQ(testing::modeOf(sessionFolder() / "report.json"), 0600u);
  EXPECT_EQ(testing::modeOf(sessionFolder() / "scan.log"), 0600u);
  EXPECT_EQ(testing::modeOf(temp_ / "report.json"), 0644u);
}

TEST_F(ScanCommandTest, OpenHomeIsRestrictedWithWarning) {
  fs::create_directories(temp_ / "HCEXEC");
  fs::permissions(temp_ / "HCEXEC", fs::perms(0755));
  ASSERT_EQ(run(), 0) << err_.str();
  EXPECT_EQ(testing::modeOf(temp_ / "HCEXEC"), 0700u);
  EXPECT_NE(err_.str().find("other users had access to '" + (temp_ / "HCEXEC").string() + "'"),
            std::string::npos)
      << err_.str();
  EXPECT_TRUE(hasEvent("permissions_restricted"));
}
#endif

TEST_F(ScanCommandTest, NoSummaryPrintsNothingForCleanTree) {
  options_.noSummary = true;
  ASSERT_EQ(run(), 0);
  EXPECT_EQ(out_.str(), "");
}

TEST_F(ScanCommandTest, ThreatExitsOneAndIsPrinted) {
  writeFile(tree() / "eicar.com", testing::eicarText());
  EXPECT_EQ(run(), 1);
  EXPECT_NE(out_.str().find((tree() / "eicar.com").string() + ": Eicar-Test-Signature FOUND"),
            std::string::npos)
      << out_.str();
}

TEST_F(ScanCommandTest, ThreatInReportAndEvents) {
  writeFile(tree() / "threat.txt", testing::testThreatText());
  ASSERT_EQ(run(), 1);
  const auto report = sessionReport();
  ASSERT_EQ(report["results"].size(), 1u);
  EXPECT_EQ(report["results"][0]["threat"], testing::kTestThreatName);
  EXPECT_EQ(report["counts"]["infected"], 1u);
  EXPECT_EQ(report["exit_code"], 1);
  EXPECT_TRUE(hasEvent("result"));
}

TEST_F(ScanCommandTest, JsonFileIsTheSessionReport) {
  writeFile(tree() / "eicar.com", testing::eicarText());
  options_.jsonPath = temp_ / "report.json";
  ASSERT_EQ(run(), 1);
  EXPECT_EQ(readFile(temp_ / "report.json"), readFile(sessionFolder() / "report.json"));
}

TEST_F(ScanCommandTest, SessionEventsStartAndFinish) {
  ASSERT_EQ(run(), 0);
  const auto names = eventNames();
  ASSERT_GE(names.size(), 4u);
  EXPECT_EQ(names.front(), "session_start");
  EXPECT_EQ(names[1], "pattern_loaded");
  EXPECT_EQ(names[2], "scan_start");
  EXPECT_EQ(names.back(), "session_finish");
}

TEST_F(ScanCommandTest, DefaultPatternComesFromComponents) {
  const HomeFolder home(temp_ / "HCEXEC");
  fs::create_directories(home.components());
  fs::copy_file(pattern_.pattern, home.defaultPatternPath());
  fs::copy_file(pattern_.publicKey, home.defaultPublicKeyPath());
  options_.patternPath.reset();
  options_.publicKeyPath.reset();
  writeFile(tree() / "eicar.com", testing::eicarText());
  EXPECT_EQ(run(), 1) << err_.str();
}

TEST_F(ScanCommandTest, QuarantineMovesInfectedFileOnly) {
  writeFile(tree() / "eicar.com", testing::eicarText());
  options_.action = ScanAction::kQuarantine;
  ASSERT_EQ(run(), 1) << err_.str();

  EXPECT_FALSE(fs::exists(tree() / "eicar.com"));
  EXPECT_TRUE(fs::exists(tree() / "clean.txt"));
  EXPECT_NE(out_.str().find("moved to quarantine as"), std::string::npos) << out_.str();
  EXPECT_FALSE(fs::is_empty(temp_ / "HCEXEC" / "quarantine"));
  EXPECT_TRUE(hasEvent("quarantined"));
  const auto report = sessionReport();
  ASSERT_EQ(report["actions"].size(), 1u);
  EXPECT_EQ(report["actions"][0]["action"], "quarantined");
}

TEST_F(ScanCommandTest, ReportActionLeavesInfectedFile) {
  writeFile(tree() / "eicar.com", testing::eicarText());
  ASSERT_EQ(run(), 1);
  EXPECT_TRUE(fs::exists(tree() / "eicar.com"));
  EXPECT_TRUE(fs::is_empty(temp_ / "HCEXEC" / "quarantine"));
}

// Error paths

TEST_F(ScanCommandTest, MissingRootExitsTwo) {
  options_.roots = {temp_ / "missing"};
  EXPECT_EQ(run(), 2);
  EXPECT_EQ(sessionReport()["counts"]["not_scanned"], 1u);
}

TEST_F(ScanCommandTest, MissingPatternStopsBeforeScan) {
  options_.patternPath = temp_ / "missing.ptn";
  EXPECT_EQ(run(), 2);
  const std::string err = err_.str();
  EXPECT_NE(err.find((temp_ / "missing.ptn").string()), std::string::npos) << err;
  EXPECT_NE(err.find("Check the file given with --pattern"), std::string::npos) << err;
  EXPECT_EQ(err.find("or pass --pattern"), std::string::npos) << err;
  EXPECT_EQ(err.find("launcher"), std::string::npos) << err;
  EXPECT_EQ(out_.str(), "");
  EXPECT_TRUE(hasEvent("pattern_error"));
  EXPECT_FALSE(hasEvent("scan_start"));
  EXPECT_EQ(sessionReport()["outcome"], "not_started");
}

TEST_F(ScanCommandTest, MissingDefaultPatternNamesInstallCommand) {
  const HomeFolder home(temp_ / "HCEXEC");
  ASSERT_TRUE(home.createLayout().ok());
  fs::copy_file(pattern_.publicKey, home.defaultPublicKeyPath());
  options_.patternPath.reset();
  options_.publicKeyPath.reset();
  EXPECT_EQ(run(), 2);
  const std::string err = err_.str();
  EXPECT_NE(err.find(home.defaultPatternPath().string()), std::string::npos) << err;
  EXPECT_NE(err.find("odscan components install"), std::string::npos) << err;
  EXPECT_NE(err.find("or pass --pattern FILE"), std::string::npos) << err;
  EXPECT_EQ(err.find("launcher"), std::string::npos) << err;
}

TEST_F(ScanCommandTest, TamperedPatternStopsBeforeScan) {
  std::string bytes = readFile(pattern_.pattern);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x40);
  writeFile(pattern_.pattern, bytes);
  writeFile(tree() / "eicar.com", testing::eicarText());
  EXPECT_EQ(run(), 2);
  EXPECT_TRUE(hasEvent("pattern_error"));
  EXPECT_EQ(out_.str().find("FOUND"), std::string::npos);
}

TEST_F(ScanCommandTest, PatternSignedByOtherKeyStopsBeforeScan) {
  const testing::TestPattern other = testing::writeTestPattern(temp_ / "other-publisher");
  options_.publicKeyPath = other.publicKey;
  EXPECT_EQ(run(), 2);
  EXPECT_TRUE(hasEvent("pattern_error"));
  EXPECT_FALSE(hasEvent("scan_start"));
}

TEST_F(ScanCommandTest, MissingPublicKeyStopsBeforeScan) {
  options_.publicKeyPath = temp_ / "missing.pub";
  EXPECT_EQ(run(), 2);
  EXPECT_NE(err_.str().find("public key"), std::string::npos) << err_.str();
  EXPECT_TRUE(hasEvent("pattern_error"));
}

TEST_F(ScanCommandTest, TooLittleDiskSpaceStopsBeforeScan) {
  options_.minFreeSpace = std::numeric_limits<std::uint64_t>::max();
  writeFile(tree() / "eicar.com", testing::eicarText());
  EXPECT_EQ(run(), 2);
  const std::string err = err_.str();
  EXPECT_NE(err.find("not enough free disk space"), std::string::npos) << err;
  EXPECT_NE(err.find("delete the HCEXEC folder '" + (temp_ / "HCEXEC").string() + "'"),
            std::string::npos)
      << err;
  EXPECT_TRUE(hasEvent("disk_space_error"));
  EXPECT_FALSE(hasEvent("pattern_loaded"));
  EXPECT_EQ(out_.str(), "");
}

TEST_F(ScanCommandTest, UnusableHomeExitsTwo) {
  writeFile(temp_ / "HCEXEC", "a file, not a folder");
  EXPECT_EQ(run(), 2);
  EXPECT_NE(err_.str().find("HCEXEC"), std::string::npos) << err_.str();
}

TEST_F(ScanCommandTest, UnwritableJsonFileStopsBeforeScan) {
  writeFile(tree() / "eicar.com", testing::eicarText());
  options_.jsonPath = temp_ / "missing-folder" / "report.json";
  EXPECT_EQ(run(), 2);
  EXPECT_NE(err_.str().find("'" + (temp_ / "missing-folder").string() + "' does not exist"),
            std::string::npos)
      << err_.str();
  EXPECT_EQ(out_.str(), "");
  EXPECT_TRUE(hasEvent("json_report_error"));
  EXPECT_FALSE(hasEvent("scan_start"));
  const auto report = sessionReport();
  EXPECT_EQ(report["outcome"], "not_started");
  EXPECT_EQ(report["errors"].size(), 1u);
}

TEST_F(ScanCommandTest, InterruptCancelsScanWithExitTwo) {
  std::atomic<bool> interrupt{false};
  interrupt_ = &interrupt;
  options_.engine.threads = 1;
  // Holding the first file long enough for the monitor to see the interrupt.
  options_.engine.hooks.beforeOpen = [&interrupt](const std::string&) {
    interrupt = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
  };
  EXPECT_EQ(run(), 2);
  EXPECT_EQ(sessionReport()["outcome"], "cancelled");
  EXPECT_NE(err_.str().find("cancelled"), std::string::npos);
}

}  // namespace
}  // namespace odscan::scanner
