// Runs the built odscan and odscan-pattern programs as separate processes, the way
// an operator does, against the clamav-testfiles package and trees made here.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "test_support.h"

namespace odscan::scanner {
namespace {

namespace fs = std::filesystem;
using testing::readFile;
using testing::readLines;
using testing::TempFolder;
using testing::writeFile;

const fs::path kClamavTestfiles = "/usr/share/clamav-testfiles";

struct ProcessResult {
  int exitCode = -1;
  std::string out;
  std::string err;
};

std::string shellQuote(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

std::string commandLine(const std::string& program, const std::vector<std::string>& args) {
  std::string command = shellQuote(program);
  for (const auto& arg : args) command += " " + shellQuote(arg);
  return command;
}

// Runs `command` through the shell with standard input closed, capturing output in
// files, so neither output stream is a terminal.
ProcessResult runShell(const std::string& command, const fs::path& scratch) {
  const fs::path out = scratch / "stdout.txt";
  const fs::path err = scratch / "stderr.txt";
  const std::string full =
      command + " </dev/null >" + shellQuote(out.string()) + " 2>" + shellQuote(err.string());
  const int status = std::system(full.c_str());
  ProcessResult result;
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = readFile(out);
  result.err = readFile(err);
  return result;
}

std::set<std::string> setOf(std::initializer_list<std::string> items) { return {items}; }

class OdscanIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(scratch());
    writeFile(publisher() / "test.hdb",
              "aa15bcf478d165efd2065190eb473bcb:544:Clamav.Test.File-6\n"
              "44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature\n");
    ProcessResult keygen =
        patternTool({"keygen", "--private", (publisher() / "publisher.key").string(), "--public",
                     publicKey().string()});
    ASSERT_EQ(keygen.exitCode, 0) << keygen.err;
    ProcessResult build =
        patternTool({"build", "--key", (publisher() / "publisher.key").string(), "--output-dir",
                     publisher().string(), "--agent-exact", (publisher() / "test.hdb").string()});
    ASSERT_EQ(build.exitCode, 0) << build.err;
  }

  fs::path scratch() const { return temp_ / "scratch"; }
  fs::path publisher() const { return temp_ / "publisher"; }
  fs::path home() const { return temp_ / "HCEXEC"; }
  fs::path pattern() const { return publisher() / "agent-pattern.ptn"; }
  fs::path publicKey() const { return publisher() / "publisher.pub"; }

  ProcessResult patternTool(const std::vector<std::string>& args) {
    return runShell(commandLine(ODSCAN_PATTERN_TOOL, args), scratch());
  }

  ProcessResult odscan(const std::vector<std::string>& args) {
    return runShell(commandLine(ODSCAN_TOOL, args), scratch());
  }

  // Runs `odscan scan` with the test pattern and HCEXEC folder, then `args`.
  ProcessResult scan(const std::vector<std::string>& args) {
    std::vector<std::string> all = {"scan",
                                    "--home",
                                    home().string(),
                                    "--pattern",
                                    pattern().string(),
                                    "--public-key",
                                    publicKey().string()};
    all.insert(all.end(), args.begin(), args.end());
    return odscan(all);
  }

  nlohmann::json readJson(const fs::path& path) { return nlohmann::json::parse(readFile(path)); }

  std::vector<fs::path> sessionFolders() const {
    std::vector<fs::path> folders;
    if (!fs::exists(home() / "sessions")) return folders;
    for (const auto& item : fs::directory_iterator(home() / "sessions")) {
      folders.push_back(item.path());
    }
    std::sort(folders.begin(), folders.end());
    return folders;
  }

  // Builds a tree with EICAR as a file, inside a zip and inside a tar.gz, plus a
  // clean file.
  fs::path makeEicarTree() {
    const fs::path tree = temp_ / "tree";
    writeFile(tree / "eicar.com", testing::eicarText());
    writeFile(tree / "readme.txt", "a clean file\n");
    const fs::path work = temp_ / "archive-work";
    writeFile(work / "eicar.com", testing::eicarText());
    const std::string zip = "cd " + shellQuote(work.string()) + " && zip -q " +
                            shellQuote((tree / "eicar.zip").string()) + " eicar.com";
    const std::string tar = "tar -C " + shellQuote(work.string()) + " -czf " +
                            shellQuote((tree / "eicar.tar.gz").string()) + " eicar.com";
    EXPECT_EQ(runShell(zip, scratch()).exitCode, 0);
    EXPECT_EQ(runShell(tar, scratch()).exitCode, 0);
    return tree;
  }

  static std::set<std::string> pathsWithVerdict(const nlohmann::json& report,
                                                const std::string& verdict,
                                                const std::string& prefix) {
    std::set<std::string> paths;
    for (const auto& result : report["results"]) {
      if (result["verdict"] != verdict) continue;
      std::string path = result["path"];
      if (path.rfind(prefix, 0) == 0) path = path.substr(prefix.size());
      paths.insert(path);
    }
    return paths;
  }

  TempFolder temp_;
};

TEST_F(OdscanIntegrationTest, ClamavTestfilesDetectionsAreExact) {
  if (!fs::exists(kClamavTestfiles / "clam.exe")) GTEST_SKIP() << "clamav-testfiles missing";
  const fs::path json = temp_ / "report.json";
  ProcessResult result = scan({"--json", json.string(), kClamavTestfiles.string()});
  ASSERT_EQ(result.exitCode, 1) << result.err;
  // Not const: a missing key then reads as null and fails one check, instead of
  // aborting in nlohmann::json's assertion.
  nlohmann::json report = readJson(json);
  const std::string prefix = kClamavTestfiles.string() + "/";

  // Containers are infected when a member is, so both appear. clam01.tgz in
  // clam_cache_emax.tgz nests clam.exe one level deeper than the default limit of 8.
  const std::string emax = "clam_cache_emax.tgz";
  const std::string chain = "!clam02.tgz!clam03.tgz!clam04.tgz!clam05.tgz!clam06.tgz!clam07.tgz";
  const std::set<std::string> expectedInfected = {
      "clam.exe",
      "clam.zip",
      "clam.zip!clam.exe",
      "clam.tar.gz",
      "clam.tar.gz!clam.exe",
      "clam.exe.bz2",
      "clam.exe.bz2!clam.exe",
      "clam.7z",
      "clam.7z!clam.exe",
      "clam.bin-be.cpio",
      "clam.bin-be.cpio!clam.exe",
      "clam.bin-le.cpio",
      "clam.bin-le.cpio!clam.exe",
      "clam.newc.cpio",
      "clam.newc.cpio!clam.exe",
      "clam.odc.cpio",
      "clam.odc.cpio!clam.exe",
      "clam.cab",
      "clam.cab!clam.exe",
      "clam.bz2.zip",
      "clam.bz2.zip!clam.exe",
      emax,
      emax + "!clam02.tgz",
      emax + "!clam02.tgz!clam03.tgz",
      emax + "!clam02.tgz!clam03.tgz!clam04.tgz",
      emax + "!clam02.tgz!clam03.tgz!clam04.tgz!clam05.tgz",
      emax + "!clam02.tgz!clam03.tgz!clam04.tgz!clam05.tgz!clam06.tgz",
      emax + chain,
      emax + chain + "!clam08.tgz",
      emax + chain + "!clam08.tgz!clam.exe",
  };
  EXPECT_EQ(pathsWithVerdict(report, "infected", prefix), expectedInfected);

  // libarchive 3.6 cannot extract Deflate64 or imploded ZIP members.
  const std::string deep = emax + "!clam01.tgz";
  const std::set<std::string> expectedNotScanned = {
      "clam.d64.zip",
      "clam.d64.zip!clam.exe",
      "clam.impl.zip",
      "clam.impl.zip!CLAM.EXE",
      deep,
      deep + "!clam02.tgz",
      deep + "!clam02.tgz!clam03.tgz",
      deep + "!clam02.tgz!clam03.tgz!clam04.tgz",
      deep + "!clam02.tgz!clam03.tgz!clam04.tgz!clam05.tgz",
      deep + chain.substr(0, chain.size() - std::string("!clam07.tgz").size()),
      deep + chain,
      deep + chain + "!clam08.tgz",
  };
  EXPECT_EQ(pathsWithVerdict(report, "not_scanned", prefix), expectedNotScanned);
  EXPECT_TRUE(pathsWithVerdict(report, "unresolved", prefix).empty());

  for (const auto& entry : report["results"]) {
    if (entry["verdict"] != "not_scanned") continue;
    EXPECT_FALSE(entry.value("reason", "").empty()) << entry.dump();
    EXPECT_FALSE(entry.value("detail", "").empty()) << entry.dump();
  }
  for (const auto& entry : report["results"]) {
    if (entry["verdict"] == "infected") {
      EXPECT_EQ(entry["source"], "agent_pattern");
    }
  }

  // Every file on disk got a verdict; those not listed above are clean.
  std::uint64_t files = 0;
  for (const auto& item : fs::directory_iterator(kClamavTestfiles)) files += item.is_regular_file();
  EXPECT_EQ(report["counts"]["files"], files);
  // clam.d64.zip and clam.impl.zip are the files on disk that are not scanned.
  EXPECT_EQ(report["counts"]["files_scanned"], files - 2);
  EXPECT_EQ(report["counts"]["infected_files"], 12u);
  EXPECT_EQ(report["counts"]["infected"], expectedInfected.size());
  EXPECT_EQ(report["counts"]["not_scanned"], expectedNotScanned.size());
  EXPECT_EQ(report["counts"]["objects"], report["counts"]["clean"].get<std::uint64_t>() +
                                             expectedInfected.size() + expectedNotScanned.size());
}

TEST_F(OdscanIntegrationTest, EicarFileZipAndTarGzAreDetected) {
  const fs::path tree = makeEicarTree();
  const fs::path json = temp_ / "report.json";
  ProcessResult result = scan({"--json", json.string(), tree.string()});
  ASSERT_EQ(result.exitCode, 1) << result.err;

  const std::string prefix = tree.string() + "/";
  EXPECT_EQ(pathsWithVerdict(readJson(json), "infected", prefix),
            setOf({"eicar.com", "eicar.zip", "eicar.zip!eicar.com", "eicar.tar.gz",
                   "eicar.tar.gz!eicar.com"}));
  EXPECT_NE(result.out.find(prefix + "eicar.zip!eicar.com: Eicar-Test-Signature FOUND"),
            std::string::npos)
      << result.out;
}

TEST_F(OdscanIntegrationTest, SummaryCountsInfectedFilesAndObjects) {
  const fs::path tree = makeEicarTree();
  ProcessResult result = scan({tree.string()});
  ASSERT_EQ(result.exitCode, 1) << result.err;
  // eicar.com, eicar.zip and eicar.tar.gz hold five infected objects.
  EXPECT_NE(result.out.find("Infected files: 3\n"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("Infected objects: 5\n"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("Files examined: 4\n"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("Files scanned: 4\n"), std::string::npos) << result.out;
}

TEST_F(OdscanIntegrationTest, SkippedSymbolicLinksAreCountedNotLogged) {
  const fs::path tree = temp_ / "links";
  writeFile(tree / "a.txt", "clean\n");
  for (int i = 0; i < 30; ++i)
    fs::create_symlink(tree / "a.txt", tree / ("link" + std::to_string(i)));
  ProcessResult result = scan({tree.string()});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.out.find("Symbolic links not followed: 30\n"), std::string::npos) << result.out;

  ASSERT_EQ(sessionFolders().size(), 1u);
  const auto logLines = readLines(sessionFolders()[0] / "scan.log");
  const auto linkLines = std::count_if(
      logLines.begin(), logLines.end(),
      [](const std::string& line) { return line.find("symlink_skipped: '") != std::string::npos; });
  EXPECT_EQ(linkLines, 20);
  EXPECT_EQ(readJson(sessionFolders()[0] / "report.json")["counts"]["symlinks_skipped"], 30);
}

TEST_F(OdscanIntegrationTest, InfectedOnlyPrintsOnlyThreats) {
  const fs::path tree = makeEicarTree();
  writeFile(tree / "big.bin", std::string(4096, 'x'));
  ProcessResult result =
      scan({"--infected", "--no-summary", "--max-file-size", "1KiB", tree.string()});
  ASSERT_EQ(result.exitCode, 1) << result.err;
  EXPECT_EQ(result.out.find("big.bin"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("SCAN SUMMARY"), std::string::npos) << result.out;
  for (const auto& line : std::vector<std::string>{"eicar.com", "eicar.zip", "eicar.tar.gz"}) {
    EXPECT_NE(result.out.find(line + ": Eicar-Test-Signature FOUND"), std::string::npos) << line;
  }
}

TEST_F(OdscanIntegrationTest, CleanTreeExitsZeroWithSummary) {
  writeFile(temp_ / "clean" / "a.txt", "clean\n");
  ProcessResult result = scan({(temp_ / "clean").string()});
  EXPECT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.out.find("Infected objects: 0"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("Session folder: " + home().string() + "/sessions/"), std::string::npos)
      << result.out;
}

TEST_F(OdscanIntegrationTest, NoProgressWhenNotOnTerminal) {
  writeFile(temp_ / "clean" / "a.txt", "clean\n");
  ProcessResult result = scan({(temp_ / "clean").string()});
  ASSERT_EQ(result.exitCode, 0);
  EXPECT_EQ(result.err, "");
}

TEST_F(OdscanIntegrationTest, ProgressOnTerminal) {
  if (std::system("command -v script >/dev/null 2>&1") != 0) GTEST_SKIP() << "no script(1)";
  writeFile(temp_ / "clean" / "a.txt", "clean\n");
  // script(1) runs the scan on a pseudo-terminal, so standard error is a terminal.
  const std::string inner =
      commandLine(ODSCAN_TOOL, {"scan", "--home", home().string(), "--pattern", pattern().string(),
                                "--public-key", publicKey().string(), (temp_ / "clean").string()});
  ProcessResult result = runShell("script -qec " + shellQuote(inner) + " /dev/null", scratch());
  ASSERT_EQ(result.exitCode, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("files, "), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("\r\x1b[K"), std::string::npos) << result.out;
}

TEST_F(OdscanIntegrationTest, SessionFolderHoldsLogEventsAndReport) {
  const fs::path tree = makeEicarTree();
  const fs::path json = temp_ / "report.json";
  ASSERT_EQ(scan({"--json", json.string(), tree.string()}).exitCode, 1);

  const auto sessions = sessionFolders();
  ASSERT_EQ(sessions.size(), 1u);
  const std::string name = sessions[0].filename().string();
  ASSERT_TRUE(std::regex_match(name, std::regex("[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}"))) << name;
  const std::string id = name.substr(17);

  const auto logLines = readLines(sessions[0] / "scan.log");
  ASSERT_FALSE(logLines.empty());
  for (const auto& line : logLines) {
    EXPECT_NE(line.find("session=" + id), std::string::npos) << line;
  }

  const auto eventLines = readLines(sessions[0] / "events.jsonl");
  std::vector<std::string> names;
  for (const auto& line : eventLines) {
    const auto event = nlohmann::json::parse(line);
    EXPECT_EQ(event["session"], id);
    names.push_back(event["event"]);
  }
  ASSERT_FALSE(names.empty());
  EXPECT_EQ(names.front(), "session_start");
  EXPECT_EQ(names.back(), "session_finish");
  EXPECT_EQ(std::count(names.begin(), names.end(), "result"), 5);

  const auto report = readJson(sessions[0] / "report.json");
  EXPECT_EQ(report["session_id"], id);
  EXPECT_FALSE(report["host"].get<std::string>().empty());
  EXPECT_FALSE(report["user"].get<std::string>().empty());
  EXPECT_TRUE(report["pattern_version"].is_number_unsigned());
  EXPECT_EQ(readFile(sessions[0] / "report.json"), readFile(json));
}

// Exit codes and error paths

TEST_F(OdscanIntegrationTest, HelpDocumentsExitCodes) {
  ProcessResult result = odscan({"scan", "--help"});
  EXPECT_EQ(result.exitCode, 0);
  EXPECT_NE(result.out.find("Exit codes"), std::string::npos) << result.out;
}

TEST_F(OdscanIntegrationTest, BadOptionExitsTwo) {
  ProcessResult result = scan({"--profile", "sometimes", temp_.path().string()});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.err.find("--profile"), std::string::npos) << result.err;
  EXPECT_TRUE(sessionFolders().empty());
}

TEST_F(OdscanIntegrationTest, NegativeAndMalformedNumbersAreRejected) {
  const std::string home = this->home().string();
  const std::vector<std::vector<std::string>> cases = {
      {"cleanup", "--home", home, "--keep", "-1"},
      {"scan", "--home", home, "--min-free-space", "-5", "/tmp"},
      {"scan", "--home", home, "--max-file-size", "-1", "/tmp"},
      {"scan", "--home", home, "--max-file-size", "1.5", "/tmp"},
      {"scan", "--home", home, "--max-member-size", "12XB", "/tmp"},
      {"scan", "--home", home, "--threads", "-1", "/tmp"},
      {"scan", "--home", home, "--max-archive-depth", "-1", "/tmp"},
      {"scan", "--home", home, "--max-members", "-3", "/tmp"},
      {"scan", "--home", home, "--max-ratio", "-150", "/tmp"},
      {"scan", "--home", home, "--max-scan-time", "-1", "/tmp"},
  };
  for (const auto& args : cases) {
    const std::string option = args[args.size() - (args[0] == "cleanup" ? 2 : 3)];
    const std::string value = args[args.size() - (args[0] == "cleanup" ? 1 : 2)];
    ProcessResult result = odscan(args);
    EXPECT_EQ(result.exitCode, 2) << option << " " << value;
    EXPECT_NE(result.err.find(option + ": invalid value '" + value + "'"), std::string::npos)
        << result.err;
    EXPECT_NE(result.err.find("expected"), std::string::npos) << result.err;
  }
  EXPECT_TRUE(sessionFolders().empty());
}

TEST_F(OdscanIntegrationTest, DecimalSizeWithUnitIsAccepted) {
  writeFile(temp_ / "sizes" / "big.bin", std::string(2000, 'x'));
  ProcessResult result =
      scan({"--max-file-size", "1.5KiB", "--no-summary", (temp_ / "sizes").string()});
  EXPECT_EQ(result.exitCode, 2) << result.err;
  EXPECT_NE(result.out.find("more than the maximum file size of 1536 bytes"), std::string::npos)
      << result.out;
}

TEST_F(OdscanIntegrationTest, ProfileAcceptsOnlyQuickAndFull) {
  for (const std::string value : {"0", "1", "fast"}) {
    ProcessResult result = scan({"--profile", value, temp_.path().string()});
    EXPECT_EQ(result.exitCode, 2) << value;
    EXPECT_NE(result.err.find("--profile: invalid value '" + value + "': expected quick"),
              std::string::npos)
        << result.err;
    EXPECT_EQ(result.err.find("FAILED"), std::string::npos) << result.err;
  }
  EXPECT_TRUE(sessionFolders().empty());
}

TEST_F(OdscanIntegrationTest, EmptyHomeIsRejected) {
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"scan", "--home", "", "/tmp"},
                                             {"cleanup", "--home", ""},
                                             {"quarantine", "list", "--home", ""}}) {
    ProcessResult result = odscan(args);
    EXPECT_EQ(result.exitCode, 2) << args[0];
    EXPECT_NE(result.err.find("--home: invalid value ''"), std::string::npos) << result.err;
  }
}

TEST_F(OdscanIntegrationTest, HomeThatIsAFileFailsEveryCommand) {
  const fs::path file = temp_ / "home-file";
  writeFile(file, "not a folder\n");
  const std::vector<std::vector<std::string>> commands = {
      {"scan", "--home", file.string(), "--pattern", pattern().string(), "--public-key",
       publicKey().string(), temp_.path().string()},
      {"cleanup", "--home", file.string()},
      {"quarantine", "list", "--home", file.string()},
      {"quarantine", "restore", "12345678", "--home", file.string()},
  };
  for (const auto& args : commands) {
    ProcessResult result = odscan(args);
    EXPECT_EQ(result.exitCode, 2) << args[0];
    EXPECT_NE(result.err.find("'" + file.string() + "' is a file, not a folder"), std::string::npos)
        << result.err;
    EXPECT_EQ(result.out.find("No "), std::string::npos) << result.out;
  }
}

TEST_F(OdscanIntegrationTest, UnwritableJsonFileStopsBeforeScan) {
  const fs::path tree = makeEicarTree();
  ProcessResult result =
      scan({"--json", (temp_ / "no-such-folder" / "r.json").string(), tree.string()});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.err.find("cannot write the JSON report"), std::string::npos) << result.err;
  EXPECT_EQ(result.out.find("FOUND"), std::string::npos) << result.out;
  ASSERT_EQ(sessionFolders().size(), 1u);
  EXPECT_NE(readFile(sessionFolders()[0] / "events.jsonl").find("\"json_report_error\""),
            std::string::npos);
}

TEST_F(OdscanIntegrationTest, RelativePatternPathIsLoggedAbsolute) {
  writeFile(temp_ / "clean" / "a.txt", "clean\n");
  const std::string command =
      "cd " + shellQuote(temp_.path().string()) + " && " +
      commandLine(ODSCAN_TOOL,
                  {"scan", "--home", home().string(), "--pattern", "publisher/agent-pattern.ptn",
                   "--public-key", publicKey().string(), "clean"});
  ASSERT_EQ(runShell(command, scratch()).exitCode, 0);
  ASSERT_EQ(sessionFolders().size(), 1u);
  const std::string log = readFile(sessionFolders()[0] / "scan.log");
  EXPECT_NE(log.find("from '" + pattern().string() + "' (2 exact signatures"), std::string::npos)
      << log;
}

TEST_F(OdscanIntegrationTest, MissingPathExitsTwo) {
  ProcessResult result = scan({(temp_ / "missing").string()});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.out.find("not scanned (not_found"), std::string::npos) << result.out;
}

TEST_F(OdscanIntegrationTest, TamperedPatternStopsWithoutScanning) {
  std::string bytes = readFile(pattern());
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x01);
  writeFile(pattern(), bytes);
  const fs::path tree = makeEicarTree();

  ProcessResult result = scan({tree.string()});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.err.find(pattern().string()), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("Check the file given with --pattern"), std::string::npos)
      << result.err;
  EXPECT_EQ(result.out.find("FOUND"), std::string::npos) << result.out;

  const auto sessions = sessionFolders();
  ASSERT_EQ(sessions.size(), 1u);
  const std::string events = readFile(sessions[0] / "events.jsonl");
  EXPECT_NE(events.find("\"pattern_error\""), std::string::npos);
  EXPECT_EQ(events.find("\"scan_start\""), std::string::npos);
}

TEST_F(OdscanIntegrationTest, MissingDefaultPatternStopsWithoutScanning) {
  ProcessResult result = odscan({"scan", "--home", home().string(), temp_.path().string()});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.err.find((home() / "components" / "publisher.pub").string()), std::string::npos)
      << result.err;
}

TEST_F(OdscanIntegrationTest, TooLittleDiskSpaceStopsWithoutScanning) {
  const fs::path tree = makeEicarTree();
  ProcessResult result = scan({"--min-free-space", "1EiB", tree.string()});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.err.find("not enough free disk space"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("delete the HCEXEC folder '" + home().string() + "'"),
            std::string::npos)
      << result.err;
  EXPECT_EQ(result.out.find("FOUND"), std::string::npos);
  ASSERT_EQ(sessionFolders().size(), 1u);
  EXPECT_NE(readFile(sessionFolders()[0] / "events.jsonl").find("\"disk_space_error\""),
            std::string::npos);
}

// Quarantine and cleanup

TEST_F(OdscanIntegrationTest, QuarantineRoundTripIsByteExact) {
  if (!fs::exists(kClamavTestfiles / "clam.exe")) GTEST_SKIP() << "clamav-testfiles missing";
  const fs::path tree = makeEicarTree();
  fs::copy_file(kClamavTestfiles / "clam.exe", tree / "clam.exe");
  const std::string clamBytes = readFile(tree / "clam.exe");
  const std::string tarBytes = readFile(tree / "eicar.tar.gz");

  ProcessResult result = scan({"--action", "quarantine", tree.string()});
  ASSERT_EQ(result.exitCode, 1) << result.err;
  EXPECT_FALSE(fs::exists(tree / "clam.exe"));
  EXPECT_FALSE(fs::exists(tree / "eicar.tar.gz"));
  EXPECT_TRUE(fs::exists(tree / "readme.txt"));

  // Four files held threats; each archive is quarantined once.
  std::vector<fs::path> entries;
  for (const auto& item : fs::directory_iterator(home() / "quarantine")) {
    entries.push_back(item.path());
  }
  ASSERT_EQ(entries.size(), 4u);
  for (const auto& entry : entries) {
    const std::string stored = readFile(entry);
    EXPECT_EQ(stored.find(clamBytes.substr(0, 64)), std::string::npos) << entry;
    EXPECT_EQ(stored.find(clamBytes.substr(256, 64)), std::string::npos) << entry;
    EXPECT_EQ(stored.find(testing::eicarText().substr(0, 32)), std::string::npos) << entry;
  }

  ProcessResult list = odscan({"quarantine", "list", "--home", home().string()});
  ASSERT_EQ(list.exitCode, 0) << list.err;
  for (const auto& entry : entries) {
    const std::string id = entry.stem().string();
    EXPECT_NE(list.out.find(id), std::string::npos) << list.out;
    ProcessResult restore = odscan({"quarantine", "restore", id, "--home", home().string()});
    EXPECT_EQ(restore.exitCode, 0) << restore.err;
  }
  EXPECT_EQ(readFile(tree / "clam.exe"), clamBytes);
  EXPECT_EQ(readFile(tree / "eicar.tar.gz"), tarBytes);
  EXPECT_EQ(readFile(tree / "eicar.com"), testing::eicarText());
  EXPECT_TRUE(fs::is_empty(home() / "quarantine"));
}

TEST_F(OdscanIntegrationTest, RestoreRefusesToOverwriteWithoutForce) {
  const fs::path tree = makeEicarTree();
  ASSERT_EQ(scan({"--action", "quarantine", (tree / "eicar.com").string()}).exitCode, 1);
  const std::string id = fs::directory_iterator(home() / "quarantine")->path().stem().string();
  writeFile(tree / "eicar.com", "a new file\n");

  ProcessResult rejected = odscan({"quarantine", "restore", id, "--home", home().string()});
  EXPECT_EQ(rejected.exitCode, 2);
  EXPECT_NE(rejected.err.find("--force"), std::string::npos) << rejected.err;
  EXPECT_EQ(readFile(tree / "eicar.com"), "a new file\n");

  ProcessResult elsewhere = odscan({"quarantine", "restore", id, "--home", home().string(), "--to",
                                    (temp_ / "restored.com").string()});
  EXPECT_EQ(elsewhere.exitCode, 0) << elsewhere.err;
  EXPECT_EQ(readFile(temp_ / "restored.com"), testing::eicarText());
}

TEST_F(OdscanIntegrationTest, RestoreIntoNewFolderEndingInSlash) {
  const fs::path tree = makeEicarTree();
  ASSERT_EQ(scan({"--action", "quarantine", (tree / "eicar.com").string()}).exitCode, 1);
  const std::string id = fs::directory_iterator(home() / "quarantine")->path().stem().string();

  const std::string folder = (temp_ / "rv" / "evidence").string() + "/";
  ProcessResult restore =
      odscan({"quarantine", "restore", id, "--home", home().string(), "--to", folder});
  EXPECT_EQ(restore.exitCode, 0) << restore.err;
  EXPECT_EQ(readFile(temp_ / "rv" / "evidence" / "eicar.com"), testing::eicarText());
}

TEST_F(OdscanIntegrationTest, RestoreToNewFilePathCreatesFolders) {
  const fs::path tree = makeEicarTree();
  ASSERT_EQ(scan({"--action", "quarantine", (tree / "eicar.com").string()}).exitCode, 1);
  const std::string id = fs::directory_iterator(home() / "quarantine")->path().stem().string();

  const fs::path target = temp_ / "rv" / "case-17" / "sample.bin";
  ProcessResult restore =
      odscan({"quarantine", "restore", id, "--home", home().string(), "--to", target.string()});
  EXPECT_EQ(restore.exitCode, 0) << restore.err;
  EXPECT_EQ(readFile(target), testing::eicarText());
}

TEST_F(OdscanIntegrationTest, HcexecContentsArePrivateUnderOpenUmask) {
  const fs::path tree = makeEicarTree();
  const fs::path json = temp_ / "report.json";
  const std::string command =
      "umask 000 && " +
      commandLine(ODSCAN_TOOL, {"scan", "--home", home().string(), "--pattern", pattern().string(),
                                "--public-key", publicKey().string(), "--action", "quarantine",
                                "--json", json.string(), tree.string()});
  ASSERT_EQ(runShell(command, scratch()).exitCode, 1);

  std::size_t files = 0;
  EXPECT_EQ(testing::modeOf(home()), 0700u);
  for (const auto& item : fs::recursive_directory_iterator(home())) {
    const unsigned expected = item.is_directory() ? 0700u : 0600u;
    EXPECT_EQ(testing::modeOf(item.path()), expected) << item.path();
    files += item.is_regular_file();
  }
  EXPECT_EQ(files, 6u);  // scan.log, events.jsonl, report.json and three entries
  EXPECT_EQ(testing::modeOf(json), 0644u);
}

TEST_F(OdscanIntegrationTest, ComponentsInstallThenScanWithDefaults) {
  ProcessResult install = odscan({"components", "install", "--home", home().string(), "--pattern",
                                  pattern().string(), "--public-key", publicKey().string()});
  ASSERT_EQ(install.exitCode, 0) << install.err;
  EXPECT_NE(install.out.find("installed Smart Scan Agent Pattern version"), std::string::npos)
      << install.out;

  const fs::path tree = makeEicarTree();
  ProcessResult result = odscan({"scan", "--home", home().string(), tree.string()});
  EXPECT_EQ(result.exitCode, 1) << result.err;
}

TEST_F(OdscanIntegrationTest, QuarantiningLinkRootNamesTarget) {
  const fs::path tree = makeEicarTree();
  fs::create_symlink(tree / "eicar.com", temp_ / "link.com");
  ProcessResult result = scan({"--action", "quarantine", (temp_ / "link.com").string()});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("symbolic link to '" + (tree / "eicar.com").string() + "'"),
            std::string::npos)
      << result.err;
  EXPECT_TRUE(fs::exists(tree / "eicar.com"));
}

TEST_F(OdscanIntegrationTest, ListOfOnlyDamagedEntryShowsIt) {
  fs::create_directories(home() / "quarantine");
  writeFile(home() / "quarantine" / "0badf00d.odq", std::string(64, 'x'));
  ProcessResult list = odscan({"quarantine", "list", "--home", home().string()});
  EXPECT_EQ(list.exitCode, 2);
  EXPECT_EQ(list.out.find("No quarantined files"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("0badf00d  quarantine entry"), std::string::npos) << list.out;
}

TEST_F(OdscanIntegrationTest, CleanupKeepsNewestSessions) {
  writeFile(temp_ / "clean" / "a.txt", "clean\n");
  for (int i = 0; i < 3; ++i) ASSERT_EQ(scan({(temp_ / "clean").string()}).exitCode, 0);
  const auto before = sessionFolders();
  ASSERT_EQ(before.size(), 3u);

  ProcessResult cleanup = odscan({"cleanup", "--keep", "1", "--home", home().string()});
  ASSERT_EQ(cleanup.exitCode, 0) << cleanup.err;
  const auto after = sessionFolders();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(std::count(cleanup.out.begin(), cleanup.out.end(), '\n'), 3) << cleanup.out;
  EXPECT_NE(cleanup.out.find("removed "), std::string::npos) << cleanup.out;
}

// --- On-demand Scan settings ---

nlohmann::json settingsWith(const fs::path& target) {
  return {{"format", "odscan-ondemand-settings"},
          {"format_version", 1},
          {"profile", "quick"},
          {"targets", {target.string()}},
          {"excluded_extensions", {"iso"}},
          {"action", "report"}};
}

TEST_F(OdscanIntegrationTest, SettingsFileSuppliesTargetsAndProfile) {
  writeFile(temp_ / "clean" / "a.txt", "clean\n");
  writeFile(temp_ / "settings.json", settingsWith(temp_ / "clean").dump());
  ProcessResult result = scan({"--settings", (temp_ / "settings.json").string()});
  ASSERT_EQ(result.exitCode, 0) << result.err;

  ASSERT_EQ(sessionFolders().size(), 1u);
  const nlohmann::json report = readJson(sessionFolders()[0] / "report.json");
  EXPECT_EQ(report["roots"], nlohmann::json::array({(temp_ / "clean").string()}));
  EXPECT_EQ(report["options"]["profile"], "quick");
  EXPECT_EQ(report["options"]["exclude_ext"], nlohmann::json::array({"iso"}));
  EXPECT_EQ(report["options"]["settings"], (temp_ / "settings.json").string());
}

TEST_F(OdscanIntegrationTest, CommandLineOverridesSettings) {
  writeFile(temp_ / "clean" / "a.txt", "clean\n");
  writeFile(temp_ / "other" / "b.txt", "clean\n");
  writeFile(temp_ / "settings.json", settingsWith(temp_ / "clean").dump());
  ProcessResult result = scan({"--settings", (temp_ / "settings.json").string(), "--profile",
                               "full", (temp_ / "other").string()});
  ASSERT_EQ(result.exitCode, 0) << result.err;

  const nlohmann::json report = readJson(sessionFolders()[0] / "report.json");
  EXPECT_EQ(report["roots"], nlohmann::json::array({(temp_ / "other").string()}));
  EXPECT_EQ(report["options"]["profile"], "full");
  EXPECT_EQ(report["options"]["exclude_ext"], nlohmann::json::array({"iso"}));
}

TEST_F(OdscanIntegrationTest, InstalledSettingsAreReadByDefault) {
  writeFile(temp_ / "clean" / "a.txt", "clean\n");
  writeFile(home() / "components" / "ondemand-settings.json", settingsWith(temp_ / "clean").dump());
  ProcessResult result = scan({});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const nlohmann::json report = readJson(sessionFolders()[0] / "report.json");
  EXPECT_EQ(report["options"]["profile"], "quick");
}

TEST_F(OdscanIntegrationTest, InvalidSettingsNameTheMember) {
  nlohmann::json settings = settingsWith(temp_.path());
  settings["archive_limits"] = {{"max_depth", "deep"}};
  writeFile(temp_ / "settings.json", settings.dump());
  ProcessResult result = scan({"--settings", (temp_ / "settings.json").string()});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.err.find("'archive_limits.max_depth'"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find((temp_ / "settings.json").string()), std::string::npos) << result.err;
  EXPECT_TRUE(sessionFolders().empty());
}

TEST_F(OdscanIntegrationTest, MissingSettingsFileIsAnError) {
  ProcessResult result = scan({"--settings", (temp_ / "absent.json").string(), "/tmp"});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.err.find("absent.json"), std::string::npos) << result.err;
}

TEST_F(OdscanIntegrationTest, NothingToScanIsAUsageError) {
  ProcessResult result = scan({});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.err.find("nothing to scan"), std::string::npos) << result.err;
  EXPECT_TRUE(sessionFolders().empty());
}

TEST_F(OdscanIntegrationTest, UnreachableConsoleKeepsTheExitCode) {
  writeFile(temp_ / "clean" / "a.txt", "clean\n");
  // Port 9 (discard) on 127.0.0.1 has no listener in the test environment.
  ProcessResult result = scan({"--console", "http://127.0.0.1:9/", (temp_ / "clean").string()});
  EXPECT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.err.find("session logs could not be sent to the console at "
                            "http://127.0.0.1:9/"),
            std::string::npos)
      << result.err;
  EXPECT_TRUE(fs::exists(sessionFolders()[0] / "upload.json"));
}

TEST_F(OdscanIntegrationTest, ConsoleUrlMustBeHttp) {
  ProcessResult result = scan({"--console", "ftp://127.0.0.1/", "/tmp"});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.err.find("invalid console URL"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace odscan::scanner
