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
#include "program_run.h"
#include "server_process.h"

namespace odscan {
namespace {

namespace fs = std::filesystem;
using console::testing::AdminSession;
using console::testing::ConsoleProcess;
using console::testing::HttpClient;
using console::testing::TempFolder;
using odscan::testing::ProgramResult;
using odscan::testing::readText;
using odscan::testing::runProgram;
using odscan::testing::ServerProcess;
using odscan::testing::writeText;
using Json = nlohmann::json;

const fs::path kClamExe = "/usr/share/clamav-testfiles/clam.exe";

// EICAR, assembled from reversed halves so no file in the repository contains it.
std::string eicar() {
  std::string first = "$}7)CC7)^P(45XZP\\4[PA@%P!O5X";
  std::string second = "*H+H$!ELIF-TSET-SURIVITNA-DRADNATS-RACIE";
  return std::string(first.rbegin(), first.rend()) + std::string(second.rbegin(), second.rend());
}

class ConsoleJourneyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kClamExe))
      GTEST_SKIP() << kClamExe << " is missing; run scripts/install-deps.sh";
    ASSERT_NO_FATAL_FAILURE(buildPatterns());
    fs::create_directories(tree() / "tools");
    writeText(tree() / "Downloads" / "setup.exe", eicar());
    writeText(tree() / "documents" / "notes.txt", "meeting notes\n");
    // Only the Smart Scan Pattern knows clam.exe, so its verdict needs a scan query.
    fs::copy_file(kClamExe, tree() / "tools" / "clam.exe", fs::copy_options::overwrite_existing);
  }

  fs::path tree() const { return folder_ / "tree"; }
  fs::path home() const { return folder_ / "HCEXEC"; }

  // The console's own publisher key signs the patterns, so the launcher's key
  // verifies both the manifest and the agent pattern.
  void buildPatterns() {
    console_ = std::make_unique<ConsoleProcess>(folder_.path() / "console");
    ASSERT_TRUE(console_->started()) << console_->log();
    ASSERT_EQ(console_->stop(), 0);
    writeText(folder_ / "eicar.hdb", "44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature\n");
    writeText(folder_ / "full.hdb",
              "44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature\n"
              "aa15bcf478d165efd2065190eb473bcb:544:Clamav.Test.File-6\n");
    ProgramResult build =
        runProgram({ODSCAN_PATTERN_TOOL, "build", "--key", console_->privateKey().string(),
                    "--output-dir", (folder_ / "patterns").string(), "--agent-exact",
                    (folder_ / "eicar.hdb").string(), (folder_ / "full.hdb").string()},
                   folder_.path());
    ASSERT_EQ(build.exitCode, 0) << build.err;
  }

  // Returns a copy of `program` without debug information: the sanitizer
  // builds are over 100 MB, which would make every download slow.
  fs::path strippedCopy(const fs::path& program) {
    const fs::path copy = folder_ / "programs" / program.filename();
    fs::create_directories(copy.parent_path());
    const ProgramResult stripped =
        runProgram({"objcopy", "--strip-debug", program.string(), copy.string()}, folder_.path());
    EXPECT_EQ(stripped.exitCode, 0) << stripped.err;
    return copy;
  }

  // Publishes the components and settings with the console's commands, then
  // starts it with the Linux launcher to hand out.
  void startConsole(const std::string& smartScanUrl) {
    const std::string config = (console_->folder() / "console.json").string();
    for (const auto& [component, file] :
         {std::pair<std::string, std::string>{
              "agent-pattern", (folder_ / "patterns" / "agent-pattern.ptn").string()},
          {"scanner-linux", strippedCopy(ODSCAN_TOOL).string()}}) {
      ProgramResult published = runProgram(
          {THREAT_MITIGATOR, "publish", "--config", config, "--component", component, file},
          folder_.path());
      ASSERT_EQ(published.exitCode, 0) << published.err;
    }
    const Json onDemand = {{"targets", {tree().string()}}, {"action", "report"}};
    const Json smartScan = {{"smart_scan_server_url", smartScanUrl},
                            {"allow_global_server", false}};
    for (const auto& [group, json] :
         {std::pair<std::string, Json>{"ondemand", onDemand}, {"smartscan", smartScan}}) {
      ProgramResult saved = runProgram({THREAT_MITIGATOR, "settings", "--config", config, "--group",
                                        group, "--json", json.dump()},
                                       folder_.path());
      ASSERT_EQ(saved.exitCode, 0) << saved.err;
    }
    Json consoleConfig = Json::parse(readText(config));
    consoleConfig["launcher_linux"] = strippedCopy(ODSCAN_LAUNCHER).string();
    writeText(config, consoleConfig.dump(2));
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
