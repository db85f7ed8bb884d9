#include "odscan/activeupdate/component_publisher.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include "activeupdate_test_support.h"
#include "odscan/activeupdate/update_source.h"
#include "pattern_test_support.h"

namespace odscan::activeupdate {
namespace {

using testing::readBytes;
using testing::TempDir;
using testing::writeBytes;
using testing::writeText;

class PublisherTest : public ::testing::Test {
 protected:
  std::filesystem::path folder() const { return dir_ / "au"; }

  // Writes both patterns of `version` and publishes them.
  Result<PublishReport> publishVersion(std::uint64_t version, std::size_t keep = 3,
                                       bool allowDowngrade = false) {
    PublishOptions options = optionsFor(testing::writePatternPair(dir_.path(), key_, version));
    options.keep = keep;
    options.allowDowngrade = allowDowngrade;
    return publishComponents(options, key_);
  }

  PublishOptions optionsFor(std::vector<std::filesystem::path> patterns) const {
    PublishOptions options;
    options.outputDirectory = folder();
    options.patternFiles = std::move(patterns);
    return options;
  }

  Manifest fetchManifest() {
    auto source = UpdateSource::open(folder().string(), key_.publicKey());
    EXPECT_TRUE(source.ok()) << source.status().toString();
    auto manifest = source->fetchManifest();
    EXPECT_TRUE(manifest.ok()) << manifest.status().toString();
    return manifest.ok() ? *manifest : Manifest{};
  }

  bool hasFile(const std::string& name) const { return std::filesystem::exists(folder() / name); }

  TempDir dir_;
  PrivateKey key_ = testing::generateKey();
};

TEST_F(PublisherTest, PublishWritesSignedFolder) {
  auto report = publishVersion(5);
  ASSERT_TRUE(report.ok()) << report.status().toString();

  EXPECT_TRUE(report->manifestWritten);
  EXPECT_TRUE(hasFile("smart-scan-pattern-5.ptn"));
  EXPECT_TRUE(hasFile("agent-pattern-5.ptn"));
  EXPECT_EQ(readBytes(folder() / kManifestSignatureFileName).size(), 64u);
  const Manifest manifest = fetchManifest();
  ASSERT_EQ(manifest.components.size(), 2u);
  EXPECT_EQ(manifest.components[0].name, "agent-pattern");
  EXPECT_EQ(manifest.components[1].name, "smart-scan-pattern");
  EXPECT_EQ(manifest.components[1].version, 5u);
  EXPECT_EQ(manifest.components[1].file, "smart-scan-pattern-5.ptn");
}

TEST_F(PublisherTest, PublishedPatternsFetchFromFolder) {
  const auto inputs = testing::writePatternPair(dir_.path(), key_, 5);
  auto report = publishComponents(optionsFor(inputs), key_);
  ASSERT_TRUE(report.ok()) << report.status().toString();

  auto source = UpdateSource::open(folder().string(), key_.publicKey());
  ASSERT_TRUE(source.ok()) << source.status().toString();
  auto manifest = source->fetchManifest();
  ASSERT_TRUE(manifest.ok()) << manifest.status().toString();
  const ManifestEntry* smartScan = manifest->find(kSmartScanPatternComponent);
  const ManifestEntry* agent = manifest->find(kAgentPatternComponent);
  ASSERT_NE(smartScan, nullptr);
  ASSERT_NE(agent, nullptr);

  auto smartScanBytes = source->fetchComponent(*smartScan);
  ASSERT_TRUE(smartScanBytes.ok()) << smartScanBytes.status().toString();
  EXPECT_EQ(*smartScanBytes, readBytes(inputs[0]));
  auto agentBytes = source->fetchComponent(*agent);
  ASSERT_TRUE(agentBytes.ok()) << agentBytes.status().toString();
  EXPECT_EQ(*agentBytes, readBytes(inputs[1]));
}

TEST_F(PublisherTest, ManifestCreatedIsPublishTime) {
  PublishOptions options = optionsFor(testing::writePatternPair(dir_.path(), key_, 5));
  options.publishTime = std::chrono::system_clock::from_time_t(1796387400);
  ASSERT_TRUE(publishComponents(options, key_).ok());
  EXPECT_EQ(fetchManifest().created, "2026-12-04T12:30:00Z");
}

TEST_F(PublisherTest, SecondPublishMovesVersionsForward) {
  ASSERT_TRUE(publishVersion(5).ok());
  auto report = publishVersion(6);
  ASSERT_TRUE(report.ok()) << report.status().toString();

  ASSERT_EQ(report->published.size(), 2u);
  EXPECT_EQ(report->published[0].change, ComponentChange::kUpgraded);
  EXPECT_EQ(report->published[0].previousVersion, 5u);
  const Manifest manifest = fetchManifest();
  EXPECT_EQ(manifest.find(kSmartScanPatternComponent)->version, 6u);
  EXPECT_EQ(manifest.find(kAgentPatternComponent)->version, 6u);
  // A reader holding the version 5 manifest still finds its files.
  EXPECT_TRUE(hasFile("smart-scan-pattern-5.ptn"));
  EXPECT_TRUE(hasFile("agent-pattern-5.ptn"));
}

TEST_F(PublisherTest, PreviousManifestVerifiesWithNewSignatureFile) {
  ASSERT_TRUE(publishVersion(5).ok());
  const auto previous = readBytes(folder() / kManifestFileName);
  ASSERT_TRUE(publishVersion(6).ok());

  const auto signatureFile = readBytes(folder() / kManifestSignatureFileName);
  EXPECT_EQ(signatureFile.size(), 128u);
  auto verified = verifyManifest(previous, signatureFile, key_.publicKey());
  ASSERT_TRUE(verified.ok()) << verified.status().toString();
  EXPECT_EQ(verified->find(kSmartScanPatternComponent)->version, 5u);
}

TEST_F(PublisherTest, KeepRemovesOldVersions) {
  for (std::uint64_t version = 1; version <= 3; ++version) {
    ASSERT_TRUE(publishVersion(version, 2).ok());
  }
  auto report = publishVersion(4, 2);
  ASSERT_TRUE(report.ok()) << report.status().toString();

  EXPECT_TRUE(hasFile("smart-scan-pattern-4.ptn"));
  EXPECT_TRUE(hasFile("smart-scan-pattern-3.ptn"));
  EXPECT_FALSE(hasFile("smart-scan-pattern-2.ptn"));
  EXPECT_FALSE(hasFile("smart-scan-pattern-1.ptn"));
  EXPECT_FALSE(hasFile("agent-pattern-2.ptn"));
  EXPECT_EQ(report->removedFiles.size(), 2u);
  EXPECT_TRUE(report->warnings.empty());
}

TEST_F(PublisherTest, KeepLeavesOtherFilesAlone) {
  std::filesystem::create_directories(folder());
  for (const char* name : {"smart-scan-pattern.ptn", "smart-scan-pattern-1.ptn.tmp-1-2-3",
                           "smart-scan-pattern-x-1.ptn", "index.html"}) {
    writeText(folder() / name, "other");
  }
  ASSERT_TRUE(publishVersion(5, 1).ok());
  ASSERT_TRUE(publishVersion(6, 1).ok());

  EXPECT_FALSE(hasFile("smart-scan-pattern-5.ptn"));
  for (const char* name : {"smart-scan-pattern.ptn", "smart-scan-pattern-1.ptn.tmp-1-2-3",
                           "smart-scan-pattern-x-1.ptn", "index.html"}) {
    EXPECT_TRUE(hasFile(name)) << name;
  }
}

TEST_F(PublisherTest, DowngradeIsAllowedWithFlag) {
  ASSERT_TRUE(publishVersion(6).ok());
  auto report = publishVersion(5, 3, true);
  ASSERT_TRUE(report.ok()) << report.status().toString();

  EXPECT_EQ(report->published[0].change, ComponentChange::kDowngraded);
  EXPECT_EQ(fetchManifest().find(kSmartScanPatternComponent)->version, 5u);
}

TEST_F(PublisherTest, KeepAlwaysKeepsCurrentVersion) {
  for (std::uint64_t version = 5; version <= 7; ++version) {
    ASSERT_TRUE(publishVersion(version).ok());
  }
  ASSERT_TRUE(publishVersion(4, 2, true).ok());

  EXPECT_TRUE(hasFile("smart-scan-pattern-4.ptn"));
  EXPECT_TRUE(hasFile("smart-scan-pattern-7.ptn"));
  EXPECT_FALSE(hasFile("smart-scan-pattern-6.ptn"));
  EXPECT_FALSE(hasFile("smart-scan-pattern-5.ptn"));
}

TEST_F(PublisherTest, RepublishingSameFilesChangesNothing) {
  ASSERT_TRUE(publishVersion(5).ok());
  const auto manifestBefore = readBytes(folder() / kManifestFileName);
  const auto signatureBefore = readBytes(folder() / kManifestSignatureFileName);

  auto report = publishVersion(5);
  ASSERT_TRUE(report.ok()) << report.status().toString();
  EXPECT_FALSE(report->manifestWritten);
  EXPECT_EQ(report->published[0].change, ComponentChange::kUnchanged);
  EXPECT_EQ(readBytes(folder() / kManifestFileName), manifestBefore);
  EXPECT_EQ(readBytes(folder() / kManifestSignatureFileName), signatureBefore);
}

TEST_F(PublisherTest, RepublishingRepairsDamagedFile) {
  ASSERT_TRUE(publishVersion(5).ok());
  const auto original = readBytes(folder() / "agent-pattern-5.ptn");
  writeText(folder() / "agent-pattern-5.ptn", "damaged");

  ASSERT_TRUE(publishVersion(5).ok());
  EXPECT_EQ(readBytes(folder() / "agent-pattern-5.ptn"), original);
}

TEST_F(PublisherTest, PublishingOnePatternKeepsTheOther) {
  ASSERT_TRUE(publishVersion(5).ok());
  const auto inputs = testing::writePatternPair(dir_.path(), key_, 6);
  auto report = publishComponents(optionsFor({inputs[0]}), key_);
  ASSERT_TRUE(report.ok()) << report.status().toString();

  const Manifest manifest = fetchManifest();
  EXPECT_EQ(manifest.find(kSmartScanPatternComponent)->version, 6u);
  EXPECT_EQ(manifest.find(kAgentPatternComponent)->version, 5u);
}

TEST_F(PublisherTest, OtherComponentKeepsGivenNameAndVersion) {
  writeText(dir_ / "odscan.exe", "MZ program bytes");
  PublishOptions options = optionsFor({});
  options.otherComponents = {{"odscan", 20261204, dir_ / "odscan.exe"}};
  auto report = publishComponents(options, key_);
  ASSERT_TRUE(report.ok()) << report.status().toString();

  const Manifest manifest = fetchManifest();
  const ManifestEntry* entry = manifest.find("odscan");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->version, 20261204u);
  EXPECT_EQ(entry->file, "odscan-20261204.exe");
  EXPECT_EQ(entry->size, 16u);
  EXPECT_EQ(testing::readText(folder() / entry->file), "MZ program bytes");
}

TEST_F(PublisherTest, PublishedFilesAreWorldReadable) {
  ASSERT_TRUE(publishVersion(5).ok());
  for (const std::string_view name :
       {kManifestFileName, kManifestSignatureFileName, std::string_view("agent-pattern-5.ptn")}) {
    const auto permissions = std::filesystem::status(folder() / name).permissions();
    EXPECT_NE(permissions & std::filesystem::perms::others_read, std::filesystem::perms::none)
        << name;
  }
}

// --- Error paths ---

TEST_F(PublisherTest, DowngradeIsRejected) {
  ASSERT_TRUE(publishVersion(6).ok());
  const auto manifestBefore = readBytes(folder() / kManifestFileName);

  auto report = publishVersion(5);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(report.status().message().find("version 5 is older than the published version 6"),
            std::string::npos)
      << report.status().message();
  EXPECT_NE(report.status().message().find("--allow-downgrade"), std::string::npos);
  EXPECT_EQ(readBytes(folder() / kManifestFileName), manifestBefore);
  EXPECT_FALSE(hasFile("smart-scan-pattern-5.ptn"));
}

TEST_F(PublisherTest, SameVersionWithOtherContentsIsRejected) {
  ASSERT_TRUE(publishVersion(5).ok());
  writeBytes(dir_ / "rebuilt.ptn",
             testing::smartScanPatternFile(key_, 5, testing::kTestCreationTime + 60));

  auto report = publishComponents(optionsFor({dir_ / "rebuilt.ptn"}), key_);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(report.status().message().find("already published with other contents"),
            std::string::npos)
      << report.status().message();
}

TEST_F(PublisherTest, FailedPublishRemovesFilesItCreated) {
  const auto inputs = testing::writePatternPair(dir_.path(), key_, 5);
  auto tampered = readBytes(inputs[1]);
  tampered[kPatternHeaderSize + 3] ^= 0x40;
  writeBytes(inputs[1], tampered);

  auto report = publishComponents(optionsFor(inputs), key_);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kBadSignature);
  EXPECT_NE(report.status().message().find(inputs[1].string()), std::string::npos)
      << report.status().message();
  EXPECT_FALSE(hasFile("smart-scan-pattern-5.ptn"));
  EXPECT_FALSE(hasFile(std::string(kManifestFileName)));
}

TEST_F(PublisherTest, PatternOfAnotherKeyIsRejected) {
  const PrivateKey other = testing::generateKey();
  const auto inputs = testing::writePatternPair(dir_.path(), other, 5);
  auto report = publishComponents(optionsFor(inputs), key_);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kBadSignature);
  EXPECT_NE(report.status().message().find("not by the expected key"), std::string::npos)
      << report.status().message();
}

TEST_F(PublisherTest, MissingPatternFileIsNotFound) {
  auto report = publishComponents(optionsFor({dir_ / "absent.ptn"}), key_);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kNotFound);
  EXPECT_NE(report.status().message().find("absent.ptn"), std::string::npos);
}

TEST_F(PublisherTest, FolderOfAnotherKeyIsRejected) {
  ASSERT_TRUE(publishVersion(5).ok());
  key_ = testing::generateKey();

  auto report = publishVersion(6);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kBadSignature);
  EXPECT_NE(report.status().message().find("cannot be used"), std::string::npos)
      << report.status().message();
  EXPECT_NE(report.status().message().find("new folder"), std::string::npos);
}

TEST_F(PublisherTest, FolderWithoutSignatureIsRejected) {
  ASSERT_TRUE(publishVersion(5).ok());
  std::filesystem::remove(folder() / kManifestSignatureFileName);

  auto report = publishVersion(6);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kBadSignature);
  EXPECT_NE(report.status().message().find("no valid signature file"), std::string::npos)
      << report.status().message();
}

TEST_F(PublisherTest, TwoPatternsOfOneKindAreRejected) {
  const auto five = testing::writePatternPair(dir_.path(), key_, 5);
  const auto six = testing::writePatternPair(dir_.path(), key_, 6);
  auto report = publishComponents(optionsFor({five[0], six[0]}), key_);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(report.status().message().find("two inputs are for component 'smart-scan-pattern'"),
            std::string::npos)
      << report.status().message();
  EXPECT_FALSE(hasFile("smart-scan-pattern-5.ptn"));
}

TEST_F(PublisherTest, InvalidOptionsAreRejected) {
  writeText(dir_ / "file.bin", "x");
  struct Case {
    PublishOptions options;
    const char* expected;
  };
  std::vector<Case> cases;
  cases.push_back({optionsFor({}), "nothing to publish"});
  cases.push_back({optionsFor({dir_ / "file.bin"}), "keep is 0"});
  cases.back().options.keep = 0;
  for (const char* name : {"Odscan", "agent-pattern"}) {
    cases.push_back({optionsFor({}), name});
    cases.back().options.otherComponents = {{name, 1, dir_ / "file.bin"}};
  }
  cases.push_back({optionsFor({}), "is given twice"});
  cases.back().options.otherComponents = {{"odscan", 1, dir_ / "file.bin"},
                                          {"odscan", 2, dir_ / "file.bin"}};

  for (const Case& test : cases) {
    auto report = publishComponents(test.options, key_);
    ASSERT_FALSE(report.ok()) << test.expected;
    EXPECT_EQ(report.status().code(), StatusCode::kInvalidArgument) << test.expected;
    EXPECT_NE(report.status().message().find(test.expected), std::string::npos)
        << report.status().message();
  }
  EXPECT_FALSE(std::filesystem::exists(folder()));
}

TEST_F(PublisherTest, ConcurrentPublishIsRejected) {
  std::filesystem::create_directories(folder());
  const std::string lockPath = (folder() / kPublishLockFileName).string();
  const int descriptor = ::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(descriptor, 0);
  ASSERT_EQ(::flock(descriptor, LOCK_EX), 0);

  auto report = publishVersion(5);
  ::close(descriptor);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(report.status().message().find("another publish holds the lock file"),
            std::string::npos)
      << report.status().message();
  EXPECT_TRUE(publishVersion(5).ok());
}

}  // namespace
}  // namespace odscan::activeupdate
