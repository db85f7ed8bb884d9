// Runs the built odscan-pattern program as a child process, as a publisher would.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "odscan/common/hasher.h"
#include "odscan/pattern/pattern_file.h"
#include "pattern_test_support.h"

namespace odscan {
namespace {

using testing::readBytes;
using testing::readText;
using testing::TempDir;
using testing::writeBytes;
using testing::writeText;

constexpr const char* kEicarMd5 = "44d88612fea8a8f36de82e1278abb02f";
constexpr const char* kEicarSha256 =
    "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f";
constexpr const char* kUnknownSha256 =
    "0000000000000000000000000000000000000000000000000000000000000001";

struct ToolRun {
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
      quoted.push_back(c);
    }
  }
  return quoted + "'";
}

class PatternToolTest : public ::testing::Test {
 protected:
  ToolRun run(const std::vector<std::string>& args) {
    std::string command = shellQuote(ODSCAN_PATTERN_TOOL);
    for (const std::string& arg : args) command += " " + shellQuote(arg);
    const auto outPath = dir_ / "stdout.txt";
    const auto errPath = dir_ / "stderr.txt";
    command += " >" + shellQuote(outPath.string()) + " 2>" + shellQuote(errPath.string());

    ToolRun result;
    const int status = std::system(command.c_str());
    result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.out = readText(outPath);
    result.err = readText(errPath);
    return result;
  }

  std::string path(const char* name) const { return (dir_ / name).string(); }

  // Creates a key pair and builds the bundled sample set into DIR/out.
  void buildSample() {
    ASSERT_EQ(run({"keygen", "--private", path("publisher.key"), "--public", path("publisher.pub")})
                  .exitCode,
              0);
    const ToolRun build = run({"build", "--key", path("publisher.key"), "--output-dir", path("out"),
                               "--agent-exact", sample("agent-exact.hdb"), sample("sample.hdb"),
                               sample("extra.sha256"), "--version", "202406011200"});
    ASSERT_EQ(build.exitCode, 0) << build.err;
  }

  static std::string sample(const char* name) {
    return std::string(ODSCAN_SOURCE_DIR) + "/patterns/sample/" + name;
  }

  // Builds the sample set again as `version`, with the key buildSample() made.
  void rebuildSample(const char* version) {
    const ToolRun build =
        run({"build", "--key", path("publisher.key"), "--output-dir", path("out"), "--agent-exact",
             sample("agent-exact.hdb"), sample("sample.hdb"), "--version", version});
    ASSERT_EQ(build.exitCode, 0) << build.err;
  }

  ToolRun publish(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"publish",      "--key",    path("publisher.key"),
                                     "--output-dir", path("au"), smartScanPattern(),
                                     agentPattern()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run(args);
  }

  std::string agentPattern() const { return (dir_ / "out" / "agent-pattern.ptn").string(); }
  std::string smartScanPattern() const {
    return (dir_ / "out" / "smart-scan-pattern.ptn").string();
  }

  TempDir dir_;
};

TEST_F(PatternToolTest, HelpListsCommandsAndExitCodes) {
  const ToolRun result = run({"--help"});
  EXPECT_EQ(result.exitCode, 0);
  for (const char* word :
       {"keygen", "build", "verify", "info", "lookup", "publish", "bench-filter", "Exit codes"}) {
    EXPECT_NE(result.out.find(word), std::string::npos) << word;
  }
}

TEST_F(PatternToolTest, KeygenWritesKeyPair) {
  const ToolRun result =
      run({"keygen", "--private", path("publisher.key"), "--public", path("publisher.pub")});
  EXPECT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(readText(dir_ / "publisher.key").find("BEGIN PRIVATE KEY"), std::string::npos);
  EXPECT_NE(readText(dir_ / "publisher.pub").find("BEGIN PUBLIC KEY"), std::string::npos);
  EXPECT_NE(result.out.find("fingerprint"), std::string::npos);
}

TEST_F(PatternToolTest, BuildWritesBothPatterns) {
  buildSample();
  EXPECT_TRUE(std::filesystem::exists(agentPattern()));
  EXPECT_TRUE(std::filesystem::exists(smartScanPattern()));
}

TEST_F(PatternToolTest, BuildPrintsSummary) {
  ASSERT_EQ(run({"keygen", "--private", path("k.key"), "--public", path("k.pub")}).exitCode, 0);
  const ToolRun result = run({"build", "--key", path("k.key"), "--output-dir", path("out"),
                              "--agent-exact", sample("agent-exact.hdb"), sample("sample.hdb"),
                              sample("extra.sha256"), "--version", "7"});
  ASSERT_EQ(result.exitCode, 0) << result.err;

  EXPECT_NE(result.out.find("Built pattern version 7"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("1 exact signature"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("43 signatures (md5 2, sha1 0, sha256 41)"), std::string::npos)
      << result.out;
}

TEST_F(PatternToolTest, VerifyAcceptsBuiltPatterns) {
  buildSample();
  for (const std::string& file : {agentPattern(), smartScanPattern()}) {
    const ToolRun result = run({"verify", "--public", path("publisher.pub"), file});
    EXPECT_EQ(result.exitCode, 0) << result.err;
    EXPECT_EQ(result.out.rfind("OK " + file, 0), 0u) << result.out;
  }
}

TEST_F(PatternToolTest, InfoWithoutKeySaysSignatureNotChecked) {
  buildSample();
  const ToolRun result = run({"info", agentPattern(), "--queries", "100000"});
  ASSERT_EQ(result.exitCode, 0) << result.err;

  EXPECT_NE(result.out.find("Smart Scan Agent Pattern"), std::string::npos);
  EXPECT_NE(result.out.find("202406011200"), std::string::npos);
  EXPECT_NE(result.out.find("not checked"), std::string::npos);
  EXPECT_NE(result.out.find("exact signatures:   1 (md5 1, sha1 0, sha256 0)"), std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("bits per key"), std::string::npos);
  EXPECT_NE(result.out.find("of 100000 random SHA-256 digests"), std::string::npos);
}

TEST_F(PatternToolTest, InfoWithKeySaysVerified) {
  buildSample();
  const ToolRun result = run({"info", smartScanPattern(), "--public", path("publisher.pub")});
  ASSERT_EQ(result.exitCode, 0) << result.err;

  EXPECT_NE(result.out.find("signature:          verified"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("signatures:         43"), std::string::npos) << result.out;
}

TEST_F(PatternToolTest, LookupFindsExactSignature) {
  buildSample();
  const ToolRun result =
      run({"lookup", agentPattern(), kEicarMd5, "--size", "68", "--public", path("publisher.pub")});
  EXPECT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(result.out, "exact match: Eicar-Test-Signature\n");
}

TEST_F(PatternToolTest, LookupSaysQueryNeededForFilterHit) {
  buildSample();
  const ToolRun result = run({"lookup", agentPattern(), kEicarSha256});
  EXPECT_EQ(result.exitCode, 3) << result.err;
  EXPECT_EQ(result.out.rfind("query needed", 0), 0u) << result.out;
  EXPECT_NE(result.err.find("signature not checked"), std::string::npos);
}

TEST_F(PatternToolTest, LookupSaysCertainlyClean) {
  buildSample();
  const ToolRun result = run({"lookup", agentPattern(), kUnknownSha256});
  EXPECT_EQ(result.exitCode, 1) << result.err;
  EXPECT_EQ(result.out.rfind("certainly clean", 0), 0u) << result.out;
}

TEST_F(PatternToolTest, LookupInSmartScanPatternPrintsThreatName) {
  buildSample();
  const ToolRun match = run({"lookup", smartScanPattern(), kEicarSha256, "--size", "68"});
  EXPECT_EQ(match.exitCode, 0);
  EXPECT_EQ(match.out, "match: Eicar-Test-Signature\n");

  const ToolRun miss = run({"lookup", smartScanPattern(), kEicarMd5, "--size", "69"});
  EXPECT_EQ(miss.exitCode, 1);
  EXPECT_EQ(miss.out.rfind("no match", 0), 0u) << miss.out;
}

TEST_F(PatternToolTest, SampleMatchesRealClamTestFile) {
  const std::filesystem::path clam = "/usr/share/clamav-testfiles/clam.exe";
  if (!std::filesystem::exists(clam)) GTEST_SKIP() << "clamav-testfiles is not installed";
  buildSample();
  const auto bytes = readBytes(clam);
  const std::string md5 = MultiHasher::digestOf(DigestKind::kMd5, bytes).toHex();

  const std::string size = std::to_string(bytes.size());

  // The sample agent pattern holds only EICAR exactly, so clam.exe needs a scan
  // query, and the Smart Scan Pattern answers it.
  const ToolRun agent =
      run({"lookup", agentPattern(), md5, "--size", size, "--public", path("publisher.pub")});
  EXPECT_EQ(agent.exitCode, 3) << agent.err;
  EXPECT_NE(agent.out.find("query needed"), std::string::npos) << agent.out;
  const ToolRun full =
      run({"lookup", smartScanPattern(), md5, "--size", size, "--public", path("publisher.pub")});
  EXPECT_EQ(full.exitCode, 0) << full.err;
  EXPECT_EQ(full.out, "match: Clamav.Test.File-6\n");
}

TEST_F(PatternToolTest, BenchFilterPrintsMeasurements) {
  const ToolRun result = run({"bench-filter", "--keys", "20000", "--loads", "3", "--queries",
                              "20000", "--work-dir", dir_.path().string()});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  for (const char* word : {"build time", "file size", "load time", "false positives"}) {
    EXPECT_NE(result.out.find(word), std::string::npos) << word;
  }
}

TEST_F(PatternToolTest, PublishWritesActiveUpdateFolder) {
  buildSample();
  const ToolRun result = publish();
  ASSERT_EQ(result.exitCode, 0) << result.err;

  EXPECT_EQ(result.out.rfind("Published to " + path("au") + "; manifest signed by key ", 0), 0u)
      << result.out;
  EXPECT_NE(result.out.find("  smart-scan-pattern 202406011200 (added): "
                            "smart-scan-pattern-202406011200.ptn, "),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("  agent-pattern 202406011200 (added): agent-pattern-202406011200.ptn"),
            std::string::npos)
      << result.out;
  for (const char* name :
       {"manifest.json", "manifest.json.sig", "smart-scan-pattern-202406011200.ptn",
        "agent-pattern-202406011200.ptn"}) {
    EXPECT_TRUE(std::filesystem::exists(dir_ / "au" / name)) << name;
  }
}

TEST_F(PatternToolTest, PublishSameFilesAgainChangesNothing) {
  buildSample();
  ASSERT_EQ(publish().exitCode, 0);
  const std::string manifest = readText(dir_ / "au" / "manifest.json");

  const ToolRun result = publish();
  EXPECT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(result.out.rfind("Nothing new to publish", 0), 0u) << result.out;
  EXPECT_NE(result.out.find("(unchanged)"), std::string::npos) << result.out;
  EXPECT_EQ(readText(dir_ / "au" / "manifest.json"), manifest);
}

TEST_F(PatternToolTest, PublishNewerVersionRemovesOldFilesBeyondKeep) {
  buildSample();
  ASSERT_EQ(publish({"--keep", "1"}).exitCode, 0);
  rebuildSample("202406021200");

  const ToolRun result = publish({"--keep", "1"});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.out.find("smart-scan-pattern 202406021200 (upgraded from 202406011200)"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("removed old file smart-scan-pattern-202406011200.ptn"),
            std::string::npos)
      << result.out;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "au" / "smart-scan-pattern-202406011200.ptn"));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "au" / "smart-scan-pattern-202406021200.ptn"));
}

TEST_F(PatternToolTest, PublishAddsOtherComponent) {
  buildSample();
  writeText(dir_ / "odscan.exe", "program");
  const ToolRun result = publish(
      {"--component", "odscan=" + path("odscan.exe"), "--component-version", "odscan=20261204"});
  ASSERT_EQ(result.exitCode, 0) << result.err;

  EXPECT_NE(result.out.find("  odscan 20261204 (added): odscan-20261204.exe, 7 bytes"),
            std::string::npos)
      << result.out;
  EXPECT_EQ(readText(dir_ / "au" / "odscan-20261204.exe"), "program");
  EXPECT_NE(readText(dir_ / "au" / "manifest.json").find("\"name\": \"odscan\""),
            std::string::npos);
}

TEST_F(PatternToolTest, PublishOlderVersionNeedsAllowDowngrade) {
  buildSample();
  ASSERT_EQ(publish().exitCode, 0);
  rebuildSample("202405011200");

  const ToolRun rejected = publish();
  EXPECT_EQ(rejected.exitCode, 2);
  EXPECT_NE(rejected.err.find("is older than the published version 202406011200; pass "
                              "--allow-downgrade"),
            std::string::npos)
      << rejected.err;
  EXPECT_NE(rejected.err.find("error: the manifest in " + path("au") + " was not changed"),
            std::string::npos)
      << rejected.err;

  const ToolRun allowed = publish({"--allow-downgrade"});
  EXPECT_EQ(allowed.exitCode, 0) << allowed.err;
  EXPECT_NE(allowed.out.find("(downgraded from 202406011200)"), std::string::npos) << allowed.out;
}

// --- Error paths ---

TEST_F(PatternToolTest, PublishTamperedPatternIsRejected) {
  buildSample();
  auto bytes = readBytes(agentPattern());
  bytes[kPatternHeaderSize + 5] ^= 0x10;
  writeBytes(agentPattern(), bytes);

  const ToolRun result = publish();
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.err.find("does not verify"), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "au" / "manifest.json"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "au" / "smart-scan-pattern-202406011200.ptn"));
}

TEST_F(PatternToolTest, PublishWithOtherKeyIsRejected) {
  buildSample();
  ASSERT_EQ(run({"keygen", "--private", path("other.key"), "--public", path("other.pub")}).exitCode,
            0);
  const ToolRun result =
      run({"publish", "--key", path("other.key"), "--output-dir", path("au"), smartScanPattern()});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.err.find("not by the expected key"), std::string::npos) << result.err;
}

TEST_F(PatternToolTest, PublishArgumentErrorsAreUsageErrors) {
  buildSample();
  writeText(dir_ / "odscan.exe", "program");
  const std::string key = path("publisher.key");
  const std::string au = path("au");
  struct Case {
    std::vector<std::string> args;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {{"publish", "--key", key, "--output-dir", au}, "nothing to publish"},
      {{"publish", "--key", key, "--output-dir", au, "--component", "odscan=" + path("odscan.exe")},
       "pass --component-version odscan=VERSION"},
      {{"publish", "--key", key, "--output-dir", au, "--component-version", "odscan=5"},
       "which no --component gives a file for"},
      {{"publish", "--key", key, "--output-dir", au, "--component", "odscan"}, "is not NAME=FILE"},
      {{"publish", "--key", key, "--output-dir", au, "--component", "odscan=" + path("odscan.exe"),
        "--component-version", "odscan=v5"},
       "is not NAME=VERSION"},
      {{"publish", "--key", key, "--output-dir", au, "--component", "odscan=" + path("odscan.exe"),
        "--component-version", "odscan=18446744073709551616"},
       "is not NAME=VERSION"},
      {{"publish", "--key", key, "--output-dir", au, "--component", "odscan=" + path("odscan.exe"),
        "--component-version", "odscan=5", "--component-version", "odscan=6"},
       "--component-version is given twice for 'odscan'"},
      {{"publish", "--key", key, "--output-dir", au, "--component", "odscan=" + path("odscan.exe"),
        "--component", "odscan=" + path("odscan.exe"), "--component-version", "odscan=5"},
       "component 'odscan' is given twice"},
      {{"publish", "--key", key, "--output-dir", au, "--component",
        "agent-pattern=" + path("odscan.exe"), "--component-version", "agent-pattern=5"},
       "reserved for pattern files"},
      {{"publish", "--key", key, "--output-dir", au, "--keep", "0", smartScanPattern()}, "--keep"},
      {{"publish", "--key", path("absent.key"), "--output-dir", au, smartScanPattern()},
       "absent.key"},
      {{"publish", "--output-dir", au, smartScanPattern()}, "--key"},
  };
  for (const Case& test : cases) {
    const ToolRun result = run(test.args);
    EXPECT_EQ(result.exitCode, 2) << test.expected;
    EXPECT_NE(result.err.find(test.expected), std::string::npos) << result.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ / "au" / "manifest.json"));
}

TEST_F(PatternToolTest, KeygenRefusesToOverwrite) {
  writeText(dir_ / "publisher.key", "existing");
  const ToolRun result =
      run({"keygen", "--private", path("publisher.key"), "--public", path("publisher.pub")});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.err.find("--force"), std::string::npos);
  EXPECT_EQ(readText(dir_ / "publisher.key"), "existing");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "publisher.pub"));
}

TEST_F(PatternToolTest, KeygenForceOverwrites) {
  writeText(dir_ / "publisher.key", "existing");
  const ToolRun result = run(
      {"keygen", "--private", path("publisher.key"), "--public", path("publisher.pub"), "--force"});
  EXPECT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(readText(dir_ / "publisher.key").find("BEGIN PRIVATE KEY"), std::string::npos);
}

TEST_F(PatternToolTest, FailedBuildKeepsPreviousPatterns) {
  buildSample();
  const auto agentBefore = readBytes(agentPattern());
  const auto smartScanBefore = readBytes(smartScanPattern());
  writeText(dir_ / "bad.hdb", std::string(kEicarMd5) + ":68:Good\n" + kEicarMd5 + ":big:Bad\n");

  const ToolRun result = run({"build", "--key", path("publisher.key"), "--output-dir", path("out"),
                              sample("sample.hdb"), path("bad.hdb")});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.err.find(path("bad.hdb") + ":2: " + kEicarMd5 +
                            ":big:Bad: file size 'big' is not a decimal byte count or '*'"),
            std::string::npos)
      << result.err;
  EXPECT_EQ(readBytes(agentPattern()), agentBefore);
  EXPECT_EQ(readBytes(smartScanPattern()), smartScanBefore);
}

TEST_F(PatternToolTest, BuildWarnsAboutConflictingDuplicate) {
  buildSample();
  writeText(dir_ / "conflict.hdb", std::string(kEicarMd5) + ":68:Another.Name\n");
  const ToolRun result = run({"build", "--key", path("publisher.key"), "--output-dir", path("out"),
                              sample("sample.hdb"), path("conflict.hdb")});
  EXPECT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.err.find("warning: " + path("conflict.hdb") + ":1: signature"),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("keeping the name 'Eicar-Test-Signature'"), std::string::npos);
}

TEST_F(PatternToolTest, BuildWithoutSignatureFilesIsUsageError) {
  buildSample();
  const ToolRun result =
      run({"build", "--key", path("publisher.key"), "--output-dir", path("out")});
  EXPECT_EQ(result.exitCode, 2);
}

TEST_F(PatternToolTest, BuildWithMissingKeyIsUsageError) {
  const ToolRun result = run(
      {"build", "--key", path("absent.key"), "--output-dir", path("out"), sample("sample.hdb")});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.err.find("absent.key"), std::string::npos);
}

TEST_F(PatternToolTest, VerifyRejectsTamperedFile) {
  buildSample();
  auto bytes = readBytes(agentPattern());
  bytes[kPatternHeaderSize + 5] ^= 0x10;
  writeBytes(dir_ / "tampered.ptn", bytes);

  const ToolRun result = run({"verify", "--public", path("publisher.pub"), path("tampered.ptn")});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("tampered.ptn"), std::string::npos);
  EXPECT_NE(result.err.find("does not verify"), std::string::npos) << result.err;
}

TEST_F(PatternToolTest, VerifyRejectsWrongKey) {
  buildSample();
  ASSERT_EQ(run({"keygen", "--private", path("other.key"), "--public", path("other.pub")}).exitCode,
            0);
  const ToolRun result = run({"verify", "--public", path("other.pub"), agentPattern()});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("not by the expected key"), std::string::npos) << result.err;
}

TEST_F(PatternToolTest, VerifyRejectsTruncatedFile) {
  buildSample();
  const auto bytes = readBytes(agentPattern());
  writeBytes(dir_ / "short.ptn", std::span(bytes).first(bytes.size() / 2));
  const ToolRun result = run({"verify", "--public", path("publisher.pub"), path("short.ptn")});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("truncated"), std::string::npos) << result.err;
}

TEST_F(PatternToolTest, VerifyMissingFileIsUsageError) {
  buildSample();
  const ToolRun result = run({"verify", "--public", path("publisher.pub"), path("absent.ptn")});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.err.find("absent.ptn"), std::string::npos);
}

TEST_F(PatternToolTest, LookupBadDigestIsUsageError) {
  buildSample();
  const ToolRun result = run({"lookup", agentPattern(), "xyz"});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.err.find("xyz"), std::string::npos);
}

TEST_F(PatternToolTest, UnknownCommandIsUsageError) {
  EXPECT_EQ(run({"frobnicate"}).exitCode, 2);
  EXPECT_EQ(run({}).exitCode, 2);
  EXPECT_EQ(run({"verify", "only-a-file"}).exitCode, 2);
}

}  // namespace
}  // namespace odscan
