// An administrator's remote scan end to end, with every program real and on
// 127.0.0.1: threat-mitigator, a Smart Scan Server and a tm-agent that enrolls,
// checks in, installs the components through the launcher's code, runs the
// scanner and uploads endpoint data when the scan had problems.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "../console/console_test_support.h"
#include "journey_support.h"
#include "program_run.h"
#include "server_process.h"

namespace odscan {
namespace {

namespace fs = std::filesystem;
using console::testing::AdminSession;
using console::testing::ConsoleProcess;
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

fs::path sourceFile(const std::string& name) {
  return fs::path(ODSCAN_SOURCE_DIR) / "tests" / "integration" / name;
}

class AgentJourneyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kClamExe))
      GTEST_SKIP() << kClamExe << " is missing; run scripts/install-deps.sh";
    plantJourneyTree(tree());

    console_ = std::make_unique<ConsoleProcess>(folder_.path() / "console",
                                                Json{{"agent_check_in_seconds", 1}});
    ASSERT_TRUE(console_->started()) << console_->log();
    ASSERT_EQ(console_->stop(), 0);
    ASSERT_NO_FATAL_FAILURE(buildJourneyPatterns(folder_.path(), console_->privateKey()));
  }

  void TearDown() override {
    if (agent_.running()) agent_.stop();
  }

  fs::path tree() const { return folder_ / "tree"; }
  fs::path home() const { return folder_ / "HCEXEC"; }
  fs::path stateDir() const { return folder_ / "agent-state"; }

  // Publishes the components and settings, sets the support URL (none when
  // empty) and starts the console.
  void startConsole(const std::string& smartScanUrl, const std::string& supportUrl = "") {
    ASSERT_NO_FATAL_FAILURE(publishJourneyComponents(
        *console_, folder_.path(), "scanner-linux", strippedCopy(ODSCAN_TOOL, folder_.path()),
        tree().string(), smartScanUrl,
        Json{{"support_url", supportUrl.empty() ? Json() : Json(supportUrl)}}));
    ASSERT_TRUE(console_->restart()) << console_->log();
    admin_ = std::make_unique<AdminSession>(console_->url());
    ASSERT_EQ(admin_->logon("admin", ConsoleProcess::kAdminPassword).status, 200);
  }

  void startSmartScanServer(ServerProcess& server) {
    ASSERT_TRUE(
        server.start(SMARTSCAN_SERVER,
                     {"--pattern", (folder_ / "patterns" / "smart-scan-pattern.ptn").string(),
                      "--public-key", console_->publicKey().string(), "--listen", "127.0.0.1:0"},
                     folder_ / "smartscan.log"))
        << server.log();
  }

  // Creates a token on the console and enrolls tm-agent with it.
  void enrollAgent() {
    const auto token = admin_->send("POST", "api/v1/agents/enrollment-tokens", "{}");
    ASSERT_EQ(token.status, 201) << token.body;
    const ProgramResult enrolled =
        runProgram({TM_AGENT, "enroll", "--console", console_->url(), "--token",
                    Json::parse(token.body)["token"].get<std::string>(), "--public-key",
                    console_->publicKey().string(), "--state-dir", stateDir().string()},
                   folder_.path());
    ASSERT_EQ(enrolled.exitCode, 0) << enrolled.out << enrolled.err;
  }

  void startAgent() {
    ASSERT_TRUE(agent_.spawn(TM_AGENT,
                             {"run", "--state-dir", stateDir().string(), "--home", home().string(),
                              "--retry-min-ms", "200", "--retry-max-ms", "1000"},
                             folder_ / "agent-output.log"));
  }

  Json endpoint() {
    const Json endpoints = Json::parse(admin_->get("api/v1/endpoints").body)["endpoints"];
    return endpoints.empty() ? Json() : endpoints[0];
  }

  // Waits until the agent shows as connected.
  bool waitForConnectedAgent() {
    for (int i = 0; i < 100; ++i) {
      const Json current = endpoint();
      if (current.is_object() && current["agent"].is_object() && current["agent"]["connected"]) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  // Waits until the command is done or failed and returns it.
  Json waitForCommand(const std::string& id,
                      std::chrono::seconds timeout = std::chrono::seconds(180)) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    Json command;
    while (std::chrono::steady_clock::now() < until) {
      const auto reply = admin_->get("api/v1/command?id=" + id);
      if (reply.status == 200) {
        command = Json::parse(reply.body);
        if (command["state"] == "done" || command["state"] == "failed") return command;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return command;
  }

  std::string launch(int expectedStatus = 202) {
    const auto reply =
        admin_->send("POST", "api/v1/endpoints/launch", Json{{"host", hostName()}}.dump());
    EXPECT_EQ(reply.status, expectedStatus) << reply.body;
    if (reply.status != 202) return Json::parse(reply.body).value("error", "");
    return Json::parse(reply.body)["command"];
  }

  std::string hostName() { return endpoint().value("host", ""); }

  std::string diagnostics() {
    return "\nagent output:\n" + readText(folder_ / "agent-output.log") + "\nconsole log:\n" +
           console_->log();
  }

  TempFolder folder_;
  std::unique_ptr<ConsoleProcess> console_;
  std::unique_ptr<AdminSession> admin_;
  ServerProcess agent_;
};

TEST_F(AgentJourneyTest, RemoteScanRunsAndUpdatesThePosture) {
  ServerProcess smartScan;
  ASSERT_NO_FATAL_FAILURE(startSmartScanServer(smartScan));
  ASSERT_NO_FATAL_FAILURE(startConsole(smartScan.url()));
  ASSERT_NO_FATAL_FAILURE(enrollAgent());
  EXPECT_EQ(endpoint()["posture"], "never_scanned");
  ASSERT_NO_FATAL_FAILURE(startAgent());
  ASSERT_TRUE(waitForConnectedAgent()) << diagnostics();

  const std::string command = launch();
  // A second launch while the first one has not finished is refused.
  EXPECT_NE(launch(409).find("still"), std::string::npos);
  const Json finished = waitForCommand(command);
  ASSERT_EQ(finished["state"], "done") << finished.dump(2) << diagnostics();
  EXPECT_EQ(finished["exit_code"], 1);
  EXPECT_FALSE(finished["scan_session"].get<std::string>().empty());
  EXPECT_TRUE(fs::exists(home() / "components" / "odscan"));

  const Json updated = endpoint();
  EXPECT_EQ(updated["posture"], "threats_remain") << updated.dump(2);
  EXPECT_FALSE(updated["endpoint_data_collected"]);
  const Json detections = Json::parse(admin_->get("api/v1/events?type=detection").body)["events"];
  EXPECT_EQ(detections.size(), 2u) << detections.dump(2);
  // The next launch is accepted once the first one is done.
  EXPECT_EQ(waitForCommand(launch())["state"], "done") << diagnostics();
}

TEST_F(AgentJourneyTest, FailedScanBecomesEndpointDataAndACase) {
  // This server passes the health check, then returns 503 to every scan query, so
  // clam.exe is bypassed.
  ServerProcess lostServer;
  ASSERT_TRUE(lostServer.start("/usr/bin/python3",
                               {sourceFile("failing_smart_scan_server.py").string()},
                               folder_ / "lost-server.log"));
  ServerProcess support;
  fs::create_directories(folder_ / "support");
  ASSERT_TRUE(support.start(
      "/usr/bin/python3",
      {sourceFile("support_collector.py").string(), "--output", (folder_ / "support").string()},
      folder_ / "support.log"));
  ASSERT_NO_FATAL_FAILURE(startConsole(lostServer.url(), support.url() + "/cases"));
  ASSERT_NO_FATAL_FAILURE(enrollAgent());
  ASSERT_NO_FATAL_FAILURE(startAgent());
  ASSERT_TRUE(waitForConnectedAgent()) << diagnostics();

  const Json finished = waitForCommand(launch());
  ASSERT_EQ(finished["state"], "done") << finished.dump(2) << diagnostics();
  EXPECT_NE(finished["reason"].get<std::string>().find("bypassed"), std::string::npos)
      << finished.dump(2);
  bool collected = false;
  for (int i = 0; i < 100 && !collected; ++i) {
    collected = endpoint()["endpoint_data_collected"].get<bool>();
    if (!collected) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(collected) << diagnostics();
  EXPECT_EQ(endpoint()["posture"], "threats_remain");
  EXPECT_TRUE(endpoint()["has_problems"]);
  const Json problems = Json::parse(admin_->get("api/v1/events?type=problem").body)["events"];
  bool announced = false;
  for (const Json& event : problems) announced |= event["event"] == "endpoint_data_collected";
  EXPECT_TRUE(announced) << problems.dump(2);

  const auto submitted = admin_->send("POST", "api/v1/cases", Json{{"host", hostName()}}.dump());
  ASSERT_EQ(submitted.status, 201) << submitted.body << diagnostics();
  const Json caseInfo = Json::parse(submitted.body);
  EXPECT_EQ(caseInfo["submit_result"], "accepted (HTTP 201)");
  const auto download = admin_->get(caseInfo["download"].get<std::string>());
  ASSERT_EQ(download.status, 200);
  const fs::path bundle = folder_ / "case.zip";
  writeText(bundle, download.body);
  EXPECT_EQ(readText(folder_ / "support" / (caseInfo["case"].get<std::string>() + ".zip")),
            download.body);
  const ProgramResult listing =
      runProgram({"/usr/bin/python3", "-c",
                  "import sys, zipfile\n"
                  "outer = zipfile.ZipFile(sys.argv[1])\n"
                  "for name in outer.namelist():\n"
                  "    print(name)\n"
                  "    if name.startswith('endpoint-data/') and name.endswith('.zip'):\n"
                  "        inner = zipfile.ZipFile(outer.open(name))\n"
                  "        for member in inner.namelist(): print('  ' + member)\n",
                  bundle.string()},
                 folder_.path());
  ASSERT_EQ(listing.exitCode, 0) << listing.err;
  for (const char* member : {"case.json", "events.jsonl", "audit.jsonl", "endpoint-data/",
                             "report.json", "scan.log", "  summary.json", "  processes.txt",
                             "  network.json", "  components/files.json", "  agent.log"}) {
    EXPECT_NE(listing.out.find(member), std::string::npos) << member << "\n" << listing.out;
  }
  // The case covers the data, so the endpoint is no longer flagged.
  EXPECT_FALSE(endpoint()["endpoint_data_collected"]);
}

TEST_F(AgentJourneyTest, ConsoleRestartLosesNoCommand) {
  ServerProcess smartScan;
  ASSERT_NO_FATAL_FAILURE(startSmartScanServer(smartScan));
  ASSERT_NO_FATAL_FAILURE(startConsole(smartScan.url()));
  ASSERT_NO_FATAL_FAILURE(enrollAgent());
  ASSERT_NO_FATAL_FAILURE(startAgent());
  ASSERT_TRUE(waitForConnectedAgent()) << diagnostics();

  const std::string command = launch();
  const int port = console_->port();
  ASSERT_EQ(console_->stop(), 0);
  // The agent's check-ins fail while the console is away, and back off.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  ASSERT_TRUE(console_->restart(port)) << console_->log();
  admin_ = std::make_unique<AdminSession>(console_->url());
  ASSERT_EQ(admin_->logon("admin", ConsoleProcess::kAdminPassword).status, 200);

  const Json finished = waitForCommand(command);
  ASSERT_EQ(finished["state"], "done") << finished.dump(2) << diagnostics();
  EXPECT_EQ(endpoint()["sessions"], 1) << "the command must run exactly once";
  EXPECT_TRUE(agent_.running());
}

}  // namespace
}  // namespace odscan
