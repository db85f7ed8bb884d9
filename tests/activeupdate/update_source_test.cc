// UpdateSource over a folder on disk. The HTTP form has its own test program.
#include "odscan/activeupdate/update_source.h"

#include <gtest/gtest.h>

#include "activeupdate_test_support.h"
#include "odscan/activeupdate/component_publisher.h"
#include "pattern_test_support.h"

namespace odscan::activeupdate {
namespace {

using testing::readBytes;
using testing::TempDir;
using testing::writeBytes;
using testing::writeText;

class UpdateSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PublishOptions options;
    options.outputDirectory = folder();
    options.patternFiles = testing::writePatternPair(dir_.path(), key_, 5);
    auto report = publishComponents(options, key_);
    ASSERT_TRUE(report.ok()) << report.status().toString();
  }

  std::filesystem::path folder() const { return dir_ / "au"; }

  UpdateSource openSource(UpdateSourceOptions options = {}) {
    auto source = UpdateSource::open(folder().string(), key_.publicKey(), std::move(options));
    EXPECT_TRUE(source.ok()) << source.status().toString();
    return std::move(source).value();
  }

  Status manifestError(UpdateSourceOptions options = {}) {
    return openSource(std::move(options)).fetchManifest().status();
  }

  ManifestEntry smartScanEntry() {
    auto manifest = openSource().fetchManifest();
    EXPECT_TRUE(manifest.ok()) << manifest.status().toString();
    return *manifest->find(kSmartScanPatternComponent);
  }

  Status componentError() {
    const ManifestEntry entry = smartScanEntry();
    return openSource().fetchComponent(entry).status();
  }

  // Publishes a manifest that publish would never write, signed with the right key.
  void writeManifestWithFile(const std::string& file) {
    const std::string text =
        "{\"format\": 1, \"created\": \"2026-12-04T12:30:00Z\", "
        "\"components\": [{\"name\": \"smart-scan-pattern\", \"version\": 5, "
        "\"file\": \"" +
        file + "\", \"size\": 10, \"sha256\": \"" + std::string(64, '0') + "\"}]}";
    testing::writeSignedManifest(folder(), text, key_);
  }

  static void expectMessageHas(const Status& status, const std::string& text) {
    EXPECT_NE(status.message().find(text), std::string::npos) << status.message();
  }

  TempDir dir_;
  PrivateKey key_ = testing::generateKey();
};

TEST_F(UpdateSourceTest, FolderPathAndFileUrlFetchSameManifest) {
  auto byPath = openSource().fetchManifest();
  ASSERT_TRUE(byPath.ok()) << byPath.status().toString();

  auto fileUrl = UpdateSource::open("file://" + folder().string(), key_.publicKey());
  ASSERT_TRUE(fileUrl.ok()) << fileUrl.status().toString();
  auto byUrl = fileUrl->fetchManifest();
  ASSERT_TRUE(byUrl.ok()) << byUrl.status().toString();
  EXPECT_EQ(*byUrl, *byPath);

  auto localhost = UpdateSource::open("file://localhost" + folder().string(), key_.publicKey());
  ASSERT_TRUE(localhost.ok()) << localhost.status().toString();
  EXPECT_TRUE(localhost->fetchManifest().ok());
}

TEST_F(UpdateSourceTest, LocationIsKeptAsGiven) {
  const std::string location = "file://" + folder().string();
  auto source = UpdateSource::open(location, key_.publicKey());
  ASSERT_TRUE(source.ok());
  EXPECT_EQ(source->location(), location);
}

TEST_F(UpdateSourceTest, ComponentBytesMatchPublishedFile) {
  const ManifestEntry entry = smartScanEntry();
  auto bytes = openSource().fetchComponent(entry);
  ASSERT_TRUE(bytes.ok()) << bytes.status().toString();
  EXPECT_EQ(*bytes, readBytes(folder() / entry.file));
}

TEST_F(UpdateSourceTest, OneSourceFetchesRepeatedly) {
  UpdateSource source = openSource();
  for (int i = 0; i < 3; ++i) {
    auto manifest = source.fetchManifest();
    ASSERT_TRUE(manifest.ok()) << manifest.status().toString();
    EXPECT_TRUE(source.fetchComponent(*manifest->find(kAgentPatternComponent)).ok());
  }
}

// --- Error paths ---

TEST_F(UpdateSourceTest, ChangedManifestIsRejected) {
  auto bytes = readBytes(folder() / kManifestFileName);
  const std::string text(bytes.begin(), bytes.end());
  bytes[text.find("\"version\": 5") + 11] = '9';
  writeBytes(folder() / kManifestFileName, bytes);

  UpdateSourceOptions options;
  options.publicKeyName = "publisher.pub";
  const Status status = manifestError(options);
  EXPECT_EQ(status.code(), StatusCode::kBadSignature);
  EXPECT_EQ(status.message(),
            "ActiveUpdate source '" + folder().string() +
                "': manifest signature does not verify with publisher.pub: the source was "
                "published with another key or changed in transit; check the key or the source");
}

TEST_F(UpdateSourceTest, ChangedSignatureIsRejected) {
  auto signature = readBytes(folder() / kManifestSignatureFileName);
  signature[10] ^= 0x01;
  writeBytes(folder() / kManifestSignatureFileName, signature);

  const Status status = manifestError();
  EXPECT_EQ(status.code(), StatusCode::kBadSignature);
  expectMessageHas(status, "does not verify");
}

TEST_F(UpdateSourceTest, OtherKeyIsRejected) {
  UpdateSourceOptions options;
  options.publicKeyName = "other.pub";
  auto source = UpdateSource::open(folder().string(), testing::generateKey().publicKey(), options);
  ASSERT_TRUE(source.ok());
  const Status status = source->fetchManifest().status();
  EXPECT_EQ(status.code(), StatusCode::kBadSignature);
  expectMessageHas(status, "does not verify with other.pub");
}

TEST_F(UpdateSourceTest, MissingSignatureIsRejected) {
  std::filesystem::remove(folder() / kManifestSignatureFileName);
  const Status status = manifestError();
  EXPECT_EQ(status.code(), StatusCode::kBadSignature);
  expectMessageHas(status, "manifest.json.sig is missing");
  expectMessageHas(status, "odscan-pattern publish");
}

TEST_F(UpdateSourceTest, OversizeSignatureFileIsRejected) {
  writeBytes(folder() / kManifestSignatureFileName, std::vector<std::uint8_t>(129, 0));
  const Status status = manifestError();
  EXPECT_EQ(status.code(), StatusCode::kBadSignature);
  expectMessageHas(status, "larger than 128 bytes");
}

TEST_F(UpdateSourceTest, MissingManifestIsNotFound) {
  std::filesystem::remove(folder() / kManifestFileName);
  const Status status = manifestError();
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  expectMessageHas(status,
                   "ActiveUpdate source '" + folder().string() + "': cannot fetch manifest.json");
  expectMessageHas(status, "check the location");
}

TEST_F(UpdateSourceTest, ManifestNamingParentFolderIsRejected) {
  writeManifestWithFile("../x");
  const Status status = manifestError();
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
  expectMessageHas(status, "the manifest is signed but invalid");
  expectMessageHas(status, "\"../x\" is not a plain file name");
}

TEST_F(UpdateSourceTest, ManifestNamingAbsolutePathIsRejected) {
  writeManifestWithFile("/etc/passwd");
  const Status status = manifestError();
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
  expectMessageHas(status, "\"/etc/passwd\" is not a plain file name");
}

TEST_F(UpdateSourceTest, UnknownFormatIsUnsupported) {
  testing::writeSignedManifest(folder(), "{\"format\": 2, \"objects\": []}", key_);
  const Status status = manifestError();
  EXPECT_EQ(status.code(), StatusCode::kUnsupportedVersion);
  expectMessageHas(status, "has format 2, but this build reads only format 1");
}

TEST_F(UpdateSourceTest, OversizeManifestIsRejected) {
  std::string text = testing::readText(folder() / kManifestFileName);
  text.insert(text.size() - 2, ",\n  \"padding\": \"" + std::string(kMaxManifestSize, 'x') + "\"");
  testing::writeSignedManifest(folder(), text, key_);

  const Status status = manifestError();
  EXPECT_EQ(status.code(), StatusCode::kLimitExceeded);
  expectMessageHas(status, "manifest.json is larger than the maximum of 1048576 bytes");
}

TEST_F(UpdateSourceTest, ManifestLimitIsConfigurable) {
  UpdateSourceOptions options;
  options.maxManifestSize = 64;
  const Status status = manifestError(options);
  EXPECT_EQ(status.code(), StatusCode::kLimitExceeded);
  expectMessageHas(status, "maximum of 64 bytes");
}

TEST_F(UpdateSourceTest, ComponentWithOtherBytesIsCorrupt) {
  const ManifestEntry entry = smartScanEntry();
  auto bytes = readBytes(folder() / entry.file);
  bytes[bytes.size() / 2] ^= 0x01;
  writeBytes(folder() / entry.file, bytes);

  const Status status = componentError();
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
  expectMessageHas(status, entry.file + " has SHA-256 ");
  expectMessageHas(status, "republish the folder");
}

TEST_F(UpdateSourceTest, ShorterComponentIsTruncated) {
  const ManifestEntry entry = smartScanEntry();
  auto bytes = readBytes(folder() / entry.file);
  bytes.pop_back();
  writeBytes(folder() / entry.file, bytes);

  const Status status = componentError();
  EXPECT_EQ(status.code(), StatusCode::kTruncated);
  expectMessageHas(status, "has " + std::to_string(entry.size - 1) +
                               " bytes, but its manifest entry lists " +
                               std::to_string(entry.size));
}

TEST_F(UpdateSourceTest, LongerComponentIsCutOff) {
  const ManifestEntry entry = smartScanEntry();
  auto bytes = readBytes(folder() / entry.file);
  bytes.resize(bytes.size() + 100000, 0);
  writeBytes(folder() / entry.file, bytes);

  const Status status = componentError();
  EXPECT_EQ(status.code(), StatusCode::kLimitExceeded);
  expectMessageHas(status, "is larger than the " + std::to_string(entry.size) +
                               " bytes its manifest entry lists, so the download was stopped");
}

TEST_F(UpdateSourceTest, MissingComponentIsNotFound) {
  const ManifestEntry entry = smartScanEntry();
  std::filesystem::remove(folder() / entry.file);
  const Status status = componentError();
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  expectMessageHas(status, "cannot fetch " + entry.file);
}

TEST_F(UpdateSourceTest, ComponentOverLimitIsRejectedBeforeDownload) {
  const ManifestEntry entry = smartScanEntry();
  std::filesystem::remove(folder() / entry.file);
  UpdateSourceOptions options;
  options.maxComponentSize = entry.size - 1;

  const Status status = openSource(options).fetchComponent(entry).status();
  EXPECT_EQ(status.code(), StatusCode::kLimitExceeded);
  expectMessageHas(status, "more than the limit of " + std::to_string(entry.size - 1));
}

TEST_F(UpdateSourceTest, EntryWithPathIsRejected) {
  ManifestEntry entry = smartScanEntry();
  entry.file = "../au/" + entry.file;
  const Status status = openSource().fetchComponent(entry).status();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  expectMessageHas(status, "does not name a plain file");
}

TEST_F(UpdateSourceTest, InvalidLocationsAreRejected) {
  struct Case {
    std::string location;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"", "location is empty"},
      {"ftp://127.0.0.1/au/", "unsupported scheme"},
      {"http://user:secret@127.0.0.1/au/", "contains credentials"},
      {"http://127.0.0.1/au/?version=2", "has a query or fragment"},
      {"http://127.0.0.1/au/#top", "has a query or fragment"},
      {"http:///au/", "has no host name"},
      {"http://127.0.0.1/a u/", "spaces or control characters"},
      {"file://server/share/au", "names another host"},
      {"file:///srv/a%20u", "percent-encoding"},
  };
  for (const Case& test : cases) {
    auto source = UpdateSource::open(test.location, key_.publicKey());
    ASSERT_FALSE(source.ok()) << test.location;
    EXPECT_EQ(source.status().code(), StatusCode::kInvalidArgument) << test.location;
    expectMessageHas(source.status(), test.expected);
  }
}

TEST_F(UpdateSourceTest, CredentialsInUrlAreNotShown) {
  auto source = UpdateSource::open("http://user:secret@127.0.0.1/au/", key_.publicKey());
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().message().find("secret"), std::string::npos)
      << source.status().message();
  expectMessageHas(source.status(), "'http://***@127.0.0.1/au/'");
}

TEST_F(UpdateSourceTest, MissingCaFileIsNotFound) {
  UpdateSourceOptions options;
  options.caFile = dir_ / "absent-ca.pem";
  auto source = UpdateSource::open("https://127.0.0.1:1/au/", key_.publicKey(), options);
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), StatusCode::kNotFound);
  expectMessageHas(source.status(), "absent-ca.pem");
}

TEST_F(UpdateSourceTest, MalformedHeaderIsRejectedWithoutItsValue) {
  for (const std::string header : {"Authorization: Bearer secret-token\r\nX-Other: 1",
                                   "no colon secret-token", ": secret-token"}) {
    UpdateSourceOptions options;
    options.headers = {header};
    auto source = UpdateSource::open("http://127.0.0.1:1/au/", key_.publicKey(), options);
    ASSERT_FALSE(source.ok()) << header;
    EXPECT_EQ(source.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(source.status().message().find("secret-token"), std::string::npos)
        << source.status().message();
  }
}

}  // namespace
}  // namespace odscan::activeupdate
