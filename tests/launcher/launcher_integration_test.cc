// The built OnDemandScan program against a component store served over HTTP on
// 127.0.0.1: tests/activeupdate/static_server.py serves a folder that the
// ActiveUpdate publisher wrote under components/. The scanner here is a small
// shell script published as scanner-linux, which records its arguments, because
// these tests are about the launcher.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "activeupdate_test_support.h"
#include "odscan/activeupdate/component_publisher.h"
#include "odscan/launcher/launcher_trailer.h"
#include "pattern_test_support.h"

extern char** environ;

namespace odscan::launcher {
namespace {

using odscan::testing::readText;
using odscan::testing::StaticServer;
using odscan::testing::StaticServerOptions;
using odscan::testing::TempDir;
using odscan::testing::writeText;

struct LauncherRun {
  int exitCode = -1;
  std::string out;
  std::string err;
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::size_t countOf(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

class LauncherIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(store());
    std::filesystem::create_directories(dir_ / "inputs");
    writeText(dir_ / "inputs" / "settings.json",
              R"({"format":"odscan-ondemand-settings","format_version":1,"targets":["{temp}"]})");
    odscan::testing::writeBytes(patternPath(1), odscan::testing::agentPatternFile(key_, 1));
    writeScanner(scannerPath(1), 5);
    publish(1, 1);

    server_ = std::make_unique<StaticServer>(StaticServerOptions{dir_ / "www", "", "", {}, {}},
                                             dir_.path());
    ASSERT_NE(server_->port(), 0);
    makeLauncher();
  }

  std::filesystem::path store() const { return dir_ / "www" / "components"; }
  std::filesystem::path home() const { return dir_ / "HCEXEC"; }
  std::filesystem::path installed(const std::string& name) const {
    return home() / "components" / name;
  }
  std::filesystem::path argumentsFile() const { return dir_ / "scanner-arguments.txt"; }
  std::filesystem::path launcher() const { return dir_ / "OnDemandScan"; }
  std::filesystem::path patternPath(std::uint64_t version) const {
    return dir_ / "inputs" / ("agent-" + std::to_string(version) + ".ptn");
  }
  std::filesystem::path scannerPath(std::uint64_t version) const {
    return dir_ / "inputs" / ("scanner-" + std::to_string(version) + ".bin");
  }

  // Writes a fake scanner that records its arguments, one a line, and exits with
  // `exitCode`.
  void writeScanner(const std::filesystem::path& path, int exitCode) const {
    writeText(path, "#!/bin/sh\nprintf '%s\\n' \"$@\" > '" + argumentsFile().string() + "'\nexit " +
                        std::to_string(exitCode) + "\n");
  }

  void publish(std::uint64_t scannerVersion, std::uint64_t settingsVersion) {
    activeupdate::PublishOptions options;
    options.outputDirectory = store();
    options.patternFiles = {patternPath(1)};
    options.otherComponents = {
        {"scanner-linux", scannerVersion, scannerPath(scannerVersion)},
        {"ondemand-settings", settingsVersion, dir_ / "inputs" / "settings.json"}};
    Result<activeupdate::PublishReport> report = activeupdate::publishComponents(options, key_);
    ASSERT_TRUE(report.ok()) << report.status().toString();
  }

  // Copies the built launcher and appends a trailer that names the test server.
  void makeLauncher() {
    std::filesystem::copy_file(ONDEMANDSCAN_PROGRAM, launcher());
    LauncherConfig config{server_->url(), "", "2026-12-05T06:00:00Z"};
    Result<std::vector<std::uint8_t>> trailer = makeLauncherTrailer(config, key_);
    ASSERT_TRUE(trailer.ok()) << trailer.status().toString();
    // Appended in place: the sanitizer build of the launcher is over 50 MB.
    std::ofstream out(launcher(), std::ios::binary | std::ios::app);
    out.write(reinterpret_cast<const char*>(trailer->data()),
              static_cast<std::streamsize>(trailer->size()));
    out.close();
    ASSERT_TRUE(out.good()) << "cannot append the trailer to " << launcher();
    std::filesystem::permissions(launcher(), std::filesystem::perms::owner_all);
  }

  // Runs `program` with `arguments`, its output going through files in the test
  // folder.
  LauncherRun run(const std::vector<std::string>& arguments, std::filesystem::path program = {}) {
    if (program.empty()) program = launcher();
    std::vector<std::string> argv{program.string()};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    std::vector<char*> pointers;
    for (std::string& argument : argv) pointers.push_back(argument.data());
    pointers.push_back(nullptr);

    const std::string outPath = (dir_ / "out.txt").string();
    const std::string errPath = (dir_ / "err.txt").string();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, outPath.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, errPath.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t child = -1;
    const int spawned =
        posix_spawn(&child, program.c_str(), &actions, nullptr, pointers.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    LauncherRun result;
    if (spawned != 0) {
      ADD_FAILURE() << "cannot start " << program;
      return result;
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.out = readText(outPath);
    result.err = readText(errPath);
    return result;
  }

  LauncherRun runLauncher(std::vector<std::string> extra = {}) {
    std::vector<std::string> arguments{"--home", home().string(), "--no-console-args"};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return run(arguments);
  }

  std::vector<std::string> componentRequests() const {
    std::vector<std::string> paths;
    for (const std::string& line : server_->requests()) {
      const std::string path = nlohmann::json::parse(line)["path"].get<std::string>();
      if (!contains(path, "manifest.json")) paths.push_back(path);
    }
    return paths;
  }

  TempDir dir_;
  PrivateKey key_ = odscan::testing::generateKey();
  std::unique_ptr<StaticServer> server_;
};

TEST_F(LauncherIntegrationTest, FirstRunInstallsEveryComponent) {
  const LauncherRun result = runLauncher();

  EXPECT_EQ(result.exitCode, 5) << result.err;
  EXPECT_TRUE(contains(result.out, "downloading agent-pattern version 1 (")) << result.out;
  EXPECT_TRUE(contains(result.out, "downloading ondemand-settings version 1 (")) << result.out;
  EXPECT_TRUE(contains(result.out, "downloading scanner-linux version 1 (")) << result.out;
  EXPECT_EQ(odscan::testing::readBytes(installed("agent-pattern.ptn")),
            odscan::testing::readBytes(patternPath(1)));
  EXPECT_EQ(readText(installed("odscan")), readText(scannerPath(1)));
  EXPECT_TRUE(std::filesystem::exists(installed("ondemand-settings.json")));
  EXPECT_EQ(readText(installed("publisher.pub")), key_.publicKey().toPem());
  EXPECT_TRUE(std::filesystem::exists(home() / "launcher.log"));
}

TEST_F(LauncherIntegrationTest, InstalledScannerIsOwnerOnlyExecutable) {
  ASSERT_EQ(runLauncher().exitCode, 5);

  const auto permissions = std::filesystem::status(installed("odscan")).permissions();
  EXPECT_EQ(permissions, std::filesystem::perms::owner_all);
}

TEST_F(LauncherIntegrationTest, InstalledRecordListsTheManifestEntries) {
  ASSERT_EQ(runLauncher().exitCode, 5);

  const auto record = nlohmann::json::parse(readText(installed("installed.json")));
  ASSERT_EQ(record["components"].size(), 3u);
  EXPECT_EQ(record["components"][0]["name"], "agent-pattern");
  EXPECT_EQ(record["components"][2]["file"], "odscan");
  EXPECT_EQ(record["console_url"], server_->url());
}

TEST_F(LauncherIntegrationTest, ScannerGetsHomeAndPassThroughArguments) {
  const LauncherRun result = runLauncher({"--", "--flag", "two words"});

  ASSERT_EQ(result.exitCode, 5) << result.err;
  EXPECT_EQ(readText(argumentsFile()),
            "scan\n--home\n" + home().string() + "\n--flag\ntwo words\n");
}

TEST_F(LauncherIntegrationTest, ScannerGetsConsoleAndSettingsByDefault) {
  const LauncherRun result = run({"--home", home().string()});

  ASSERT_EQ(result.exitCode, 5) << result.err;
  EXPECT_EQ(readText(argumentsFile()), "scan\n--home\n" + home().string() + "\n--console\n" +
                                           server_->url() + "\n--settings\n" +
                                           installed("ondemand-settings.json").string() + "\n");
}

TEST_F(LauncherIntegrationTest, SecondRunDownloadsNothing) {
  ASSERT_EQ(runLauncher().exitCode, 5);
  const std::size_t firstRequests = componentRequests().size();

  const LauncherRun second = runLauncher();

  EXPECT_EQ(second.exitCode, 5) << second.err;
  EXPECT_FALSE(contains(second.out, "downloading")) << second.out;
  EXPECT_EQ(countOf(second.out, "is up to date"), 3u) << second.out;
  EXPECT_EQ(componentRequests().size(), firstRequests);
}

TEST_F(LauncherIntegrationTest, NewerVersionReplacesTheInstalledOne) {
  ASSERT_EQ(runLauncher().exitCode, 5);
  writeScanner(scannerPath(2), 6);
  publish(2, 1);

  const LauncherRun result = runLauncher();

  EXPECT_EQ(result.exitCode, 6) << result.err;
  EXPECT_TRUE(contains(result.out, "downloading scanner-linux version 2")) << result.out;
  EXPECT_TRUE(contains(result.out, "agent-pattern is up to date (version 1)")) << result.out;
  EXPECT_EQ(readText(installed("odscan")), readText(scannerPath(2)));
}

TEST_F(LauncherIntegrationTest, ChangedInstalledFileIsDownloadedAgain) {
  ASSERT_EQ(runLauncher().exitCode, 5);
  writeText(installed("odscan"), "#!/bin/sh\nexit 9\n");

  const LauncherRun result = runLauncher();

  EXPECT_EQ(result.exitCode, 5) << result.err;
  EXPECT_TRUE(contains(result.out, "downloading scanner-linux version 1")) << result.out;
  EXPECT_EQ(readText(installed("odscan")), readText(scannerPath(1)));
}

TEST_F(LauncherIntegrationTest, NoStartInstallsWithoutStartingTheScanner) {
  const LauncherRun result = runLauncher({"--no-start"});

  EXPECT_EQ(result.exitCode, 0) << result.err;
  EXPECT_TRUE(std::filesystem::exists(installed("odscan")));
  EXPECT_FALSE(std::filesystem::exists(argumentsFile()));
}

TEST_F(LauncherIntegrationTest, ConsoleOptionsReplaceTheTrailer) {
  const std::filesystem::path keyFile = dir_ / "publisher.pub";
  ASSERT_TRUE(key_.publicKey().writeFile(keyFile).ok());

  const LauncherRun result = run({"--home", home().string(), "--console", server_->url(),
                                  "--public-key", keyFile.string(), "--no-start"},
                                 ONDEMANDSCAN_PROGRAM);

  EXPECT_EQ(result.exitCode, 0) << result.err;
  EXPECT_TRUE(std::filesystem::exists(installed("agent-pattern.ptn")));
}

TEST_F(LauncherIntegrationTest, ConfigFileReplacesTheTrailer) {
  const std::filesystem::path keyFile = dir_ / "publisher.pub";
  ASSERT_TRUE(key_.publicKey().writeFile(keyFile).ok());
  const std::filesystem::path configFile = dir_ / "launcher.json";
  writeText(configFile, R"({"format":"odscan-launcher-config","format_version":1,"console_url":")" +
                            server_->url() + "\"}");

  const LauncherRun result = run({"--home", home().string(), "--config", configFile.string(),
                                  "--public-key", keyFile.string(), "--no-start"},
                                 ONDEMANDSCAN_PROGRAM);

  EXPECT_EQ(result.exitCode, 0) << result.err;
  EXPECT_TRUE(std::filesystem::exists(installed("odscan")));
}

// ---- Error paths ----

TEST_F(LauncherIntegrationTest, TamperedComponentIsNeverInstalledOrRun) {
  // Same size as the published script, other bytes: a scanner that leaves a mark.
  const std::filesystem::path served = store() / "scanner-linux-1.bin";
  const std::size_t size = std::filesystem::file_size(served);
  std::string tampered = "#!/bin/sh\ntouch '" + (dir_ / "tampered-ran").string() + "'\n#";
  ASSERT_LT(tampered.size(), size);
  tampered.append(size - tampered.size() - 1, 'x');
  tampered.push_back('\n');
  writeText(served, tampered);

  const LauncherRun result = runLauncher();

  EXPECT_EQ(result.exitCode, 2);
  EXPECT_TRUE(contains(result.err, "component scanner-linux version 1")) << result.err;
  EXPECT_TRUE(contains(result.err, server_->url() + "components/scanner-linux-1.bin"))
      << result.err;
  EXPECT_TRUE(contains(result.err, "not installed")) << result.err;
  EXPECT_FALSE(std::filesystem::exists(installed("odscan")));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "tampered-ran"));
  EXPECT_FALSE(std::filesystem::exists(argumentsFile()));
}

TEST_F(LauncherIntegrationTest, TamperedComponentLeavesNoTemporaryFile) {
  const std::filesystem::path served = store() / "scanner-linux-1.bin";
  std::string bytes = readText(served);
  bytes[bytes.size() - 2] ^= 0x01;
  writeText(served, bytes);

  ASSERT_EQ(runLauncher().exitCode, 2);

  for (const auto& entry : std::filesystem::directory_iterator(home() / "components")) {
    EXPECT_FALSE(contains(entry.path().filename().string(), ".download")) << entry.path();
  }
}

TEST_F(LauncherIntegrationTest, TooLittleDiskSpaceStopsBeforeAnyDownload) {
  const LauncherRun result = runLauncher({"--min-free-space", "1EiB"});

  EXPECT_EQ(result.exitCode, 2);
  EXPECT_TRUE(contains(result.err, "not enough free disk space")) << result.err;
  EXPECT_TRUE(contains(result.err, "delete the HCEXEC folder")) << result.err;
  EXPECT_TRUE(server_->requests().empty());
  EXPECT_FALSE(std::filesystem::exists(installed("odscan")));
}

TEST_F(LauncherIntegrationTest, LauncherWithoutTrailerIsRejected) {
  const LauncherRun result = run({"--home", home().string()}, ONDEMANDSCAN_PROGRAM);

  EXPECT_EQ(result.exitCode, 2);
  EXPECT_TRUE(contains(result.err, "was not downloaded from the console's On-demand Scan link"))
      << result.err;
}

TEST_F(LauncherIntegrationTest, ManifestSignedByAnotherKeyIsRejected) {
  std::filesystem::remove(store() / "manifest.json");
  std::filesystem::remove(store() / "manifest.json.sig");
  const PrivateKey other = odscan::testing::generateKey();
  activeupdate::PublishOptions options;
  options.outputDirectory = store();
  options.otherComponents = {{"scanner-linux", 1, scannerPath(1)}};
  ASSERT_TRUE(activeupdate::publishComponents(options, other).ok());

  const LauncherRun result = runLauncher();

  EXPECT_EQ(result.exitCode, 2);
  EXPECT_TRUE(contains(result.err, "cannot get the list of components")) << result.err;
  EXPECT_FALSE(std::filesystem::exists(installed("odscan")));
}

TEST_F(LauncherIntegrationTest, MissingComponentIsNamed) {
  std::filesystem::remove(store() / "manifest.json");
  std::filesystem::remove(store() / "manifest.json.sig");
  activeupdate::PublishOptions options;
  options.outputDirectory = store();
  options.patternFiles = {patternPath(1)};
  options.otherComponents = {{"scanner-linux", 1, scannerPath(1)}};
  ASSERT_TRUE(activeupdate::publishComponents(options, key_).ok());

  const LauncherRun result = runLauncher();

  EXPECT_EQ(result.exitCode, 2);
  EXPECT_TRUE(contains(result.err, "no component 'ondemand-settings'")) << result.err;
}

TEST_F(LauncherIntegrationTest, UnreachableConsoleIsReported) {
  server_->stop();

  const LauncherRun result = runLauncher();

  EXPECT_EQ(result.exitCode, 2);
  EXPECT_TRUE(contains(result.err, server_->url())) << result.err;
}

TEST_F(LauncherIntegrationTest, PublicKeyWithoutConsoleIsAUsageError) {
  const LauncherRun result = runLauncher({"--public-key", (dir_ / "x.pub").string()});

  EXPECT_EQ(result.exitCode, 2);
  EXPECT_TRUE(contains(result.err, "--public-key needs --config FILE or --console URL"))
      << result.err;
}

}  // namespace
}  // namespace odscan::launcher
