// A guest's journey with the Windows programs under wine: OnDemandScan.exe is
// downloaded from a Linux threat-mitigator on 127.0.0.1, installs odscan.exe and
// the other components into HCEXEC on wine's C: drive, and starts the scanner,
// which queries a Linux smartscan-server and uploads its session to the console.
//
// A second journey runs the Threat Management Agent: tm-agent.exe enrolls with
// the console under wine, and a scan launched through the console's API runs
// odscan.exe silently and reaches the console.
//
// OnDemandScan.exe and tm-agent.exe sit next to odscan.exe's build folder
// (src/tools/launcher/OnDemandScan.exe and src/tools/tm-agent/tm-agent.exe of
// the same Win32 build), or come from $ODSCAN_WIN32_LAUNCHER and
// $ODSCAN_WIN32_AGENT. The wine prefix is $ODSCAN_WINEPREFIX when set.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
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
using console::testing::HttpClient;
using console::testing::TempFolder;
using odscan::testing::buildJourneyPatterns;
using odscan::testing::eicar;
using odscan::testing::kClamExe;
using odscan::testing::ProgramResult;
using odscan::testing::publishJourneyComponents;
using odscan::testing::readText;
using odscan::testing::runProgram;
using odscan::testing::ServerProcess;
using odscan::testing::writeText;
using Json = nlohmann::json;

fs::path fromEnvironment(const char* name, const fs::path& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && value[0] != '\0' ? fs::path(value) : fallback;
}

class WineLauncherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scanner_ = fromEnvironment("ODSCAN_WIN32_EXE", ODSCAN_WIN32_EXE);
    launcher_ = fromEnvironment(
        "ODSCAN_WIN32_LAUNCHER",
        scanner_.empty() ? fs::path()
                         : scanner_.parent_path().parent_path() / "launcher" / "OnDemandScan.exe");
    std::error_code error;
    if (scanner_.empty() || !fs::is_regular_file(scanner_, error) ||
        !fs::is_regular_file(launcher_, error)) {
      GTEST_SKIP() << "odscan.exe or OnDemandScan.exe is not built: build the win32 preset and "
                      "set ODSCAN_WIN32_EXE to its odscan.exe";
    }
    if (std::system("command -v wine >/dev/null 2>&1") != 0) {
      GTEST_SKIP() << "wine is not installed; scripts/install-deps.sh installs wine32:i386";
    }
    agent_ = fromEnvironment("ODSCAN_WIN32_AGENT",
                             scanner_.parent_path().parent_path() / "tm-agent" / "tm-agent.exe");
    prefix_ = fromEnvironment("ODSCAN_WINEPREFIX", folder_ / "wineprefix");
    planted_ = prefix_ / "drive_c" / ("odscan-launcher-" + std::to_string(::getpid()));
    writeText(planted_ / "scan" / "Downloads" / "setup.exe", eicar());
    writeText(planted_ / "scan" / "readme.txt", "a clean file\n");
    fs::copy_file(kClamExe, planted_ / "scan" / "clam.exe", error);
    ASSERT_FALSE(error) << "cannot copy " << kClamExe << ": " << error.message();
  }

  void TearDown() override {
    std::error_code ignored;
    if (!planted_.empty()) fs::remove_all(planted_, ignored);
  }

  std::string windowsPlanted() const { return "C:\\" + planted_.filename().string(); }

  std::vector<std::string> wineEnvironment() const {
    return {"WINEPREFIX=" + prefix_.string(), "WINEDEBUG=-all", "WINEDLLOVERRIDES=mscoree,mshtml="};
  }

  // Starts a console with the agent pattern, odscan.exe and settings that scan
  // the planted folder, and a Smart Scan Server.
  void startSystem(const Json& extraConfig = Json::object()) {
    console_ = std::make_unique<ConsoleProcess>(folder_.path() / "console", extraConfig);
    ASSERT_TRUE(console_->started()) << console_->log();
    ASSERT_EQ(console_->stop(), 0);
    ASSERT_NO_FATAL_FAILURE(buildJourneyPatterns(folder_.path(), console_->privateKey()));

    ASSERT_TRUE(smartScan_.start(
        SMARTSCAN_SERVER,
        {"--pattern", (folder_ / "patterns" / "smart-scan-pattern.ptn").string(), "--public-key",
         console_->publicKey().string(), "--listen", "127.0.0.1:0"},
        folder_ / "smartscan.log"))
        << smartScan_.log();

    ASSERT_NO_FATAL_FAILURE(publishJourneyComponents(
        *console_, folder_.path(), "scanner-windows", scanner_, windowsPlanted() + "\\scan",
        smartScan_.url(), Json{{"launcher_windows", launcher_.string()}}));
    ASSERT_TRUE(console_->restart()) << console_->log();
  }

  TempFolder folder_;
  std::unique_ptr<ConsoleProcess> console_;
  ServerProcess smartScan_;
  fs::path scanner_;
  fs::path launcher_;
  fs::path agent_;
  fs::path prefix_;
  fs::path planted_;
};

TEST_F(WineLauncherTest, GuestScanUnderWineReachesTheConsole) {
  ASSERT_NO_FATAL_FAILURE(startSystem());
  ConsoleProcess& console = *console_;
  // The guest's browser saves the download; wine runs it from C:.
  HttpClient client;
  http::testing::HttpCall call;
  call.url = console.url() + "ondemand/OnDemandScan.exe";
  call.timeout = std::chrono::seconds(60);
  const auto download = client.send(call);
  ASSERT_EQ(download.status, 200) << download.body;
  writeText(planted_ / "OnDemandScan.exe", download.body);

  // "scan" instead of the window, so the test needs no display.
  const std::string home = windowsPlanted() + "\\HCEXEC";
  const ProgramResult run =
      runProgram({"wine", (planted_ / "OnDemandScan.exe").string(), "--home", home, "--", "scan"},
                 folder_.path(), wineEnvironment());
  EXPECT_EQ(run.exitCode, 1) << run.out << run.err;
  EXPECT_TRUE(fs::exists(planted_ / "HCEXEC" / "components" / "odscan.exe"));
  EXPECT_TRUE(fs::exists(planted_ / "HCEXEC" / "components" / "ondemand-settings.json"));

  AdminSession admin(console.url());
  ASSERT_EQ(admin.logon("admin", ConsoleProcess::kAdminPassword).status, 200);
  const Json detections = Json::parse(admin.get("api/v1/events?type=detection").body)["events"];
  std::set<std::string> threats;
  for (const Json& event : detections) threats.insert(event["threat"]);
  EXPECT_EQ(threats, (std::set<std::string>{"Eicar-Test-Signature", "Clamav.Test.File-6"}))
      << detections.dump(2) << "\nlauncher output:\n"
      << run.out << run.err << "\nconsole log:\n"
      << console.log();
  const Json endpoints = Json::parse(admin.get("api/v1/endpoints").body)["endpoints"];
  ASSERT_EQ(endpoints.size(), 1u);
  EXPECT_EQ(endpoints[0]["posture"], "threats_remain");
  EXPECT_NE(endpoints[0]["os_version"].get<std::string>().find("Windows"), std::string::npos)
      << endpoints[0].dump();
}

// The Threat Management Agent's journeys: tm-agent.exe enrolls with the
// console and runs the scans launched there.
class WineAgentTest : public WineLauncherTest {
 protected:
  void SetUp() override {
    WineLauncherTest::SetUp();
    if (IsSkipped()) return;
    std::error_code error;
    if (!fs::is_regular_file(agent_, error)) {
      GTEST_SKIP() << "tm-agent.exe is not built: build the win32 preset, or set "
                      "ODSCAN_WIN32_AGENT";
    }
    ASSERT_NO_FATAL_FAILURE(startSystem(Json{{"agent_check_in_seconds", 1}}));
    admin_ = std::make_unique<AdminSession>(console_->url());
    ASSERT_EQ(admin_->logon("admin", ConsoleProcess::kAdminPassword).status, 200);
    const auto token = admin_->send("POST", "api/v1/agents/enrollment-tokens", "{}");
    ASSERT_EQ(token.status, 201) << token.body;

    // Windows programs read C: paths, so the key and the state live on wine's C:.
    fs::copy_file(console_->publicKey(), planted_ / "publisher.pub");
    const ProgramResult enrolled =
        runWine({"enroll", "--console", console_->url(), "--token",
                 Json::parse(token.body)["token"].get<std::string>(), "--public-key",
                 windowsPlanted() + "\\publisher.pub", "--state-dir", stateDir()});
    ASSERT_EQ(enrolled.exitCode, 0) << enrolled.out << enrolled.err;
    EXPECT_TRUE(fs::exists(planted_ / "agent-state" / "agent.json"));
  }

  std::string stateDir() const { return windowsPlanted() + "\\agent-state"; }

  ProgramResult runWine(std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), {"wine", agent_.string()});
    return runProgram(arguments, folder_.path(), wineEnvironment());
  }

  Json endpoint() {
    const Json endpoints = Json::parse(admin_->get("api/v1/endpoints").body)["endpoints"];
    return endpoints.empty() ? Json() : endpoints[0];
  }

  bool waitForConnectedAgent() {
    for (int i = 0; i < 600; ++i) {
      const Json current = endpoint();
      if (current.is_object() && current["agent"].is_object() &&
          current["agent"]["connected"].get<bool>()) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  // Launches a scan on the endpoint and returns the command once it finished.
  Json launchAndWait() {
    const auto launched =
        admin_->send("POST", "api/v1/endpoints/launch", Json{{"host", endpoint()["host"]}}.dump());
    EXPECT_EQ(launched.status, 202) << launched.body;
    if (launched.status != 202) return Json();
    const std::string id = Json::parse(launched.body)["command"];
    Json state;
    for (int i = 0; i < 1800; ++i) {
      state = Json::parse(admin_->get("api/v1/command?id=" + id).body);
      if (state["state"] == "done" || state["state"] == "failed") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return state;
  }

  void expectScanReachedTheConsole() {
    const Json scanned = endpoint();
    EXPECT_EQ(scanned["posture"], "threats_remain") << scanned.dump(2);
    EXPECT_NE(scanned["agent"]["version"], "");
    const Json detections = Json::parse(admin_->get("api/v1/events?type=detection").body)["events"];
    EXPECT_EQ(detections.size(), 2u) << detections.dump(2);
  }

  std::unique_ptr<AdminSession> admin_;
};

TEST_F(WineAgentTest, RemoteScanInTheForegroundReachesTheConsole) {
  std::vector<std::string> command = wineEnvironment();
  command.insert(command.end(), {"wine", agent_.string(), "run", "--state-dir", stateDir(),
                                 "--home", windowsPlanted() + "\\HCEXEC", "--retry-min-ms", "200"});
  ServerProcess agent;
  ASSERT_TRUE(agent.spawn("/usr/bin/env", command, folder_ / "agent.log"));
  ASSERT_TRUE(waitForConnectedAgent()) << readText(folder_ / "agent.log");
  const Json state = launchAndWait();
  agent.kill();
  ASSERT_EQ(state["state"], "done") << state.dump(2) << "\nagent output:\n"
                                    << readText(folder_ / "agent.log") << "\nconsole log:\n"
                                    << console_->log();
  EXPECT_EQ(state["exit_code"], 1);
  EXPECT_TRUE(fs::exists(planted_ / "HCEXEC" / "components" / "odscan.exe"));
  expectScanReachedTheConsole();
}

TEST_F(WineAgentTest, ServiceRunsTheAgentUntilStopped) {
  // Wine ends its services once no other Windows program runs in the prefix,
  // so a program that waits keeps the service alive for the test.
  std::vector<std::string> keeper = wineEnvironment();
  keeper.insert(keeper.end(), {"wine", "cmd", "/c", "ping -n 600 127.0.0.1 >NUL"});
  ServerProcess keepAlive;
  ASSERT_TRUE(keepAlive.spawn("/usr/bin/env", keeper, folder_ / "keeper.log"));
  // The service's own HCEXEC, so its sessions do not mix with those of the
  // other wine tests in the wine user's %TEMP%.
  const std::vector<std::string> install = {"install",     "--service",
                                            "--state-dir", stateDir(),
                                            "--home",      windowsPlanted() + "\\service-HCEXEC"};
  const ProgramResult installed = runWine(install);
  ASSERT_EQ(installed.exitCode, 0) << installed.out << installed.err;
  const ProgramResult twice = runWine(install);
  EXPECT_EQ(twice.exitCode, 2);
  EXPECT_NE(twice.err.find("exists already"), std::string::npos) << twice.err;
  const ProgramResult started =
      runProgram({"wine", "net", "start", "tm-agent"}, folder_.path(), wineEnvironment());
  const auto uninstall = [this] {
    runProgram({"wine", "net", "stop", "tm-agent"}, folder_.path(), wineEnvironment());
    return runWine({"uninstall"});
  };
  if (started.exitCode != 0 || !waitForConnectedAgent()) {
    uninstall();
    keepAlive.kill();
    FAIL() << "the service did not connect: " << started.out << started.err
           << readText(planted_ / "agent-state" / "agent.log");
  }
  const Json state = launchAndWait();
  const ProgramResult removed = uninstall();
  keepAlive.kill();
  EXPECT_EQ(removed.exitCode, 0) << removed.out << removed.err;
  ASSERT_EQ(state["state"], "done") << state.dump(2) << "\nagent log:\n"
                                    << readText(planted_ / "agent-state" / "agent.log");
  expectScanReachedTheConsole();
  EXPECT_TRUE(fs::exists(planted_ / "service-HCEXEC" / "components" / "odscan.exe"));
  EXPECT_NE(readText(planted_ / "agent-state" / "agent.log").find("agent stopped"),
            std::string::npos);
}

}  // namespace
}  // namespace odscan
