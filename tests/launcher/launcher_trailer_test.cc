// The signed trailer: round trips, and every way a trailer can be missing or
// damaged.
#include "odscan/launcher/launcher_trailer.h"

#include <gtest/gtest.h>

#include <random>

#include "pattern_test_support.h"

namespace odscan::launcher {
namespace {

using odscan::testing::TempDir;

std::vector<std::uint8_t> programBytes(std::size_t size) {
  std::vector<std::uint8_t> bytes(size);
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::uint8_t>(i * 7 + 3);
  return bytes;
}

class LauncherTrailerTest : public ::testing::Test {
 protected:
  LauncherTrailerTest() : key_(odscan::testing::generateKey()) {
    config_.consoleUrl = "http://127.0.0.1:8480/";
    config_.publicKeyPem = key_.publicKey().toPem();
    config_.issuedAt = "2026-12-05T06:00:00Z";
  }

  // Returns a program of `programSize` bytes with a trailer for config_.
  std::vector<std::uint8_t> launcherFile(std::size_t programSize = 4096) {
    std::vector<std::uint8_t> file = programBytes(programSize);
    Result<std::vector<std::uint8_t>> trailer = makeLauncherTrailer(config_, key_);
    EXPECT_TRUE(trailer.ok()) << trailer.status().toString();
    if (trailer.ok()) file.insert(file.end(), trailer->begin(), trailer->end());
    return file;
  }

  // Returns the offset of CONFIG_JSON in a file made by launcherFile(programSize).
  static std::size_t configOffset(std::size_t programSize = 4096) { return programSize; }

  PrivateKey key_;
  LauncherConfig config_;
};

TEST_F(LauncherTrailerTest, RoundTripReturnsTheConfig) {
  const std::vector<std::uint8_t> file = launcherFile();

  Result<LauncherConfig> read = readLauncherTrailer(file, "OnDemandScan.exe");

  ASSERT_TRUE(read.ok()) << read.status().toString();
  EXPECT_EQ(*read, config_);
}

TEST_F(LauncherTrailerTest, TrailerAloneIsReadable) {
  Result<std::vector<std::uint8_t>> trailer = makeLauncherTrailer(config_, key_);
  ASSERT_TRUE(trailer.ok());

  Result<LauncherConfig> read = readLauncherTrailer(*trailer);

  ASSERT_TRUE(read.ok()) << read.status().toString();
  EXPECT_EQ(read->consoleUrl, config_.consoleUrl);
}

TEST_F(LauncherTrailerTest, TrailerHasTheDocumentedLayout) {
  Result<std::vector<std::uint8_t>> trailer = makeLauncherTrailer(config_, key_);
  ASSERT_TRUE(trailer.ok());
  const std::string json = serializeLauncherConfig(config_);

  ASSERT_EQ(trailer->size(), json.size() + 64 + 4 + 8);
  EXPECT_EQ(std::string(trailer->begin(), trailer->begin() + json.size()), json);
  EXPECT_EQ(std::string(trailer->end() - 8, trailer->end()), "ODSCANL1");
  const std::size_t length = (*trailer)[json.size() + 64] | ((*trailer)[json.size() + 65] << 8);
  EXPECT_EQ(length, json.size());
}

TEST_F(LauncherTrailerTest, EmptyPublicKeyIsFilledIn) {
  config_.publicKeyPem.clear();
  Result<std::vector<std::uint8_t>> trailer = makeLauncherTrailer(config_, key_);
  ASSERT_TRUE(trailer.ok()) << trailer.status().toString();

  Result<LauncherConfig> read = readLauncherTrailer(*trailer);

  ASSERT_TRUE(read.ok()) << read.status().toString();
  EXPECT_EQ(read->publicKeyPem, key_.publicKey().toPem());
}

TEST_F(LauncherTrailerTest, FileRoundTripReadsOnlyTheTail) {
  TempDir folder;
  const std::filesystem::path path = folder / "OnDemandScan";
  odscan::testing::writeBytes(path, launcherFile(3 * 1024 * 1024));

  Result<LauncherConfig> read = readLauncherTrailerFile(path);

  ASSERT_TRUE(read.ok()) << read.status().toString();
  EXPECT_EQ(*read, config_);
}

// ---- Error paths ----

TEST_F(LauncherTrailerTest, MissingTrailerIsRejected) {
  Result<LauncherConfig> read = readLauncherTrailer(programBytes(4096), "OnDemandScan.exe");

  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kNotFound);
  EXPECT_NE(read.status().message().find("'OnDemandScan.exe'"), std::string::npos);
  EXPECT_NE(
      read.status().message().find("was not downloaded from the console's On-demand Scan link"),
      std::string::npos);
}

TEST_F(LauncherTrailerTest, EmptyFileHasNoTrailer) {
  Result<LauncherConfig> read = readLauncherTrailer({});

  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kNotFound);
}

TEST_F(LauncherTrailerTest, TruncatedTrailerIsRejected) {
  const std::vector<std::uint8_t> file = launcherFile();
  // A download that lost the program and the start of CONFIG_JSON.
  const std::vector<std::uint8_t> tail(file.begin() + configOffset() + 10, file.end());

  Result<LauncherConfig> read = readLauncherTrailer(tail);

  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kTruncated);
}

TEST_F(LauncherTrailerTest, ChangedConsoleUrlFailsTheSignature) {
  std::vector<std::uint8_t> file = launcherFile();
  const std::string url = "127.0.0.1:8480";
  const auto where = std::search(file.begin() + configOffset(), file.end(), url.begin(), url.end());
  ASSERT_NE(where, file.end());
  *(where + 8) = '9';  // 127.0.0.9

  Result<LauncherConfig> read = readLauncherTrailer(file);

  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kBadSignature);
  EXPECT_NE(read.status().message().find("download it again"), std::string::npos);
}

TEST_F(LauncherTrailerTest, ChangedSignatureIsRejected) {
  std::vector<std::uint8_t> file = launcherFile();
  file[file.size() - 12 - 10] ^= 0x01;

  Result<LauncherConfig> read = readLauncherTrailer(file);

  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kBadSignature);
}

TEST_F(LauncherTrailerTest, SignatureByAnotherKeyIsRejected) {
  const PrivateKey other = odscan::testing::generateKey();
  std::vector<std::uint8_t> file = launcherFile();
  const std::string json = serializeLauncherConfig(config_);
  Result<Ed25519Signature> signature = other.sign(std::span<const std::uint8_t>(
      reinterpret_cast<const std::uint8_t*>(json.data()), json.size()));
  ASSERT_TRUE(signature.ok());
  std::copy(signature->begin(), signature->end(), file.end() - 76);

  Result<LauncherConfig> read = readLauncherTrailer(file);

  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kBadSignature);
}

TEST_F(LauncherTrailerTest, GarbledJsonIsRejected) {
  std::vector<std::uint8_t> file = launcherFile();
  file[configOffset()] = '[';

  Result<LauncherConfig> read = readLauncherTrailer(file);

  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(read.status().message().find("not valid JSON"), std::string::npos);
}

TEST_F(LauncherTrailerTest, ZeroLengthIsRejected) {
  std::vector<std::uint8_t> file = launcherFile();
  std::fill(file.end() - 12, file.end() - 8, 0);

  Result<LauncherConfig> read = readLauncherTrailer(file);

  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kCorrupt);
}

TEST_F(LauncherTrailerTest, LengthOverTheLimitIsRejected) {
  std::vector<std::uint8_t> file = launcherFile(200 * 1024);
  std::fill(file.end() - 12, file.end() - 8, 0xff);

  Result<LauncherConfig> read = readLauncherTrailer(file);

  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(read.status().message().find("damaged"), std::string::npos);
}

TEST_F(LauncherTrailerTest, MissingFileIsNamed) {
  TempDir folder;
  const std::filesystem::path path = folder / "absent.exe";

  Result<LauncherConfig> read = readLauncherTrailerFile(path);

  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kNotFound);
  EXPECT_NE(read.status().message().find("absent.exe"), std::string::npos);
}

TEST_F(LauncherTrailerTest, ShortFileHasNoTrailer) {
  TempDir folder;
  const std::filesystem::path path = folder / "short.exe";
  odscan::testing::writeText(path, "MZ");

  Result<LauncherConfig> read = readLauncherTrailerFile(path);

  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kNotFound);
}

TEST_F(LauncherTrailerTest, ConfigForAnotherKeyIsNotSigned) {
  config_.publicKeyPem = odscan::testing::generateKey().publicKey().toPem();

  Result<std::vector<std::uint8_t>> trailer = makeLauncherTrailer(config_, key_);

  ASSERT_FALSE(trailer.ok());
  EXPECT_EQ(trailer.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(LauncherTrailerTest, ConfigWithFtpUrlIsNotSigned) {
  config_.consoleUrl = "ftp://127.0.0.1/";

  Result<std::vector<std::uint8_t>> trailer = makeLauncherTrailer(config_, key_);

  ASSERT_FALSE(trailer.ok());
  EXPECT_EQ(trailer.status().code(), StatusCode::kInvalidArgument);
}

// Random tails with the magic at the end, and single-byte changes anywhere in a
// valid trailer, must be rejected without a crash (the sanitizers watch the reads).
TEST_F(LauncherTrailerTest, RandomTailsAreRejected) {
  std::mt19937_64 random(20261205);
  for (int round = 0; round < 2000; ++round) {
    std::vector<std::uint8_t> tail(static_cast<std::size_t>(random() % 300));
    for (auto& byte : tail) byte = static_cast<std::uint8_t>(random());
    if (round % 2 == 0)
      tail.insert(tail.end(), kLauncherTrailerMagic.begin(), kLauncherTrailerMagic.end());

    EXPECT_FALSE(readLauncherTrailer(tail).ok()) << "round " << round;
  }
}

TEST_F(LauncherTrailerTest, EveryChangedTrailerByteIsRejected) {
  const std::vector<std::uint8_t> file = launcherFile(64);
  for (std::size_t offset = configOffset(64); offset < file.size(); ++offset) {
    std::vector<std::uint8_t> changed = file;
    changed[offset] ^= 0x20;

    EXPECT_FALSE(readLauncherTrailer(changed).ok()) << "offset " << offset;
  }
}

}  // namespace
}  // namespace odscan::launcher
