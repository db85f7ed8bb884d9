#include "odscan/pattern/signature_table.h"

#include <gtest/gtest.h>

#include <string>

#include "pattern_test_support.h"

namespace odscan {
namespace {

using testing::digestFromHex;
using testing::makeSignature;

constexpr const char* kMd5A = "44d88612fea8a8f36de82e1278abb02f";
constexpr const char* kMd5B = "aa15bcf478d165efd2065190eb473bcb";
constexpr const char* kSha1 = "3395856ce81f2b7382dee72602f798b642f14140";
constexpr const char* kSha256 = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f";

// An encoded table plus the view parsed from it; the view points into `encoded`.
struct TableFixture {
  SignatureTable::Encoded encoded;
  SignatureTable table;
};

std::unique_ptr<TableFixture> buildTable(std::vector<Signature> signatures) {
  auto fixture = std::make_unique<TableFixture>();
  auto encoded = SignatureTable::encode(std::move(signatures));
  EXPECT_TRUE(encoded.ok()) << encoded.status().toString();
  if (!encoded.ok()) return fixture;
  fixture->encoded = std::move(encoded).value();
  const auto& records = fixture->encoded.records;
  auto table = SignatureTable::parse(fixture->encoded.names, {records[0], records[1], records[2]});
  EXPECT_TRUE(table.ok()) << table.status().toString();
  if (table.ok()) fixture->table = *table;
  return fixture;
}

Status parseStatus(const std::vector<std::uint8_t>& names,
                   const std::array<std::vector<std::uint8_t>, kDigestKindCount>& records) {
  return SignatureTable::parse(names, {records[0], records[1], records[2]}).status();
}

std::vector<std::uint8_t> u32Bytes(std::initializer_list<std::uint32_t> values) {
  std::vector<std::uint8_t> bytes;
  for (const std::uint32_t value : values) {
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
  }
  return bytes;
}

// A name section with one name, "Name".
std::vector<std::uint8_t> oneNameSection() {
  auto bytes = u32Bytes({1, 0, 0, 4});
  for (const char c : std::string("Name")) bytes.push_back(static_cast<std::uint8_t>(c));
  return bytes;
}

std::vector<std::uint8_t> md5Record(std::uint8_t firstByte, std::uint64_t size,
                                    std::uint32_t nameIndex) {
  std::vector<std::uint8_t> record(16, 0);
  record[0] = firstByte;
  for (int i = 0; i < 8; ++i) record.push_back(static_cast<std::uint8_t>(size >> (8 * i)));
  for (int i = 0; i < 4; ++i) record.push_back(static_cast<std::uint8_t>(nameIndex >> (8 * i)));
  return record;
}

TEST(SignatureTableTest, FindsSignatureOfEveryKind) {
  const auto fixture = buildTable({makeSignature(kMd5A, 68, "Md5.Threat"),
                                   makeSignature(kSha1, kAnySize, "Sha1.Threat"),
                                   makeSignature(kSha256, kAnySize, "Sha256.Threat")});

  EXPECT_EQ(fixture->table.find(digestFromHex(kMd5A), 68), "Md5.Threat");
  EXPECT_EQ(fixture->table.find(digestFromHex(kSha1), 1), "Sha1.Threat");
  EXPECT_EQ(fixture->table.find(digestFromHex(kSha256), 1), "Sha256.Threat");
  EXPECT_EQ(fixture->table.size(), 3u);
}

TEST(SignatureTableTest, SizedSignatureMatchesOnlyItsSize) {
  const auto fixture = buildTable({makeSignature(kMd5A, 68, "Eicar")});

  EXPECT_EQ(fixture->table.find(digestFromHex(kMd5A), 68), "Eicar");
  EXPECT_EQ(fixture->table.find(digestFromHex(kMd5A), 69), std::nullopt);
  EXPECT_EQ(fixture->table.find(digestFromHex(kMd5A), kAnySize), std::nullopt);
}

TEST(SignatureTableTest, AnySizeSignatureMatchesEverySize) {
  const auto fixture = buildTable({makeSignature(kMd5A, kAnySize, "Eicar")});

  EXPECT_EQ(fixture->table.find(digestFromHex(kMd5A), 0), "Eicar");
  EXPECT_EQ(fixture->table.find(digestFromHex(kMd5A), 123456789), "Eicar");
}

TEST(SignatureTableTest, ExactSizeWinsOverAnySize) {
  const auto fixture =
      buildTable({makeSignature(kMd5A, kAnySize, "Generic"), makeSignature(kMd5A, 68, "Specific")});

  EXPECT_EQ(fixture->table.find(digestFromHex(kMd5A), 68), "Specific");
  EXPECT_EQ(fixture->table.find(digestFromHex(kMd5A), 70), "Generic");
}

TEST(SignatureTableTest, UnknownDigestIsNotFound) {
  const auto fixture = buildTable({makeSignature(kMd5A, kAnySize, "Eicar")});

  EXPECT_EQ(fixture->table.find(digestFromHex(kMd5B), 68), std::nullopt);
  EXPECT_EQ(fixture->table.find(digestFromHex(kSha256), 68), std::nullopt);
}

TEST(SignatureTableTest, FindAllListsEverySize) {
  const auto fixture = buildTable(
      {makeSignature(kMd5A, 68, "A"), makeSignature(kMd5A, 70, "B"), makeSignature(kMd5B, 1, "C")});

  const auto matches = fixture->table.findAll(digestFromHex(kMd5A));
  ASSERT_EQ(matches.size(), 2u);
  EXPECT_EQ(matches[0].threatName, "A");
  EXPECT_EQ(matches[1].threatName, "B");
}

TEST(SignatureTableTest, DuplicateKeepsFirstSignature) {
  auto encoded = SignatureTable::encode(
      {makeSignature(kMd5A, 68, "First"), makeSignature(kMd5A, 68, "Second")});
  ASSERT_TRUE(encoded.ok()) << encoded.status().toString();
  EXPECT_EQ(encoded->duplicatesDropped, 1u);

  const auto fixture =
      buildTable({makeSignature(kMd5A, 68, "First"), makeSignature(kMd5A, 68, "Second")});
  EXPECT_EQ(fixture->table.find(digestFromHex(kMd5A), 68), "First");
  EXPECT_EQ(fixture->table.size(), 1u);
}

TEST(SignatureTableTest, RepeatedNamesAreStoredOnce) {
  const auto fixture = buildTable({makeSignature(kMd5A, 1, "Same"), makeSignature(kMd5B, 1, "Same"),
                                   makeSignature(kSha1, 1, "Other")});

  EXPECT_EQ(fixture->table.nameCount(), 2u);
}

TEST(SignatureTableTest, CountsAndKindsFollowRecords) {
  const auto fixture = buildTable(
      {makeSignature(kMd5A, 1, "A"), makeSignature(kMd5B, 1, "B"), makeSignature(kSha256, 1, "C")});

  EXPECT_EQ(fixture->table.count(DigestKind::kMd5), 2u);
  EXPECT_EQ(fixture->table.count(DigestKind::kSha1), 0u);
  EXPECT_EQ(fixture->table.count(DigestKind::kSha256), 1u);
  EXPECT_TRUE(fixture->table.kinds().contains(DigestKind::kMd5));
  EXPECT_FALSE(fixture->table.kinds().contains(DigestKind::kSha1));
  EXPECT_TRUE(fixture->table.kinds().contains(DigestKind::kSha256));
}

TEST(SignatureTableTest, AtReturnsRecordsInDigestOrder) {
  const auto fixture =
      buildTable({makeSignature(kMd5B, 544, "Clam"), makeSignature(kMd5A, 68, "Eicar")});

  const Signature first = fixture->table.at(DigestKind::kMd5, 0);
  EXPECT_EQ(first.digest, digestFromHex(kMd5A));
  EXPECT_EQ(first.size, 68u);
  EXPECT_EQ(first.threatName, "Eicar");
  EXPECT_EQ(fixture->table.at(DigestKind::kMd5, 1).threatName, "Clam");
}

TEST(SignatureTableTest, EmptyTableFindsNothing) {
  const auto fixture = buildTable({});

  EXPECT_EQ(fixture->table.size(), 0u);
  EXPECT_EQ(fixture->table.find(digestFromHex(kMd5A), 1), std::nullopt);
  EXPECT_TRUE(fixture->table.kinds().empty());
}

TEST(SignatureTableTest, ManySignaturesAreAllFound) {
  std::mt19937_64 random(7);
  std::vector<Signature> signatures;
  for (int i = 0; i < 5000; ++i) {
    const auto kind = static_cast<DigestKind>(1 + i % 3);
    signatures.push_back(
        {testing::randomDigest(random, kind), kAnySize, "Threat." + std::to_string(i % 50)});
  }
  const auto fixture = buildTable(signatures);

  for (const Signature& signature : signatures) {
    EXPECT_EQ(fixture->table.find(signature.digest, 10), signature.threatName);
  }
}

// Enough records for a bucket index of several bits, plus digests at the edges of
// the first, last and two middle buckets.
TEST(SignatureTableTest, BucketEdgeDigestsAreFound) {
  std::mt19937_64 random(11);
  std::vector<Signature> signatures;
  for (int i = 0; i < 4096; ++i) {
    signatures.push_back({testing::randomDigest(random, DigestKind::kSha256), kAnySize, "Random"});
  }
  const std::string zeros(64, '0');
  const std::string edges[] = {zeros, std::string(64, 'f'), "7fffffff" + std::string(56, 'f'),
                               "80000000" + zeros.substr(8)};
  for (const std::string& edge : edges) {
    signatures.push_back({digestFromHex(edge), kAnySize, "Edge"});
  }
  signatures.push_back({digestFromHex(edges[3]), 68, "Sized"});
  const auto fixture = buildTable(signatures);

  for (const std::string& edge : edges) {
    EXPECT_EQ(fixture->table.find(digestFromHex(edge), 1), "Edge") << edge;
  }
  EXPECT_EQ(fixture->table.find(digestFromHex(edges[3]), 68), "Sized");
  EXPECT_EQ(fixture->table.findAll(digestFromHex(edges[3])).size(), 2u);
  // Neighbours of the edges, in the same buckets.
  const std::string missing[] = {zeros.substr(1) + "1", std::string(63, 'f') + "e",
                                 "7fffffff" + std::string(55, 'f') + "e",
                                 "80000000" + zeros.substr(9) + "1"};
  for (const std::string& digest : missing) {
    EXPECT_EQ(fixture->table.find(digestFromHex(digest), 1), std::nullopt) << digest;
  }
}

TEST(ThreatNameTest, ValidNameHasNoProblem) {
  EXPECT_EQ(threatNameProblem("Win.Test.EICAR_HDB-1"), "");
  EXPECT_EQ(threatNameProblem("Name with spaces"), "");
}

TEST(ThreatNameTest, InvalidNamesAreNamed) {
  EXPECT_EQ(threatNameProblem(""), "is empty");
  EXPECT_EQ(threatNameProblem("Bad\tName"), "contains a control character");
  EXPECT_EQ(threatNameProblem("Bad\x7fName"), "contains a control character");
  EXPECT_EQ(threatNameProblem(std::string(kMaxThreatNameLength + 1, 'a')),
            "is longer than 256 bytes");
  EXPECT_EQ(threatNameProblem(std::string(kMaxThreatNameLength, 'a')), "");
}

// --- Error paths ---

TEST(SignatureTableTest, EncodeRejectsInvalidName) {
  auto encoded = SignatureTable::encode({makeSignature(kMd5A, 1, "Bad\nName")});
  ASSERT_FALSE(encoded.ok());
  EXPECT_EQ(encoded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(encoded.status().message().find(kMd5A), std::string::npos);
}

TEST(SignatureTableTest, NameSectionShorterThanHeaderIsRejected) {
  const Status status = parseStatus({1, 0, 0}, {});
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
}

TEST(SignatureTableTest, NameSectionReservedFieldMustBeZero) {
  const Status status = parseStatus(u32Bytes({0, 1, 0}), {});
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
}

TEST(SignatureTableTest, NameCountBeyondSectionIsRejected) {
  const Status status = parseStatus(u32Bytes({0xffffffffu, 0, 0}), {});
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
}

TEST(SignatureTableTest, FirstNameOffsetMustBeZero) {
  auto names = oneNameSection();
  names[8] = 1;
  EXPECT_EQ(parseStatus(names, {}).code(), StatusCode::kCorrupt);
}

TEST(SignatureTableTest, NameOffsetPastBytesIsRejected) {
  auto names = oneNameSection();
  names[12] = 5;
  EXPECT_EQ(parseStatus(names, {}).code(), StatusCode::kCorrupt);
}

TEST(SignatureTableTest, EmptyNameInSectionIsRejected) {
  auto names = u32Bytes({2, 0, 0, 0, 4});
  for (const char c : std::string("Name")) names.push_back(static_cast<std::uint8_t>(c));
  EXPECT_EQ(parseStatus(names, {}).code(), StatusCode::kCorrupt);
}

TEST(SignatureTableTest, BytesAfterLastNameAreRejected) {
  auto names = oneNameSection();
  names.push_back('x');
  EXPECT_EQ(parseStatus(names, {}).code(), StatusCode::kCorrupt);
}

TEST(SignatureTableTest, ControlCharacterInStoredNameIsRejected) {
  auto names = oneNameSection();
  names.back() = '\n';
  const Status status = parseStatus(names, {});
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
  EXPECT_NE(status.message().find("control character"), std::string::npos);
}

TEST(SignatureTableTest, RecordSectionWithPartialRecordIsRejected) {
  auto record = md5Record(1, 5, 0);
  record.pop_back();
  const Status status = parseStatus(oneNameSection(), {record, {}, {}});
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
  EXPECT_NE(status.message().find("not a multiple"), std::string::npos);
}

TEST(SignatureTableTest, RecordNamingMissingThreatIsRejected) {
  const Status status = parseStatus(oneNameSection(), {md5Record(1, 5, 1), {}, {}});
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
}

TEST(SignatureTableTest, RecordsOutOfOrderAreRejected) {
  auto records = md5Record(2, 5, 0);
  const auto second = md5Record(1, 5, 0);
  records.insert(records.end(), second.begin(), second.end());
  const Status status = parseStatus(oneNameSection(), {records, {}, {}});
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
  EXPECT_NE(status.message().find("out of order"), std::string::npos);
}

TEST(SignatureTableTest, RepeatedRecordIsRejected) {
  auto records = md5Record(1, 5, 0);
  const auto second = md5Record(1, 5, 0);
  records.insert(records.end(), second.begin(), second.end());
  EXPECT_EQ(parseStatus(oneNameSection(), {records, {}, {}}).code(), StatusCode::kCorrupt);
}

TEST(SignatureTableTest, SameDigestWithLargerSizeLaterIsAccepted) {
  auto records = md5Record(1, 5, 0);
  const auto second = md5Record(1, 6, 0);
  records.insert(records.end(), second.begin(), second.end());
  EXPECT_TRUE(parseStatus(oneNameSection(), {records, {}, {}}).ok());
}

}  // namespace
}  // namespace odscan
