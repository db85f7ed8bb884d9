// A guest's journey with the Windows programs under wine: OnDemandScan.exe is
// downloaded from a Linux threat-mitigator on 127.0.0.1, installs odscan.exe and
// the other components into HCEXEC on wine's C: drive, and starts the scanner,
// which queries a Linux smartscan-server and uploads its session to the console.
//
// OnDemandScan.exe sits next to odscan.exe's build folder
// (src/tools/launcher/OnDemandScan.exe of the same Win32 build), or comes from
// $ODSCAN_WIN32_LAUNCHER. The wine prefix is $ODSCAN_WINEPREFIX when set.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
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

std::string eicarText() {
  const std::string head = "$}7)CC7)^P(45XZP\\4[PA@%P!O5X";
  const std::string tail = "*H+H$!ELIF-TSET-SURIVITNA-DRADNATS-RACIE";
  return std::string(head.rbegin(), head.rend()) + std::string(tail.rbegin(), tail.rend());
}

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
    prefix_ = fromEnvironment("ODSCAN_WINEPREFIX", folder_ / "wineprefix");
    planted_ = prefix_ / "drive_c" / ("odscan-launcher-" + std::to_string(::getpid()));
    writeText(planted_ / "scan" / "Downloads" / "setup.exe", eicarText());
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

  TempFolder folder_;
  fs::path scanner_;
  fs::path launcher_;
  fs::path prefix_;
  fs::path planted_;
};

TEST_F(WineLauncherTest, GuestScanUnderWineReachesTheConsole) {
  ConsoleProcess console(folder_.path() / "console");
  ASSERT_TRUE(console.started()) << console.log();
  ASSERT_EQ(console.stop(), 0);
  writeText(folder_ / "eicar.hdb", "44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature\n");
  writeText(folder_ / "full.hdb", "aa15bcf478d165efd2065190eb473bcb:544:Clamav.Test.File-6\n");
  ProgramResult build =
      runProgram({ODSCAN_PATTERN_TOOL, "build", "--key", console.privateKey().string(),
                  "--output-dir", (folder_ / "patterns").string(), "--agent-exact",
                  (folder_ / "eicar.hdb").string(), (folder_ / "full.hdb").string()},
                 folder_.path());
  ASSERT_EQ(build.exitCode, 0) << build.err;

  ServerProcess smartScan;
  ASSERT_TRUE(
      smartScan.start(SMARTSCAN_SERVER,
                      {"--pattern", (folder_ / "patterns" / "smart-scan-pattern.ptn").string(),
                       "--public-key", console.publicKey().string(), "--listen", "127.0.0.1:0"},
                      folder_ / "smartscan.log"))
      << smartScan.log();

  const std::string config = (console.folder() / "console.json").string();
  for (const auto& [component, file] :
       {std::pair<std::string, std::string>{"agent-pattern",
                                            (folder_ / "patterns" / "agent-pattern.ptn").string()},
        {"scanner-windows", scanner_.string()}}) {
    ProgramResult published = runProgram(
        {THREAT_MITIGATOR, "publish", "--config", config, "--component", component, file},
        folder_.path());
    ASSERT_EQ(published.exitCode, 0) << published.err;
  }
  ProgramResult saved =
      runProgram({THREAT_MITIGATOR, "settings", "--config", config, "--group", "ondemand", "--json",
                  Json{{"targets", {windowsPlanted() + "\\scan"}}}.dump()},
                 folder_.path());
  ASSERT_EQ(saved.exitCode, 0) << saved.err;
  saved = runProgram(
      {THREAT_MITIGATOR, "settings", "--config", config, "--group", "smartscan", "--json",
       Json{{"smart_scan_server_url", smartScan.url()}, {"allow_global_server", false}}.dump()},
      folder_.path());
  ASSERT_EQ(saved.exitCode, 0) << saved.err;
  Json consoleConfig = Json::parse(readText(config));
  consoleConfig["launcher_windows"] = launcher_.string();
  writeText(config, consoleConfig.dump(2));
  ASSERT_TRUE(console.restart()) << console.log();

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

}  // namespace
}  // namespace odscan
