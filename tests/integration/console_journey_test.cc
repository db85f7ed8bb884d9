// A guest's journey end to end, with every program real and on 127.0.0.1:
// threat-mitigator hands out the launcher and the components, the launcher
// installs them into HCEXEC and starts the scanner, the scanner queries a Smart
// Scan Server and uploads its session, and the console shows the session, its
// detections and its bypassed files.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <set>

#include "../console/console_test_support.h"
#include "journey_support.h"
#include "program_run.h"
#include "server_process.h"

namespace odscan {
namespace {

namespace fs = std::filesystem;
using console::testing::AdminSession;
using console::testing::ConsoleProcess;
using console::testing::HttpClient;
using console::testing::TempFolder;
using odscan::testing::buildJourneyPatterns;
using odscan::testing::kClamExe;
using odscan::testing::plantJourneyTree;
using odscan::testing::ProgramResult;
using odscan::testing::publishJourneyComponents;
using odscan::testing::readText;
using odscan::testing::runProgram;
using odscan::testing::ServerProcess;
using odscan::testing::strippedCopy;
using odscan::testing::writeText;
using Json = nlohmann::json;

class ConsoleJourneyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kClamExe))
      GTEST_SKIP() << kClamExe << " is missing; run scripts/install-deps.sh";
    ASSERT_NO_FATAL_FAILURE(buildPatterns());
    plantJourneyTree(tree());
  }

  fs::path tree() const { return folder_ / "tree"; }
  fs::path home() const { return folder_ / "HCEXEC"; }

  // The console's own publisher key signs the patterns, so the launcher's key
  // verifies both the manifest and the agent pattern.
  void buildPatterns() {
    console_ = std::make_unique<ConsoleProcess>(folder_.path() / "console");
    ASSERT_TRUE(console_->started()) << console_->log();
    ASSERT_EQ(console_->stop(), 0);
    ASSERT_NO_FATAL_FAILURE(buildJourneyPatterns(folder_.path(), console_->privateKey()));
  }

  // Publishes the components and settings with the console's commands, then
  // starts it with the Linux launcher to hand out.
  void startConsole(const std::string& smartScanUrl) {
    ASSERT_NO_FATAL_FAILURE(publishJourneyComponents(
        *console_, folder_.path(), "scanner-linux", strippedCopy(ODSCAN_TOOL, folder_.path()),
        tree().string(), smartScanUrl,
        Json{{"launcher_linux", strippedCopy(ODSCAN_LAUNCHER, folder_.path()).string()}}));
    ASSERT_TRUE(console_->restart()) << console_->log();
  }

  // Downloads the launcher from the On-demand Scan link, as a guest's browser does.
  fs::path downloadLauncher() {
    HttpClient client;
    http::testing::HttpCall call;
    call.url = console_->url() + "ondemand/OnDemandScan";
    call.timeout = std::chrono::seconds(60);
    const auto reply = client.send(call);
    EXPECT_EQ(reply.status, 200) << reply.body;
    const fs::path launcher = folder_ / "Downloads" / "OnDemandScan";
    writeText(launcher, reply.body);
    ::chmod(launcher.c_str(), 0700);
    return launcher;
  }

  ProgramResult runLauncher(const fs::path& launcher, std::vector<std::string> scannerArgs = {}) {
    std::vector<std::string> command = {launcher.string(), "--home", home().string()};
    if (!scannerArgs.empty()) {
      command.push_back("--");
      command.insert(command.end(), scannerArgs.begin(), scannerArgs.end());
    }
    return runProgram(command, folder_.path());
  }

  Json eventsOf(AdminSession& admin, const std::string& query) {
    const auto reply = admin.get("api/v1/events?" + query);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return Json::parse(reply.body)["events"];
  }

  TempFolder folder_;
  std::unique_ptr<ConsoleProcess> console_;
};

TEST_F(ConsoleJourneyTest, GuestScanReachesTheConsole) {
  ServerProcess smartScan;
  ASSERT_TRUE(
      smartScan.start(SMARTSCAN_SERVER,
                      {"--pattern", (folder_ / "patterns" / "smart-scan-pattern.ptn").string(),
                       "--public-key", console_->publicKey().string(), "--listen", "127.0.0.1:0"},
                      folder_ / "smartscan.log"))
      << smartScan.log();
  ASSERT_NO_FATAL_FAILURE(startConsole(smartScan.url()));

  const fs::path launcher = downloadLauncher();
  const ProgramResult run = runLauncher(launcher);
  EXPECT_EQ(run.exitCode, 1) << run.out << run.err;
  EXPECT_TRUE(fs::exists(home() / "components" / "odscan"));
  EXPECT_TRUE(fs::exists(home() / "components" / "agent-pattern.ptn"));
  EXPECT_TRUE(fs::exists(home() / "components" / "ondemand-settings.json"));

  AdminSession admin(console_->url());
  ASSERT_EQ(admin.logon("admin", ConsoleProcess::kAdminPassword).status, 200);
  const Json detections = eventsOf(admin, "type=detection");
  ASSERT_EQ(detections.size(), 2u) << detections.dump(2) << "\nconsole log:\n" << console_->log();
  std::set<std::string> threats;
  for (const Json& event : detections) threats.insert(event["threat"]);
  EXPECT_EQ(threats, (std::set<std::string>{"Eicar-Test-Signature", "Clamav.Test.File-6"}));
  const Json endpoints = Json::parse(admin.get("api/v1/endpoints").body)["endpoints"];
  ASSERT_EQ(endpoints.size(), 1u);
  EXPECT_EQ(endpoints[0]["posture"], "threats_remain");
  EXPECT_TRUE(endpoints[0]["last_session"]["reported"]);

  // The second run downloads nothing: every component is up to date.
  const ProgramResult again = runLauncher(launcher);
  EXPECT_EQ(again.exitCode, 1) << again.out << again.err;
  EXPECT_EQ(again.out.find("downloading"), std::string::npos) << again.out;
}

TEST_F(ConsoleJourneyTest, BypassedFilesShowInTheEventLogs) {
  // This server passes the health check, then answers no scan query.
  ServerProcess lostServer;
  ASSERT_TRUE(lostServer.start(
      "/usr/bin/python3",
      {(fs::path(ODSCAN_SOURCE_DIR) / "tests" / "integration" / "failing_smart_scan_server.py")
           .string()},
      folder_ / "lost-server.log"))
      << lostServer.log();
  ASSERT_NO_FATAL_FAILURE(startConsole(lostServer.url()));

  const ProgramResult run = runLauncher(downloadLauncher(), {"--requery-wait", "0"});
  // EICAR is still found by the local pattern, and a threat decides the exit code.
  EXPECT_EQ(run.exitCode, 1) << run.out << run.err;
  EXPECT_NE(run.out.find("clam.exe: bypassed"), std::string::npos) << run.out;

  AdminSession admin(console_->url());
  ASSERT_EQ(admin.logon("admin", ConsoleProcess::kAdminPassword).status, 200);
  const Json bypassed = eventsOf(admin, "type=bypass");
  EXPECT_FALSE(bypassed.empty()) << "console log:\n" << console_->log();
  const Json endpoints = Json::parse(admin.get("api/v1/endpoints?problems=1").body)["endpoints"];
  ASSERT_EQ(endpoints.size(), 1u);
}

TEST_F(ConsoleJourneyTest, TamperedComponentIsNeverRun) {
  ServerProcess smartScan;
  ASSERT_TRUE(
      smartScan.start(SMARTSCAN_SERVER,
                      {"--pattern", (folder_ / "patterns" / "smart-scan-pattern.ptn").string(),
                       "--public-key", console_->publicKey().string(), "--listen", "127.0.0.1:0"},
                      folder_ / "smartscan.log"));
  ASSERT_NO_FATAL_FAILURE(startConsole(smartScan.url()));
  // Someone changes the scanner in the store after it was signed.
  for (const auto& entry : fs::directory_iterator(console_->folder() / "data" / "components")) {
    if (entry.path().filename().string().rfind("scanner-linux-", 0) == 0) {
      writeText(entry.path(), "#!/bin/sh\necho tampered > " + (folder_ / "ran").string() + "\n");
    }
  }
  const ProgramResult run = runLauncher(downloadLauncher());
  EXPECT_EQ(run.exitCode, 2) << run.out << run.err;
  EXPECT_NE(run.err.find("scanner-linux"), std::string::npos) << run.err;
  EXPECT_FALSE(fs::exists(folder_ / "ran"));
  EXPECT_FALSE(fs::exists(home() / "components" / "odscan"));
}

}  // namespace
}  // namespace odscan
