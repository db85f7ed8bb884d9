#include "odscan/pattern/binary_fuse_filter.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "pattern_test_support.h"

namespace odscan {
namespace {

std::vector<std::uint64_t> randomKeys(std::size_t count, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<std::uint64_t> keys(count);
  for (auto& key : keys) key = random();
  return keys;
}

std::vector<std::uint8_t> buildOrFail(const std::vector<std::uint64_t>& keys) {
  auto bytes = buildBinaryFuseFilter(keys);
  EXPECT_TRUE(bytes.ok()) << bytes.status().toString();
  return bytes.ok() ? *bytes : std::vector<std::uint8_t>();
}

// Writes a filter header with the given fields followed by `fingerprints` bytes.
std::vector<std::uint8_t> filterBytes(std::uint32_t segmentLength, std::uint32_t segmentCount,
                                      std::uint64_t keyCount, std::size_t fingerprints) {
  std::vector<std::uint8_t> bytes(kBinaryFuseHeaderSize + fingerprints, 0);
  auto put = [&bytes](std::size_t offset, std::uint64_t value, int width) {
    for (int i = 0; i < width; ++i) bytes[offset + i] = static_cast<std::uint8_t>(value >> (8 * i));
  };
  put(0, 12345, 8);
  put(8, segmentLength, 4);
  put(12, segmentCount, 4);
  put(16, keyCount, 8);
  return bytes;
}

TEST(BinaryFuseFilterTest, EmptyFilterContainsNothing) {
  const auto bytes = buildOrFail({});
  auto filter = BinaryFuseFilter::parse(bytes);
  ASSERT_TRUE(filter.ok()) << filter.status().toString();

  EXPECT_EQ(filter->keyCount(), 0u);
  EXPECT_EQ(filter->fingerprintBytes(), 0u);
  EXPECT_FALSE(filter->contains(0));
  EXPECT_FALSE(filter->contains(42));
}

TEST(BinaryFuseFilterTest, SmallKeySetsContainEveryKey) {
  for (std::size_t count = 1; count <= 40; ++count) {
    const auto keys = randomKeys(count, count);
    const auto bytes = buildOrFail(keys);
    auto filter = BinaryFuseFilter::parse(bytes);
    ASSERT_TRUE(filter.ok()) << "count " << count << ": " << filter.status().toString();

    EXPECT_EQ(filter->keyCount(), count);
    for (const std::uint64_t key : keys) {
      EXPECT_TRUE(filter->contains(key)) << "count " << count << ", key " << key;
    }
  }
}

TEST(BinaryFuseFilterTest, SmallSequentialKeysContainEveryKey) {
  for (const std::vector<std::uint64_t>& keys :
       {std::vector<std::uint64_t>{0}, {0, 1}, {0, 1, 2}, {1, 2, 3, 4}}) {
    const auto bytes = buildOrFail(keys);
    auto filter = BinaryFuseFilter::parse(bytes);
    ASSERT_TRUE(filter.ok()) << filter.status().toString();
    for (const std::uint64_t key : keys) EXPECT_TRUE(filter->contains(key)) << key;
  }
}

TEST(BinaryFuseFilterTest, DuplicateKeysAreCountedOnce) {
  const std::vector<std::uint64_t> keys = {7, 7, 7, 9, 9, 11};
  const auto bytes = buildOrFail(keys);
  auto filter = BinaryFuseFilter::parse(bytes);
  ASSERT_TRUE(filter.ok()) << filter.status().toString();

  EXPECT_EQ(filter->keyCount(), 3u);
  EXPECT_TRUE(filter->contains(7));
  EXPECT_TRUE(filter->contains(9));
  EXPECT_TRUE(filter->contains(11));
}

TEST(BinaryFuseFilterTest, OnlyDuplicatesOfOneKeyWork) {
  const auto bytes = buildOrFail({5, 5});
  auto filter = BinaryFuseFilter::parse(bytes);
  ASSERT_TRUE(filter.ok()) << filter.status().toString();

  EXPECT_EQ(filter->keyCount(), 1u);
  EXPECT_TRUE(filter->contains(5));
}

TEST(BinaryFuseFilterTest, LargeSetContainsEveryKey) {
  const auto keys = randomKeys(200000, 1);
  const auto bytes = buildOrFail(keys);
  auto filter = BinaryFuseFilter::parse(bytes);
  ASSERT_TRUE(filter.ok()) << filter.status().toString();

  std::size_t missing = 0;
  for (const std::uint64_t key : keys) missing += filter->contains(key) ? 0 : 1;
  EXPECT_EQ(missing, 0u);
}

TEST(BinaryFuseFilterTest, FalsePositiveRateIsBelowHalfPercent) {
  const auto keys = randomKeys(100000, 2);
  const auto bytes = buildOrFail(keys);
  auto filter = BinaryFuseFilter::parse(bytes);
  ASSERT_TRUE(filter.ok()) << filter.status().toString();

  std::mt19937_64 random(3);
  constexpr std::size_t kQueries = 1000000;
  std::size_t positives = 0;
  for (std::size_t i = 0; i < kQueries; ++i) positives += filter->contains(random()) ? 1 : 0;
  const double rate = static_cast<double>(positives) / kQueries;

  EXPECT_LT(rate, 0.005);
  // 8-bit fingerprints give about 1/256; a rate near zero would mean a broken query.
  EXPECT_GT(rate, 0.002);
}

TEST(BinaryFuseFilterTest, BytesPerKeyIsWithinLimit) {
  for (const std::size_t count : {100000u, 1000000u}) {
    const auto keys = randomKeys(count, count);
    const auto bytes = buildOrFail(keys);
    auto filter = BinaryFuseFilter::parse(bytes);
    ASSERT_TRUE(filter.ok()) << filter.status().toString();

    const double bytesPerKey = static_cast<double>(bytes.size()) / static_cast<double>(count);
    EXPECT_LE(bytesPerKey, 1.2) << count << " keys";
    EXPECT_LE(filter->bitsPerKey(), 9.6) << count << " keys";
  }
}

TEST(BinaryFuseFilterTest, BuildIsDeterministic) {
  const auto keys = randomKeys(5000, 4);
  auto reversed = keys;
  std::reverse(reversed.begin(), reversed.end());

  EXPECT_EQ(buildOrFail(keys), buildOrFail(reversed));
}

TEST(BinaryFuseFilterTest, FilterKeyDependsOnKindAndEveryByte) {
  std::mt19937_64 random(5);
  const Digest sha256 = testing::randomDigest(random, DigestKind::kSha256);
  Digest md5 = sha256;
  md5.kind = DigestKind::kMd5;
  std::fill(md5.bytes.begin() + 16, md5.bytes.end(), 0);
  Digest lastByteChanged = sha256;
  lastByteChanged.bytes[31] ^= 1;

  EXPECT_EQ(filterKeyOf(sha256), filterKeyOf(sha256));
  EXPECT_NE(filterKeyOf(sha256), filterKeyOf(md5));
  EXPECT_NE(filterKeyOf(sha256), filterKeyOf(lastByteChanged));
}

TEST(BinaryFuseFilterTest, FilterKeyIgnoresBytesPastTheDigestLength) {
  std::mt19937_64 random(6);
  const Digest sha1 = testing::randomDigest(random, DigestKind::kSha1);
  Digest withGarbage = sha1;
  withGarbage.bytes[25] = 0xff;

  EXPECT_EQ(filterKeyOf(sha1), filterKeyOf(withGarbage));
}

// --- Error paths: parse() must reject every inconsistent section. ---

TEST(BinaryFuseFilterTest, SectionShorterThanHeaderIsRejected) {
  const std::vector<std::uint8_t> bytes(kBinaryFuseHeaderSize - 1, 0);
  auto filter = BinaryFuseFilter::parse(bytes);
  ASSERT_FALSE(filter.ok());
  EXPECT_EQ(filter.status().code(), StatusCode::kCorrupt);
}

TEST(BinaryFuseFilterTest, EmptyFilterWithFingerprintsIsRejected) {
  const auto bytes = filterBytes(0, 0, 0, 3);
  auto filter = BinaryFuseFilter::parse(bytes);
  ASSERT_FALSE(filter.ok());
  EXPECT_EQ(filter.status().code(), StatusCode::kCorrupt);
}

TEST(BinaryFuseFilterTest, SegmentLengthNotPowerOfTwoIsRejected) {
  const auto bytes = filterBytes(6, 1, 1, 18);
  auto filter = BinaryFuseFilter::parse(bytes);
  ASSERT_FALSE(filter.ok());
  EXPECT_NE(filter.status().message().find("power of two"), std::string::npos);
}

TEST(BinaryFuseFilterTest, SegmentLengthAboveMaximumIsRejected) {
  const auto bytes = filterBytes(kBinaryFuseMaxSegmentLength * 2, 1, 1, 0);
  auto filter = BinaryFuseFilter::parse(bytes);
  ASSERT_FALSE(filter.ok());
  EXPECT_EQ(filter.status().code(), StatusCode::kCorrupt);
}

TEST(BinaryFuseFilterTest, ZeroSegmentLengthWithKeysIsRejected) {
  const auto bytes = filterBytes(0, 1, 1, 0);
  auto filter = BinaryFuseFilter::parse(bytes);
  ASSERT_FALSE(filter.ok());
  EXPECT_EQ(filter.status().code(), StatusCode::kCorrupt);
}

TEST(BinaryFuseFilterTest, ZeroSegmentCountIsRejected) {
  const auto bytes = filterBytes(4, 0, 1, 8);
  auto filter = BinaryFuseFilter::parse(bytes);
  ASSERT_FALSE(filter.ok());
  EXPECT_EQ(filter.status().code(), StatusCode::kCorrupt);
}

TEST(BinaryFuseFilterTest, SegmentCountOverflowingIndexesIsRejected) {
  const auto bytes = filterBytes(kBinaryFuseMaxSegmentLength, 0xffffffffu, 1, 0);
  auto filter = BinaryFuseFilter::parse(bytes);
  ASSERT_FALSE(filter.ok());
  EXPECT_EQ(filter.status().code(), StatusCode::kCorrupt);
}

TEST(BinaryFuseFilterTest, FingerprintLengthMismatchIsRejected) {
  const auto tooShort = filterBytes(4, 1, 1, 11);
  const auto tooLong = filterBytes(4, 1, 1, 13);

  EXPECT_FALSE(BinaryFuseFilter::parse(tooShort).ok());
  EXPECT_FALSE(BinaryFuseFilter::parse(tooLong).ok());
  EXPECT_TRUE(BinaryFuseFilter::parse(filterBytes(4, 1, 1, 12)).ok());
}

TEST(BinaryFuseFilterTest, MoreKeysThanSlotsIsRejected) {
  const auto bytes = filterBytes(4, 1, 13, 12);
  auto filter = BinaryFuseFilter::parse(bytes);
  ASSERT_FALSE(filter.ok());
  EXPECT_EQ(filter.status().code(), StatusCode::kCorrupt);
}

}  // namespace
}  // namespace odscan
