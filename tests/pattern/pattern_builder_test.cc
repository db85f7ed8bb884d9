#include "odscan/pattern/pattern_builder.h"

#include <gtest/gtest.h>

#include "odscan/pattern/agent_pattern.h"
#include "odscan/pattern/smart_scan_pattern.h"
#include "pattern_test_support.h"

namespace odscan {
namespace {

using testing::digestFromHex;
using testing::readBytes;
using testing::TempDir;
using testing::writeText;

constexpr const char* kEicarMd5 = "44d88612fea8a8f36de82e1278abb02f";
constexpr const char* kClamMd5 = "aa15bcf478d165efd2065190eb473bcb";
constexpr const char* kEicarSha256 =
    "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f";
constexpr const char* kOtherSha256 =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

class PatternBuilderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    writeText(dir_ / "exact.hdb", std::string(kEicarMd5) + ":68:Eicar-Test-Signature\n");
    writeText(dir_ / "main.hdb", std::string(kClamMd5) + ":544:Clamav.Test.File-6\n" + kEicarMd5 +
                                     ":68:Eicar-Test-Signature\n");
    writeText(dir_ / "extra.sha256",
              std::string(kEicarSha256) + " Eicar-Test-Signature\n" + kOtherSha256 + "\n");
    options_.outputDirectory = dir_ / "out";
    options_.agentExactFiles = {dir_ / "exact.hdb"};
    options_.signatureFiles = {dir_ / "main.hdb", dir_ / "extra.sha256"};
    options_.version = 42;
    options_.creationTime = 1717243200;
  }

  Result<PatternBuildReport> build() { return buildPatternFiles(options_, key_); }

  TempDir dir_;
  PrivateKey key_ = testing::generateKey();
  PatternBuildOptions options_;
};

TEST_F(PatternBuilderTest, WritesBothPatterns) {
  auto report = build();
  ASSERT_TRUE(report.ok()) << report.status().toString();

  EXPECT_EQ(report->smartScanPatternPath, dir_ / "out" / "smart-scan-pattern.ptn");
  EXPECT_EQ(report->agentPatternPath, dir_ / "out" / "agent-pattern.ptn");
  EXPECT_TRUE(std::filesystem::exists(report->smartScanPatternPath));
  EXPECT_TRUE(std::filesystem::exists(report->agentPatternPath));
  EXPECT_EQ(report->smartScanFileSize, std::filesystem::file_size(report->smartScanPatternPath));
  EXPECT_EQ(report->agentFileSize, std::filesystem::file_size(report->agentPatternPath));
}

TEST_F(PatternBuilderTest, SmartScanPatternHoldsEverySignature) {
  ASSERT_TRUE(build().ok());
  auto pattern = SmartScanPattern::load(dir_ / "out" / "smart-scan-pattern.ptn", key_.publicKey());
  ASSERT_TRUE(pattern.ok()) << pattern.status().toString();

  EXPECT_EQ(pattern->version(), 42u);
  EXPECT_EQ(pattern->creationTime(), 1717243200);
  EXPECT_EQ(pattern->signatureCount(), 4u);
  EXPECT_EQ(pattern->find(digestFromHex(kClamMd5), 544), "Clamav.Test.File-6");
  EXPECT_EQ(pattern->find(digestFromHex(kEicarSha256), 68), "Eicar-Test-Signature");
  EXPECT_EQ(pattern->find(digestFromHex(kOtherSha256), 1), "Unnamed.0123456789ab");
}

TEST_F(PatternBuilderTest, AgentPatternHoldsOnlyAgentExactSignatures) {
  ASSERT_TRUE(build().ok());
  auto pattern = AgentPattern::load(dir_ / "out" / "agent-pattern.ptn", key_.publicKey());
  ASSERT_TRUE(pattern.ok()) << pattern.status().toString();

  EXPECT_EQ(pattern->exactCount(), 1u);
  EXPECT_EQ(pattern->findExact(digestFromHex(kEicarMd5), 68), "Eicar-Test-Signature");
  EXPECT_EQ(pattern->findExact(digestFromHex(kClamMd5), 544), std::nullopt);
  EXPECT_EQ(pattern->filterKeyCount(), 4u);
  for (const char* hex : {kEicarMd5, kClamMd5, kEicarSha256, kOtherSha256}) {
    EXPECT_TRUE(pattern->mayContain(digestFromHex(hex))) << hex;
  }
}

TEST_F(PatternBuilderTest, ReportCountsSignatures) {
  auto report = build();
  ASSERT_TRUE(report.ok());

  EXPECT_EQ(report->signaturesRead, 5u);
  EXPECT_EQ(report->duplicates, 1u);
  EXPECT_EQ(report->conflictingDuplicates, 0u);
  EXPECT_EQ(report->smartScanSignatures, 4u);
  EXPECT_EQ(report->smartScanByKind[digestKindIndex(DigestKind::kMd5)], 2u);
  EXPECT_EQ(report->smartScanByKind[digestKindIndex(DigestKind::kSha256)], 2u);
  EXPECT_EQ(report->agentExactSignatures, 1u);
  EXPECT_EQ(report->filterKeys, 4u);
  EXPECT_TRUE(report->warnings.empty());
}

TEST_F(PatternBuilderTest, ConflictingDuplicateKeepsFirstNameAndWarns) {
  writeText(dir_ / "main.hdb", std::string(kEicarMd5) + ":68:Other.Name\n");
  auto report = build();
  ASSERT_TRUE(report.ok()) << report.status().toString();

  EXPECT_EQ(report->conflictingDuplicates, 1u);
  ASSERT_EQ(report->warnings.size(), 1u);
  EXPECT_EQ(report->warnings[0], (dir_ / "main.hdb").string() + ":1: signature " + kEicarMd5 +
                                     ":68 named 'Other.Name' repeats " +
                                     (dir_ / "exact.hdb").string() +
                                     ":1; keeping the name 'Eicar-Test-Signature'");
  auto pattern = SmartScanPattern::load(dir_ / "out" / "smart-scan-pattern.ptn", key_.publicKey());
  ASSERT_TRUE(pattern.ok());
  EXPECT_EQ(pattern->find(digestFromHex(kEicarMd5), 68), "Eicar-Test-Signature");
}

TEST_F(PatternBuilderTest, WarningsAreListedUpToLimit) {
  std::string first;
  std::string second;
  for (int i = 0; i < 30; ++i) {
    char hex[33];
    std::snprintf(hex, sizeof(hex), "%032x", i + 1);
    first += std::string(hex) + ":1:First\n";
    second += std::string(hex) + ":1:Second\n";
  }
  writeText(dir_ / "main.hdb", first + second);
  auto report = build();
  ASSERT_TRUE(report.ok());

  EXPECT_EQ(report->conflictingDuplicates, 30u);
  EXPECT_EQ(report->warnings.size(), kMaxListedWarnings);
}

TEST_F(PatternBuilderTest, MissingOutputFolderIsCreated) {
  options_.outputDirectory = dir_ / "a" / "b" / "c";
  ASSERT_TRUE(build().ok());
  EXPECT_TRUE(std::filesystem::exists(dir_ / "a" / "b" / "c" / "agent-pattern.ptn"));
}

TEST_F(PatternBuilderTest, RebuildReplacesFilesAndLeavesNoTemporaryFiles) {
  ASSERT_TRUE(build().ok());
  options_.version = 43;
  ASSERT_TRUE(build().ok());

  auto pattern = AgentPattern::load(dir_ / "out" / "agent-pattern.ptn", key_.publicKey());
  ASSERT_TRUE(pattern.ok());
  EXPECT_EQ(pattern->version(), 43u);
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_ / "out")) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 2u);
}

TEST(PatternVersionTest, DefaultVersionIsUtcTimeAsDigits) {
  // 2024-06-01 12:34:56 UTC
  const auto time = std::chrono::system_clock::time_point(std::chrono::seconds(1717245296));
  EXPECT_EQ(defaultPatternVersion(time), 202406011234u);
}

// --- Error paths ---

TEST_F(PatternBuilderTest, FailedBuildKeepsPreviousPatterns) {
  ASSERT_TRUE(build().ok());
  const auto smartScanBefore = readBytes(dir_ / "out" / "smart-scan-pattern.ptn");
  const auto agentBefore = readBytes(dir_ / "out" / "agent-pattern.ptn");

  writeText(dir_ / "extra.sha256", std::string(kEicarSha256) + " Good\nnot-hex Bad\n");
  options_.version = 99;
  auto report = build();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(report.status().message().find("extra.sha256:2: not-hex Bad: "), std::string::npos);

  EXPECT_EQ(readBytes(dir_ / "out" / "smart-scan-pattern.ptn"), smartScanBefore);
  EXPECT_EQ(readBytes(dir_ / "out" / "agent-pattern.ptn"), agentBefore);
}

TEST_F(PatternBuilderTest, MissingSignatureFileFails) {
  options_.signatureFiles.push_back(dir_ / "absent.hdb");
  auto report = build();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "out"));
}

TEST_F(PatternBuilderTest, NoSignaturesFails) {
  writeText(dir_ / "empty.hdb", "# nothing here\n");
  options_.agentExactFiles = {};
  options_.signatureFiles = {dir_ / "empty.hdb"};
  auto report = build();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(report.status().message().find("no signatures"), std::string::npos);
}

TEST_F(PatternBuilderTest, OutputFolderThatIsAFileFails) {
  writeText(dir_ / "occupied", "x");
  options_.outputDirectory = dir_ / "occupied";
  auto report = build();
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("occupied"), std::string::npos);
}

}  // namespace
}  // namespace odscan
