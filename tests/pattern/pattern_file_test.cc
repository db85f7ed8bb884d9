// The signed container and the loaders' checks, in the order the loader runs them.
#include "odscan/pattern/pattern_file.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <random>
#include <string>

#include "odscan/common/hasher.h"
#include "odscan/pattern/agent_pattern.h"
#include "odscan/pattern/binary_fuse_filter.h"
#include "odscan/pattern/smart_scan_pattern.h"
#include "pattern_test_support.h"

namespace odscan {
namespace {

using testing::makeSignature;
using testing::readBytes;
using testing::TempDir;
using testing::writeBytes;

constexpr const char* kEicarMd5 = "44d88612fea8a8f36de82e1278abb02f";
constexpr const char* kEicarSha256 =
    "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f";
constexpr std::int64_t kCreationTime = 1717243200;  // 2024-06-01 12:00:00 UTC

std::vector<std::uint8_t> zlibCompress(std::span<const std::uint8_t> data) {
  uLongf length = compressBound(static_cast<uLong>(data.size()));
  std::vector<std::uint8_t> out(length);
  EXPECT_EQ(compress2(out.data(), &length, data.data(), static_cast<uLong>(data.size()), 6), Z_OK);
  out.resize(length);
  return out;
}

std::array<std::uint8_t, 32> sha256Of(std::span<const std::uint8_t> data) {
  const Digest digest = MultiHasher::digestOf(DigestKind::kSha256, data);
  std::array<std::uint8_t, 32> result{};
  std::copy_n(digest.bytes.begin(), 32, result.begin());
  return result;
}

class PatternFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937_64 random(11);
    filterKeys_ = testing::randomDigests(random, 100, DigestKind::kSha256);
    filterKeys_.push_back(testing::digestFromHex(kEicarSha256));
    auto agent = AgentPattern::build({makeSignature(kEicarMd5, 68, "Eicar-Test-Signature")},
                                     filterKeys_, 202406011200);
    ASSERT_TRUE(agent.ok()) << agent.status().toString();
    auto file = agent->encode(key_, kCreationTime);
    ASSERT_TRUE(file.ok()) << file.status().toString();
    agentFile_ = *file;

    auto smartScan =
        SmartScanPattern::build({makeSignature(kEicarMd5, 68, "Eicar-Test-Signature"),
                                 makeSignature(kEicarSha256, kAnySize, "Eicar-Test-Signature")},
                                202406011200);
    ASSERT_TRUE(smartScan.ok()) << smartScan.status().toString();
    auto smartScanFile = smartScan->encode(key_, kCreationTime);
    ASSERT_TRUE(smartScanFile.ok()) << smartScanFile.status().toString();
    smartScanFile_ = *smartScanFile;
  }

  // Writes `bytes` as a pattern file and loads it as an agent pattern.
  Status loadAgent(std::span<const std::uint8_t> bytes) {
    writeBytes(path(), bytes);
    return AgentPattern::load(path(), publicKey_).status();
  }

  Status loadSmartScan(std::span<const std::uint8_t> bytes) {
    writeBytes(path(), bytes);
    return SmartScanPattern::load(path(), publicKey_).status();
  }

  std::filesystem::path path() const { return dir_ / "agent-pattern.ptn"; }

  PatternHeader headerOf(const std::vector<std::uint8_t>& file) const {
    return decodePatternHeader(file);
  }

  // The decompressed payload of a valid file.
  std::vector<std::uint8_t> payloadOf(const std::vector<std::uint8_t>& file) {
    auto contents = openPatternFile(file, &publicKey_, std::nullopt, "test");
    EXPECT_TRUE(contents.ok()) << contents.status().toString();
    return contents.ok() ? contents->payload : std::vector<std::uint8_t>();
  }

  // Assembles a file from `header` and an already compressed payload, signed with
  // the test key. The header is used as given, so tests can make it lie.
  std::vector<std::uint8_t> signedFile(const PatternHeader& header,
                                       std::span<const std::uint8_t> compressed) {
    const auto headerBytes = encodePatternHeader(header);
    std::vector<std::uint8_t> file(headerBytes.begin(), headerBytes.end());
    file.insert(file.end(), compressed.begin(), compressed.end());
    auto sealed = appendSignatureBlock(std::move(file), key_);
    EXPECT_TRUE(sealed.ok()) << sealed.status().toString();
    return sealed.ok() ? *sealed : std::vector<std::uint8_t>();
  }

  // A correctly signed file around `payload` with a header made consistent with
  // it, after `edit` changed the header.
  template <typename Edit>
  std::vector<std::uint8_t> resigned(const std::vector<std::uint8_t>& payload, Edit edit) {
    PatternHeader header = headerOf(agentFile_);
    const auto compressed = zlibCompress(payload);
    header.compressedSize = compressed.size();
    header.uncompressedSize = payload.size();
    header.payloadSha256 = sha256Of(compressed);
    edit(header);
    return signedFile(header, compressed);
  }

  TempDir dir_;
  PrivateKey key_ = testing::generateKey();
  PublicKey publicKey_ = key_.publicKey();
  std::vector<Digest> filterKeys_;
  std::vector<std::uint8_t> agentFile_;
  std::vector<std::uint8_t> smartScanFile_;
};

TEST_F(PatternFileTest, AgentPatternRoundTrips) {
  writeBytes(path(), agentFile_);
  auto loaded = AgentPattern::load(path(), publicKey_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().toString();

  EXPECT_EQ(loaded->version(), 202406011200u);
  EXPECT_EQ(loaded->creationTime(), kCreationTime);
  EXPECT_EQ(loaded->exactCount(), 1u);
  EXPECT_EQ(loaded->filterKeyCount(), filterKeys_.size());
  EXPECT_EQ(loaded->findExact(testing::digestFromHex(kEicarMd5), 68), "Eicar-Test-Signature");
  for (const Digest& digest : filterKeys_) EXPECT_TRUE(loaded->mayContain(digest));
}

TEST_F(PatternFileTest, SmartScanPatternRoundTrips) {
  writeBytes(path(), smartScanFile_);
  auto loaded = SmartScanPattern::load(path(), publicKey_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().toString();

  EXPECT_EQ(loaded->version(), 202406011200u);
  EXPECT_EQ(loaded->creationTime(), kCreationTime);
  EXPECT_EQ(loaded->signatureCount(), 2u);
  EXPECT_EQ(loaded->find(testing::digestFromHex(kEicarSha256), 5), "Eicar-Test-Signature");
}

TEST_F(PatternFileTest, HeaderRecordsKindCountsAndSizes) {
  const PatternHeader header = headerOf(agentFile_);

  EXPECT_EQ(header.formatVersion, kPatternFormatVersion);
  EXPECT_EQ(header.kind, PatternKind::kAgent);
  EXPECT_EQ(header.signatureCount, 1u);
  EXPECT_EQ(header.filterKeyCount, filterKeys_.size());
  EXPECT_EQ(header.compressedSize,
            agentFile_.size() - kPatternHeaderSize - kPatternSignatureBlockSize);
}

TEST_F(PatternFileTest, HeaderEncodingRoundTrips) {
  PatternHeader header;
  header.kind = PatternKind::kAgent;
  header.version = 0x0102030405060708ull;
  header.creationTime = -5;
  header.signatureCount = 9;
  header.filterKeyCount = 10;
  header.compressedSize = 11;
  header.uncompressedSize = 12;
  header.payloadSha256[31] = 0xab;

  const auto bytes = encodePatternHeader(header);
  const PatternHeader decoded = decodePatternHeader(bytes);
  EXPECT_EQ(decoded.version, header.version);
  EXPECT_EQ(decoded.creationTime, -5);
  EXPECT_EQ(decoded.signatureCount, 9u);
  EXPECT_EQ(decoded.filterKeyCount, 10u);
  EXPECT_EQ(decoded.compressedSize, 11u);
  EXPECT_EQ(decoded.uncompressedSize, 12u);
  EXPECT_EQ(decoded.payloadSha256, header.payloadSha256);
  EXPECT_EQ(bytes[0], 'O');
  EXPECT_EQ(bytes[16], 0x08) << "integers are little-endian";
}

TEST_F(PatternFileTest, OpenWithoutKeySkipsOnlyTheSignature) {
  auto contents = openPatternFile(agentFile_, nullptr, std::nullopt, "test");
  ASSERT_TRUE(contents.ok()) << contents.status().toString();
  EXPECT_FALSE(contents->signatureChecked);

  auto tampered = agentFile_;
  tampered[kPatternHeaderSize + 3] ^= 1;
  auto rejected = openPatternFile(tampered, nullptr, std::nullopt, "test");
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.status().code(), StatusCode::kCorrupt) << "the checksum still applies";
}

TEST_F(PatternFileTest, LoadFromBytesMatchesLoad) {
  auto loaded = AgentPattern::loadFromBytes(agentFile_, publicKey_, "in memory");
  ASSERT_TRUE(loaded.ok()) << loaded.status().toString();
  EXPECT_EQ(loaded->exactCount(), 1u);
}

TEST_F(PatternFileTest, StoredRangesRoundTrip) {
  std::vector<std::uint8_t> payload(5000);
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::uint8_t>(i % 7);
  PatternHeader header;
  const std::vector<PayloadRange> stored = {{10, 100}, {2000, 3000}};
  auto file = sealPatternFile(header, payload, key_, stored);
  ASSERT_TRUE(file.ok()) << file.status().toString();

  auto contents = openPatternFile(*file, &publicKey_, std::nullopt, "test");
  ASSERT_TRUE(contents.ok()) << contents.status().toString();
  EXPECT_EQ(contents->payload, payload);
  EXPECT_GT(contents->header.compressedSize, 3000u) << "stored bytes are not compressed";
}

TEST_F(PatternFileTest, AgentFilterIsStoredUncompressed) {
  std::mt19937_64 random(12);
  const auto keys = testing::randomDigests(random, 20000, DigestKind::kSha256);
  auto agent = AgentPattern::build({}, keys, 1);
  ASSERT_TRUE(agent.ok());
  auto file = agent->encode(key_, 0);
  ASSERT_TRUE(file.ok());

  EXPECT_GE(decodePatternHeader(*file).compressedSize, agent->filter().fingerprintBytes());
}

// --- Error paths, in the order the loader checks ---

TEST_F(PatternFileTest, StoredRangeOutsidePayloadIsRejected) {
  const std::vector<std::uint8_t> payload(100, 1);
  const std::vector<PayloadRange> outside = {{90, 20}};
  const std::vector<PayloadRange> unordered = {{50, 10}, {10, 10}};

  EXPECT_EQ(sealPatternFile(PatternHeader{}, payload, key_, outside).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(sealPatternFile(PatternHeader{}, payload, key_, unordered).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(PatternFileTest, MissingFileIsRejected) {
  const Status status = AgentPattern::load(dir_ / "absent.ptn", publicKey_).status();
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_NE(status.message().find("absent.ptn"), std::string::npos);
}

TEST_F(PatternFileTest, FolderIsRejected) {
  const Status status = AgentPattern::load(dir_.path(), publicKey_).status();
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find(dir_.path().string()), std::string::npos);
}

TEST_F(PatternFileTest, EmptyFileIsRejected) {
  const Status status = loadAgent({});
  EXPECT_EQ(status.code(), StatusCode::kTruncated);
  EXPECT_NE(status.message().find(path().string()), std::string::npos);
  EXPECT_NE(status.message().find("is empty"), std::string::npos);
}

TEST_F(PatternFileTest, FileTruncatedInsideHeaderIsRejected) {
  for (const std::size_t length : {1u, 8u, 50u, 127u, 128u, 231u}) {
    const Status status = loadAgent(std::span(agentFile_).first(length));
    EXPECT_EQ(status.code(), StatusCode::kTruncated) << length << " bytes";
    EXPECT_NE(status.message().find(path().string()), std::string::npos);
  }
}

TEST_F(PatternFileTest, FileTruncatedInsidePayloadIsRejected) {
  const std::size_t payloadEnd = agentFile_.size() - kPatternSignatureBlockSize;
  for (const std::size_t length : {kPatternHeaderSize + kPatternSignatureBlockSize,
                                   kPatternHeaderSize + 200, payloadEnd - 1}) {
    const Status status = loadAgent(std::span(agentFile_).first(length));
    EXPECT_EQ(status.code(), StatusCode::kTruncated) << length << " bytes";
    EXPECT_NE(status.message().find("truncated"), std::string::npos);
  }
}

TEST_F(PatternFileTest, FileWithoutSignatureBlockIsRejected) {
  const std::size_t payloadEnd = agentFile_.size() - kPatternSignatureBlockSize;
  const Status status = loadAgent(std::span(agentFile_).first(payloadEnd));
  EXPECT_EQ(status.code(), StatusCode::kBadSignature);
  EXPECT_NE(status.message().find("not signed"), std::string::npos);
}

TEST_F(PatternFileTest, FileTruncatedInsideSignatureIsRejected) {
  for (const std::size_t cut : {1u, 30u, 64u, 103u}) {
    const Status status = loadAgent(std::span(agentFile_).first(agentFile_.size() - cut));
    EXPECT_FALSE(status.ok()) << cut << " bytes cut";
    EXPECT_TRUE(status.code() == StatusCode::kTruncated ||
                status.code() == StatusCode::kBadSignature)
        << status.toString();
  }
}

TEST_F(PatternFileTest, WrongMagicIsRejected) {
  auto file = agentFile_;
  file[0] = 'X';
  const Status status = loadAgent(file);
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
  EXPECT_NE(status.message().find("not an odscan pattern file"), std::string::npos);
}

TEST_F(PatternFileTest, WrongFormatVersionIsRejected) {
  auto file = agentFile_;
  file[8] = 2;
  const Status status = loadAgent(file);
  EXPECT_EQ(status.code(), StatusCode::kUnsupportedVersion);
  EXPECT_NE(status.message().find("format version 2"), std::string::npos);
}

TEST_F(PatternFileTest, WrongFormatVersionIsRejectedEvenWhenSigned) {
  const auto file =
      resigned(payloadOf(agentFile_), [](PatternHeader& header) { header.formatVersion = 7; });
  EXPECT_EQ(loadAgent(file).code(), StatusCode::kUnsupportedVersion);
}

TEST_F(PatternFileTest, DeclaredPayloadSizeLargerThanFileIsRejected) {
  auto file = agentFile_;
  file[48 + 7] = 0x01;
  EXPECT_EQ(loadAgent(file).code(), StatusCode::kTruncated);
}

TEST_F(PatternFileTest, TrailingBytesAreRejected) {
  auto file = agentFile_;
  file.push_back(0);
  const Status status = loadAgent(file);
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
  EXPECT_NE(status.message().find("after its signature block"), std::string::npos);
}

TEST_F(PatternFileTest, FlippedHeaderByteIsRejected) {
  for (std::size_t offset = 0; offset < kPatternHeaderSize; ++offset) {
    auto file = agentFile_;
    file[offset] ^= 0x01;
    EXPECT_FALSE(loadAgent(file).ok()) << "offset " << offset;
  }
}

TEST_F(PatternFileTest, FlippedSignedHeaderFieldFailsTheSignature) {
  for (const std::size_t offset : {10u, 16u, 24u, 32u, 40u, 56u, 64u, 100u}) {
    auto file = agentFile_;
    file[offset] ^= 0x01;
    EXPECT_EQ(loadAgent(file).code(), StatusCode::kBadSignature) << "offset " << offset;
  }
}

TEST_F(PatternFileTest, FlippedPayloadByteIsRejected) {
  const std::size_t payloadEnd = agentFile_.size() - kPatternSignatureBlockSize;
  for (std::size_t offset = kPatternHeaderSize; offset < payloadEnd; offset += 97) {
    auto file = agentFile_;
    file[offset] ^= 0x80;
    const Status status = loadAgent(file);
    EXPECT_EQ(status.code(), StatusCode::kBadSignature) << "offset " << offset;
  }
}

TEST_F(PatternFileTest, FlippedSignatureBlockByteIsRejected) {
  for (std::size_t offset = agentFile_.size() - kPatternSignatureBlockSize;
       offset < agentFile_.size(); ++offset) {
    auto file = agentFile_;
    file[offset] ^= 0x01;
    EXPECT_EQ(loadAgent(file).code(), StatusCode::kBadSignature) << "offset " << offset;
  }
}

TEST_F(PatternFileTest, WrongKeyIsRejected) {
  const PublicKey otherKey = testing::generateKey().publicKey();
  writeBytes(path(), agentFile_);
  const Status status = AgentPattern::load(path(), otherKey).status();
  EXPECT_EQ(status.code(), StatusCode::kBadSignature);
  EXPECT_NE(status.message().find(otherKey.fingerprint()), std::string::npos);
  EXPECT_NE(status.message().find(path().string()), std::string::npos);
}

TEST_F(PatternFileTest, ForgedFingerprintWithOtherKeysSignatureIsRejected) {
  // Another key signs, but the block claims the expected key's fingerprint.
  const PrivateKey otherKey = testing::generateKey();
  std::vector<std::uint8_t> signedPart(agentFile_.begin(),
                                       agentFile_.end() - kPatternSignatureBlockSize);
  auto forged = appendSignatureBlock(signedPart, otherKey);
  ASSERT_TRUE(forged.ok());
  const auto& fingerprint = publicKey_.fingerprintBytes();
  std::copy(fingerprint.begin(), fingerprint.end(), forged->end() - 96);

  const Status status = loadAgent(*forged);
  EXPECT_EQ(status.code(), StatusCode::kBadSignature);
  EXPECT_NE(status.message().find("does not verify"), std::string::npos);
}

TEST_F(PatternFileTest, ChecksumMismatchIsRejectedEvenWhenSigned) {
  // Only the key holder can produce this file, for example through a writer bug.
  const auto file =
      resigned(payloadOf(agentFile_), [](PatternHeader& header) { header.payloadSha256[0] ^= 1; });
  const Status status = loadAgent(file);
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
  EXPECT_NE(status.message().find("SHA-256"), std::string::npos);
}

TEST_F(PatternFileTest, AgentLoaderRejectsSmartScanPattern) {
  const Status status = loadAgent(smartScanFile_);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("is a Smart Scan Pattern"), std::string::npos);
  EXPECT_NE(status.message().find("Smart Scan Agent Pattern is expected"), std::string::npos);
}

TEST_F(PatternFileTest, SmartScanLoaderRejectsAgentPattern) {
  const Status status = loadSmartScan(agentFile_);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("is a Smart Scan Agent Pattern"), std::string::npos);
}

TEST_F(PatternFileTest, UnknownKindIsRejected) {
  const auto file = resigned(payloadOf(agentFile_), [](PatternHeader& header) {
    header.kind = static_cast<PatternKind>(9);
  });
  EXPECT_EQ(loadAgent(file).code(), StatusCode::kCorrupt);
}

TEST_F(PatternFileTest, UnknownCompressionIsRejected) {
  const auto file =
      resigned(payloadOf(agentFile_), [](PatternHeader& header) { header.compression = 2; });
  const Status status = loadAgent(file);
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
  EXPECT_NE(status.message().find("compression"), std::string::npos);
}

TEST_F(PatternFileTest, NonZeroReservedBytesAreRejected) {
  auto headerBytes = encodePatternHeader(headerOf(agentFile_));
  headerBytes[100] = 1;
  std::vector<std::uint8_t> file(headerBytes.begin(), headerBytes.end());
  file.insert(file.end(), agentFile_.begin() + kPatternHeaderSize,
              agentFile_.end() - kPatternSignatureBlockSize);
  auto sealed = appendSignatureBlock(file, key_);
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(loadAgent(*sealed).code(), StatusCode::kCorrupt);
}

TEST_F(PatternFileTest, HugeDeclaredUncompressedSizeIsRejected) {
  const auto file = resigned(payloadOf(agentFile_), [](PatternHeader& header) {
    header.uncompressedSize = kMaxPatternPayloadSize + 1;
  });
  EXPECT_EQ(loadAgent(file).code(), StatusCode::kLimitExceeded);
}

TEST_F(PatternFileTest, UncompressedSizeBeyondDeflateRatioIsRejected) {
  const auto file = resigned(payloadOf(agentFile_), [](PatternHeader& header) {
    header.uncompressedSize = header.compressedSize * 1032 + 1032;
  });
  const Status status = loadAgent(file);
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
  EXPECT_NE(status.message().find("compressed bytes can hold"), std::string::npos);
}

TEST_F(PatternFileTest, UncompressedSizeSmallerThanDeclaredIsRejected) {
  const auto file =
      resigned(payloadOf(agentFile_), [](PatternHeader& header) { header.uncompressedSize += 1; });
  const Status status = loadAgent(file);
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
  EXPECT_NE(status.message().find("decompress"), std::string::npos);
}

TEST_F(PatternFileTest, UncompressedSizeLargerThanDeclaredIsRejected) {
  const auto file =
      resigned(payloadOf(agentFile_), [](PatternHeader& header) { header.uncompressedSize -= 1; });
  EXPECT_EQ(loadAgent(file).code(), StatusCode::kCorrupt);
}

TEST_F(PatternFileTest, ZeroDeclaredUncompressedSizeIsRejected) {
  const auto file =
      resigned(payloadOf(agentFile_), [](PatternHeader& header) { header.uncompressedSize = 0; });
  EXPECT_EQ(loadAgent(file).code(), StatusCode::kCorrupt);
}

TEST_F(PatternFileTest, PayloadThatIsNotZlibIsRejected) {
  PatternHeader header = headerOf(agentFile_);
  const std::vector<std::uint8_t> garbage(300, 0x5a);
  header.compressedSize = garbage.size();
  header.payloadSha256 = sha256Of(garbage);
  EXPECT_EQ(loadAgent(signedFile(header, garbage)).code(), StatusCode::kCorrupt);
}

TEST_F(PatternFileTest, CompressedDataAfterStreamEndIsRejected) {
  PatternHeader header = headerOf(agentFile_);
  const auto payload = payloadOf(agentFile_);
  auto compressed = zlibCompress(payload);
  compressed.push_back(0);
  header.compressedSize = compressed.size();
  header.uncompressedSize = payload.size();
  header.payloadSha256 = sha256Of(compressed);
  EXPECT_EQ(loadAgent(signedFile(header, compressed)).code(), StatusCode::kCorrupt);
}

TEST_F(PatternFileTest, SignatureCountMismatchIsRejected) {
  const auto file =
      resigned(payloadOf(agentFile_), [](PatternHeader& header) { header.signatureCount += 1; });
  const Status status = loadAgent(file);
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
  EXPECT_NE(status.message().find(path().string()), std::string::npos);
}

TEST_F(PatternFileTest, FilterKeyCountMismatchIsRejected) {
  const auto file =
      resigned(payloadOf(agentFile_), [](PatternHeader& header) { header.filterKeyCount -= 1; });
  EXPECT_EQ(loadAgent(file).code(), StatusCode::kCorrupt);
}

TEST_F(PatternFileTest, MalformedPayloadIsRejectedEvenWhenSigned) {
  auto payload = payloadOf(agentFile_);
  payload[0] = 0x77;  // section count
  const auto file = resigned(payload, [](PatternHeader&) {});
  const Status status = loadAgent(file);
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
  EXPECT_NE(status.message().find("payload"), std::string::npos);
}

TEST_F(PatternFileTest, SmartScanPayloadWithFilterIsRejected) {
  const auto agentPayload = payloadOf(agentFile_);
  const auto file =
      resigned(agentPayload, [](PatternHeader& header) { header.kind = PatternKind::kSmartScan; });
  const Status status = loadSmartScan(file);
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
  EXPECT_NE(status.message().find("filter"), std::string::npos);
}

TEST_F(PatternFileTest, AgentPayloadWithoutFilterIsRejected) {
  const auto smartScanPayload = payloadOf(smartScanFile_);
  const auto file = resigned(smartScanPayload, [](PatternHeader& header) {
    header.kind = PatternKind::kAgent;
    header.signatureCount = 2;
    header.filterKeyCount = 0;
  });
  const Status status = loadAgent(file);
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
  EXPECT_NE(status.message().find("filter"), std::string::npos);
}

}  // namespace
}  // namespace odscan
