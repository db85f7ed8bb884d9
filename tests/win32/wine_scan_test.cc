// odscan.exe end to end under wine: the 32-bit Windows scanner scans a folder on
// wine's C: drive, planted with EICAR and the ClamAV test files, and sends scan
// queries to a Linux smartscan-server on 127.0.0.1. The scan runs once for the
// suite, and each test checks one part of its outcome. The parts are the verdicts
// and their sources, the session under the wine user's %TEMP%\HCEXEC, UTF-8
// names, loop detection by file ID, and the match with the verdicts of the native
// Linux odscan on the same files.
//
// The odscan.exe comes from $ODSCAN_WIN32_EXE or the ODSCAN_WIN32_EXE CMake cache
// variable. The wine prefix is $ODSCAN_WINEPREFIX when set (it is left in place),
// otherwise a new one that the suite removes again.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "odscan/common/hasher.h"
#include "program_run.h"
#include "server_process.h"

namespace odscan {
namespace {

namespace fs = std::filesystem;
using odscan::testing::ProgramResult;
using odscan::testing::readText;
using odscan::testing::runProgram;
using odscan::testing::ServerProcess;
using odscan::testing::writeText;

const fs::path kClamavTestfiles = "/usr/share/clamav-testfiles";
// A name in Cyrillic, to show that names reach the report and the log in UTF-8.
const std::string kCyrillicName = reinterpret_cast<const char*>(u8"Отчёт.com");

ProgramResult run(const std::vector<std::string>& environment,
                  const std::vector<std::string>& command, const fs::path& scratch) {
  return runProgram(command, scratch, environment);
}

// Returns the 68-byte EICAR test file. It is put together at run time from two
// reversed halves, so no file in the repository contains it.
std::string eicarText() {
  const std::string head = "$}7)CC7)^P(45XZP\\4[PA@%P!O5X";
  const std::string tail = "*H+H$!ELIF-TSET-SURIVITNA-DRADNATS-RACIE";
  return std::string(head.rbegin(), head.rend()) + std::string(tail.rbegin(), tail.rend());
}

constexpr const char* kEicarMd5 = "44d88612fea8a8f36de82e1278abb02f";

std::string md5Hex(const std::string& text) {
  return MultiHasher::digestOf(DigestKind::kMd5,
                               {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()})
      .toHex();
}

// Returns the odscan.exe to test, or an empty path when none was built.
fs::path win32Executable() {
  const char* fromEnvironment = std::getenv("ODSCAN_WIN32_EXE");
  const fs::path exe = fromEnvironment != nullptr && fromEnvironment[0] != '\0'
                           ? fs::path(fromEnvironment)
                           : fs::path(ODSCAN_WIN32_EXE);
  std::error_code error;
  return !exe.empty() && fs::is_regular_file(exe, error) ? exe : fs::path();
}

bool wineInstalled() {
  return std::system("command -v wine >/dev/null 2>&1 && command -v wineserver >/dev/null 2>&1") ==
         0;
}

// The files and members of clamav-testfiles that hold clam.exe, as the engine
// names them. The deepest copy in clam_cache_emax.tgz is one level beyond the
// default depth limit and is therefore not among them.
std::set<std::string> clamExeHolders() {
  const std::string emax = "clam_cache_emax.tgz";
  std::set<std::string> holders = {emax};
  std::string nested = emax;
  for (int level = 2; level <= 8; ++level) {
    nested += "!clam0" + std::to_string(level) + ".tgz";
    holders.insert(nested);
  }
  holders.insert(nested + "!clam.exe");
  holders.insert("clam.exe");
  for (const std::string container :
       {"clam.zip", "clam.tar.gz", "clam.exe.bz2", "clam.7z", "clam.bin-be.cpio",
        "clam.bin-le.cpio", "clam.newc.cpio", "clam.odc.cpio", "clam.cab", "clam.bz2.zip"}) {
    holders.insert(container);
    holders.insert(container + "!clam.exe");
  }
  return holders;
}

class WineScanTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    exe_ = win32Executable();
    if (exe_.empty()) {
      skipReason_ =
          "odscan.exe is not built: build the win32 preset, then point ODSCAN_WIN32_EXE (an "
          "environment variable, or the CMake cache variable of this build) at its odscan.exe";
      return;
    }
    if (!wineInstalled()) {
      skipReason_ = "wine is not installed; scripts/install-deps.sh installs wine32:i386";
      return;
    }

    root_ = fs::temp_directory_path() / ("odscan-wine-e2e-" + std::to_string(::getpid()));
    fs::create_directories(scratch());
    setUpError_ = buildPatterns();
    if (setUpError_.empty()) setUpError_ = prepareWinePrefix();
    if (setUpError_.empty()) setUpError_ = plantTree();
    if (setUpError_.empty()) setUpError_ = startServer();
    if (setUpError_.empty()) setUpError_ = runScan();
    if (setUpError_.empty()) setUpError_ = runNativeScan();
  }

  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    if (root_.empty()) return;

    std::error_code ignored;
    if (ownPrefix_) {
      run({"WINEPREFIX=" + prefix_.string()}, {"wineserver", "-k"}, scratch());
    } else {
      fs::remove_all(plantedFolder(), ignored);
      if (!sessionFolder_.empty()) fs::remove_all(sessionFolder_, ignored);
    }
    fs::remove_all(root_, ignored);
  }

  void SetUp() override {
    if (!skipReason_.empty()) GTEST_SKIP() << skipReason_;
    ASSERT_TRUE(setUpError_.empty()) << setUpError_;
  }

  static fs::path scratch() { return root_ / "scratch"; }
  static fs::path publisher() { return root_ / "publisher"; }
  static fs::path plantedFolder() { return prefix_ / "drive_c" / plantedName(); }
  static std::string plantedName() { return "odscan-e2e-" + std::to_string(::getpid()); }
  // The planted folder as a Windows path, for odscan.exe.
  static std::string windowsTree() { return "C:\\" + plantedName() + "\\scan"; }

  static std::vector<std::string> wineEnvironment() {
    return {"WINEPREFIX=" + prefix_.string(), "WINEDEBUG=-all", "WINEDLLOVERRIDES=mscoree,mshtml="};
  }

  // Returns the Linux path of a path on wine's C: drive.
  static fs::path unixPathOf(const std::string& windowsPath) {
    std::string relative = windowsPath.substr(3);
    for (char& c : relative) c = c == '\\' ? '/' : c;
    return prefix_ / "drive_c" / relative;
  }

  // The agent pattern contains EICAR exactly and nothing else. clam.exe is only
  // in the Smart Scan Pattern, so its verdicts prove that the server replied.
  static std::string buildPatterns() {
    const fs::path key = publisher() / "publisher.key";
    fs::create_directories(publisher());
    ProgramResult keygen = run({},
                               {ODSCAN_PATTERN_TOOL, "keygen", "--private", key.string(),
                                "--public", (publisher() / "publisher.pub").string()},
                               scratch());
    if (keygen.exitCode != 0) return "odscan-pattern keygen failed: " + keygen.err;

    if (md5Hex(eicarText()) != kEicarMd5) return "eicarText() does not return the EICAR file";
    writeText(publisher() / "eicar.hdb", std::string(kEicarMd5) + ":68:Eicar-Test-Signature\n");
    writeText(publisher() / "server.hsb",
              "aa15bcf478d165efd2065190eb473bcb:544:Clamav.Test.File-6\n");
    ProgramResult build =
        run({},
            {ODSCAN_PATTERN_TOOL, "build", "--key", key.string(), "--output-dir",
             (publisher() / "patterns").string(), "--agent-exact",
             (publisher() / "eicar.hdb").string(), (publisher() / "server.hsb").string()},
            scratch());
    if (build.exitCode != 0) return "odscan-pattern build failed: " + build.err;
    return "";
  }

  // Uses $ODSCAN_WINEPREFIX or creates a prefix, and finds the wine user's %TEMP%.
  static std::string prepareWinePrefix() {
    const char* shared = std::getenv("ODSCAN_WINEPREFIX");
    ownPrefix_ = shared == nullptr || shared[0] == '\0';
    prefix_ = ownPrefix_ ? root_ / "wineprefix" : fs::path(shared);

    // The first command in a new prefix creates it, which takes several seconds.
    ProgramResult temp = run(wineEnvironment(), {"wine", "cmd", "/c", "echo %TEMP%"}, scratch());
    std::string path = temp.out;
    while (!path.empty() && (path.back() == '\n' || path.back() == '\r')) path.pop_back();
    if (temp.exitCode != 0 || path.rfind("C:\\", 0) != 0) {
      return "cannot read %TEMP% in the wine prefix '" + prefix_.string() + "' (exit code " +
             std::to_string(temp.exitCode) + "): " + temp.out + temp.err;
    }
    windowsTemp_ = path;
    return "";
  }

  static std::string plantTree() {
    const fs::path tree = plantedFolder() / "scan";
    writeText(tree / "eicar.com", eicarText());
    writeText(tree / fs::path(std::u8string(reinterpret_cast<const char8_t*>(kCyrillicName.data()),
                                            kCyrillicName.size())),
              eicarText());
    writeText(tree / "readme.txt", "a clean file\n");
    // Wine shows a Unix symbolic link to a folder as a plain folder, so only the
    // file ID (volume serial number and file index) reveals this loop.
    writeText(tree / "loop" / "inner" / "notes.txt", "inside the loop\n");
    std::error_code error;
    fs::create_directory_symlink("../..", tree / "loop" / "inner" / "up", error);
    if (error) return "cannot create the folder loop: " + error.message();
    fs::copy(kClamavTestfiles, tree / "clamav", fs::copy_options::recursive, error);
    if (error) return "cannot copy " + kClamavTestfiles.string() + ": " + error.message();

    fs::create_directories(plantedFolder() / "publisher");
    for (const char* name : {"agent-pattern.ptn", "publisher.pub"}) {
      const fs::path source = name == std::string("publisher.pub")
                                  ? publisher() / name
                                  : publisher() / "patterns" / name;
      fs::copy_file(source, plantedFolder() / "publisher" / name, error);
      if (error) return "cannot copy " + source.string() + ": " + error.message();
    }
    return "";
  }

  static std::string startServer() {
    server_ = new ServerProcess();
    const bool started = server_->start(
        SMARTSCAN_SERVER,
        {"--pattern", (publisher() / "patterns" / "smart-scan-pattern.ptn").string(),
         "--public-key", (publisher() / "publisher.pub").string(), "--listen", "127.0.0.1:0"},
        scratch() / "server.log");
    return started ? "" : "the smartscan-server did not start:\n" + server_->log();
  }

  // Runs odscan.exe scan with the default HCEXEC, so the session goes to the wine
  // user's %TEMP%\HCEXEC, and reads back its report.
  static std::string runScan() {
    const fs::path sessions = unixPathOf(windowsTemp_ + "\\HCEXEC\\sessions");
    std::set<fs::path> before;
    std::error_code error;
    for (const auto& item : fs::directory_iterator(sessions, error)) before.insert(item.path());

    const std::string publisherFolder = "C:\\" + plantedName() + "\\publisher\\";
    std::vector<std::string> command = {"wine",         exe_.string(),
                                        "scan",         "--server",
                                        server_->url(), "--no-global",
                                        "--pattern",    publisherFolder + "agent-pattern.ptn",
                                        "--public-key", publisherFolder + "publisher.pub",
                                        windowsTree()};
    scan_ = run(wineEnvironment(), command, scratch());

    for (const auto& item : fs::directory_iterator(sessions, error)) {
      if (before.count(item.path()) == 0) sessionFolder_ = item.path();
    }
    if (sessionFolder_.empty()) {
      return "odscan.exe left no new session in '" + sessions.string() + "' (exit code " +
             std::to_string(scan_.exitCode) + "):\n" + scan_.out + scan_.err;
    }
    try {
      report_ = nlohmann::json::parse(readText(sessionFolder_ / "report.json"));
    } catch (const nlohmann::json::exception& exception) {
      return "the session's report.json does not parse: " + std::string(exception.what());
    }
    return "";
  }

  // Scans the planted folder with the Linux odscan, with the same pattern and
  // server, for comparison.
  static std::string runNativeScan() {
    const fs::path json = root_ / "native-report.json";
    ProgramResult native =
        run({},
            {ODSCAN_TOOL, "scan", "--home", (root_ / "HCEXEC").string(), "--server", server_->url(),
             "--no-global", "--pattern", (publisher() / "patterns" / "agent-pattern.ptn").string(),
             "--public-key", (publisher() / "publisher.pub").string(), "--json", json.string(),
             (plantedFolder() / "scan").string()},
            scratch());
    try {
      nativeReport_ = nlohmann::json::parse(readText(json));
    } catch (const nlohmann::json::exception& exception) {
      return "the native odscan wrote no report (exit code " + std::to_string(native.exitCode) +
             "): " + native.err;
    }
    return "";
  }

  // Returns "verdict source threat reason" for each result of `report`, keyed by
  // its path below `folder` with '/' between folders.
  static std::map<std::string, std::string> outcomes(const nlohmann::json& report,
                                                     const std::string& folder, char separator) {
    std::map<std::string, std::string> byPath;
    for (const auto& result : report["results"]) {
      std::string path = result["path"];
      if (path.rfind(folder, 0) != 0) continue;
      path.erase(0, folder.size() + 1);
      const std::size_t member = std::min(path.find('!'), path.size());
      std::replace(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(member), separator,
                   '/');
      byPath[path] = result["verdict"].get<std::string>() + " " + result.value("source", "") + " " +
                     result.value("threat", "") + " " + result.value("reason", "");
    }
    return byPath;
  }

  // Returns the report paths with `verdict` and `source`, relative to `folder`.
  static std::set<std::string> pathsWith(const std::string& verdict, const std::string& source,
                                         const std::string& folder) {
    std::set<std::string> paths;
    const std::string prefix = folder + "\\";
    for (const auto& result : report_["results"]) {
      if (result["verdict"] != verdict || result.value("source", "") != source) continue;
      std::string path = result["path"];
      if (path.rfind(prefix, 0) == 0) paths.insert(path.substr(prefix.size()));
    }
    return paths;
  }

  static inline fs::path exe_;
  static inline std::string skipReason_;
  static inline std::string setUpError_;
  static inline fs::path root_;
  static inline fs::path prefix_;
  static inline bool ownPrefix_ = true;
  static inline std::string windowsTemp_;
  static inline ServerProcess* server_ = nullptr;
  static inline ProgramResult scan_;
  static inline fs::path sessionFolder_;
  static inline nlohmann::json report_;
  static inline nlohmann::json nativeReport_;
};

TEST_F(WineScanTest, ScanFindsThreatsAndExitsOne) {
  EXPECT_EQ(scan_.exitCode, 1) << scan_.out << scan_.err;
  EXPECT_EQ(report_["outcome"], "completed");
  EXPECT_EQ(report_["counts"]["unresolved"], 0);
  EXPECT_EQ(report_["counts"]["bypassed"], 0);
}

TEST_F(WineScanTest, VerdictsMatchTheLinuxScanner) {
  const auto windows = outcomes(report_, windowsTree(), '\\');
  const auto native = outcomes(nativeReport_, (plantedFolder() / "scan").string(), '/');

  EXPECT_FALSE(windows.empty());
  EXPECT_EQ(windows, native);
  // The native scan reports the loop as a symbolic link. The test
  // FolderLoopIsSkippedByFileId checks the Windows scan's report of it.
  nlohmann::json windowsCounts = report_["counts"];
  nlohmann::json nativeCounts = nativeReport_["counts"];
  for (const char* key : {"loops_skipped", "symlinks_skipped"}) {
    windowsCounts.erase(key);
    nativeCounts.erase(key);
  }
  EXPECT_EQ(windowsCounts, nativeCounts);
}

TEST_F(WineScanTest, FolderLoopIsSkippedByFileId) {
  const std::string loop = windowsTree() + "\\loop\\inner\\up";

  EXPECT_EQ(report_["counts"]["loops_skipped"], 1);
  EXPECT_EQ(report_["counts"]["symlinks_skipped"], 0);
  ASSERT_EQ(report_["problems"].size(), 1u) << report_["problems"].dump(2);
  EXPECT_EQ(report_["problems"][0]["kind"], "loop_skipped");
  EXPECT_EQ(report_["problems"][0]["path"], loop);
}

TEST_F(WineScanTest, EicarIsFoundByTheAgentPattern) {
  const std::set<std::string> found = pathsWith("infected", "agent_pattern", windowsTree());

  EXPECT_EQ(found, (std::set<std::string>{"eicar.com", kCyrillicName}));
}

TEST_F(WineScanTest, ServerFindsClamExeAndContainers) {
  if (!fs::exists(kClamavTestfiles / "clam.exe")) GTEST_SKIP() << "clamav-testfiles missing";

  const std::set<std::string> found =
      pathsWith("infected", "smart_scan_server", windowsTree() + "\\clamav");

  EXPECT_EQ(found, clamExeHolders());
  EXPECT_GT(report_["smart_scan"]["verdicts_by_server"]["smart_scan_server"].get<int>(), 0);
}

TEST_F(WineScanTest, OutputNamesThreatsAndServerVerdicts) {
  EXPECT_NE(scan_.out.find("clam.exe: Clamav.Test.File-6 FOUND"), std::string::npos) << scan_.out;
  EXPECT_NE(scan_.out.find("eicar.com: Eicar-Test-Signature FOUND"), std::string::npos)
      << scan_.out;
}

TEST_F(WineScanTest, SessionIsInTheWineUsersTempHcexec) {
  const std::string expected = windowsTemp_ + "\\HCEXEC\\sessions\\";
  const std::string reported = report_["session_folder"];

  EXPECT_EQ(windowsTemp_.rfind("C:\\users\\", 0), 0u) << windowsTemp_;
  EXPECT_EQ(reported.rfind(expected, 0), 0u) << reported;
  EXPECT_EQ(unixPathOf(reported), sessionFolder_);
  EXPECT_EQ(sessionFolder_.parent_path().parent_path().parent_path(), unixPathOf(windowsTemp_));
}

TEST_F(WineScanTest, SessionHoldsLogEventsAndReport) {
  const std::string id = report_["session_id"];
  const std::string log = readText(sessionFolder_ / "scan.log");
  const std::string events = readText(sessionFolder_ / "events.jsonl");

  EXPECT_FALSE(id.empty());
  EXPECT_NE(sessionFolder_.filename().string().find(id), std::string::npos) << sessionFolder_;
  EXPECT_NE(log.find(id), std::string::npos) << log;
  EXPECT_NE(events.find("\"session_finish\""), std::string::npos) << events;
  EXPECT_NE(events.find("Clamav.Test.File-6"), std::string::npos) << events;
}

TEST_F(WineScanTest, NonAsciiNameIsLoggedInUtf8) {
  const std::string path = windowsTree() + "\\" + kCyrillicName;
  // The JSON string of the path: quoted, backslashes escaped, UTF-8 kept as it is.
  const std::string jsonPath = nlohmann::json(path).dump();

  EXPECT_NE(readText(sessionFolder_ / "scan.log").find(path), std::string::npos);
  EXPECT_NE(readText(sessionFolder_ / "events.jsonl").find(jsonPath), std::string::npos)
      << jsonPath;
  EXPECT_NE(scan_.out.find(path), std::string::npos) << scan_.out;
}

// A folder, an HCEXEC and a JSON report named in Cyrillic, CJK and emoji, all given
// on the command line. Windows hands main() its arguments in the ANSI code page,
// so this passes only when the program reads them as UTF-16 and keeps them so.
TEST_F(WineScanTest, NonAsciiCommandLinePathsAreKept) {
  const std::string folderName = reinterpret_cast<const char*>(u8"Папка-文件-\U0001F600");
  const std::string homeName = reinterpret_cast<const char*>(u8"Домашняя");
  const std::string jsonName = reinterpret_cast<const char*>(u8"Отчёт.json");
  const std::string base = "C:\\" + plantedName();
  const std::string folder = base + "\\" + folderName;
  writeText(unixPathOf(folder + "\\eicar.com"), eicarText());

  const std::string publisherFolder = base + "\\publisher\\";
  std::vector<std::string> environment = wineEnvironment();
  environment.push_back("LC_ALL=C.UTF-8");  // wine reads Unix arguments in this locale
  const ProgramResult scan = run(
      environment,
      {"wine", exe_.string(), "scan", "--no-global", "--home", base + "\\" + homeName + "\\HCEXEC",
       "--pattern", publisherFolder + "agent-pattern.ptn", "--public-key",
       publisherFolder + "publisher.pub", "--json", base + "\\" + jsonName, folder},
      scratch());

  EXPECT_EQ(scan.exitCode, 1) << scan.out << scan.err;
  EXPECT_NE(scan.out.find(folder + "\\eicar.com: Eicar-Test-Signature FOUND"), std::string::npos)
      << scan.out;
  const fs::path json = unixPathOf(base + "\\" + jsonName);
  ASSERT_TRUE(fs::exists(json)) << scan.err;
  const nlohmann::json report = nlohmann::json::parse(readText(json));
  ASSERT_EQ(report["results"].size(), 1u) << report["results"].dump(2);
  EXPECT_EQ(report["results"][0]["path"], folder + "\\eicar.com");

  const std::string sessionFolder = report["session_folder"];
  EXPECT_EQ(sessionFolder.rfind(base + "\\" + homeName + "\\HCEXEC\\sessions\\", 0), 0u)
      << sessionFolder;
  EXPECT_NE(readText(unixPathOf(sessionFolder) / "scan.log").find(folder), std::string::npos);
}

}  // namespace
}  // namespace odscan
