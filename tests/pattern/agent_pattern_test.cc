#include "odscan/pattern/agent_pattern.h"

#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "odscan/pattern/binary_fuse_filter.h"
#include "odscan/pattern/signature_table.h"
#include "pattern_test_support.h"

namespace odscan {
namespace {

using testing::digestFromHex;
using testing::makeSignature;

constexpr const char* kEicarMd5 = "44d88612fea8a8f36de82e1278abb02f";
constexpr const char* kClamMd5 = "aa15bcf478d165efd2065190eb473bcb";
constexpr const char* kEicarSha256 =
    "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f";

AgentPattern buildOrFail(std::vector<Signature> exact, const std::vector<Digest>& keys,
                         std::uint64_t version = 1) {
  auto pattern = AgentPattern::build(std::move(exact), keys, version);
  EXPECT_TRUE(pattern.ok()) << pattern.status().toString();
  return std::move(pattern).value();
}

TEST(AgentPatternTest, ExactSignatureMatchesDigestAndSize) {
  const auto pattern = buildOrFail({makeSignature(kEicarMd5, 68, "Eicar-Test-Signature"),
                                    makeSignature(kClamMd5, kAnySize, "Clamav.Test.File-6")},
                                   {});

  EXPECT_EQ(pattern.findExact(digestFromHex(kEicarMd5), 68), "Eicar-Test-Signature");
  EXPECT_EQ(pattern.findExact(digestFromHex(kEicarMd5), 67), std::nullopt);
  EXPECT_EQ(pattern.findExact(digestFromHex(kClamMd5), 1), "Clamav.Test.File-6");
  EXPECT_EQ(pattern.exactCount(), 2u);
}

TEST(AgentPatternTest, FilterContainsEveryKey) {
  std::mt19937_64 random(21);
  std::vector<Digest> keys(3000);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    keys[i] = testing::randomDigest(random, static_cast<DigestKind>(1 + i % 3));
  }
  const auto pattern = buildOrFail({}, keys);

  for (const Digest& key : keys) EXPECT_TRUE(pattern.mayContain(key)) << key.toHex();
  EXPECT_EQ(pattern.filterKeyCount(), keys.size());
  EXPECT_EQ(pattern.filterKeyCount(DigestKind::kMd5), 1000u);
  EXPECT_EQ(pattern.filterKeyCount(DigestKind::kSha1), 1000u);
  EXPECT_EQ(pattern.filterKeyCount(DigestKind::kSha256), 1000u);
}

TEST(AgentPatternTest, FilterRejectsMostOtherDigests) {
  std::mt19937_64 random(22);
  const auto keys = testing::randomDigests(random, 20000, DigestKind::kSha256);
  const auto pattern = buildOrFail({}, keys);

  int positives = 0;
  constexpr int kQueries = 100000;
  for (int i = 0; i < kQueries; ++i) {
    positives += pattern.mayContain(testing::randomDigest(random, DigestKind::kSha256)) ? 1 : 0;
  }
  EXPECT_LT(positives, kQueries / 200);
}

TEST(AgentPatternTest, FilterIgnoresFileSize) {
  const auto pattern = buildOrFail({}, {digestFromHex(kEicarSha256)});
  EXPECT_TRUE(pattern.mayContain(digestFromHex(kEicarSha256)));
}

TEST(AgentPatternTest, DuplicateFilterKeysAreCountedOnce) {
  const Digest eicar = digestFromHex(kEicarSha256);
  const auto pattern = buildOrFail({}, {eicar, eicar, eicar});

  EXPECT_EQ(pattern.filterKeyCount(), 1u);
  EXPECT_EQ(pattern.filterKeyCount(DigestKind::kSha256), 1u);
  EXPECT_TRUE(pattern.mayContain(eicar));
}

TEST(AgentPatternTest, SmallFilterKeySetsWork) {
  std::mt19937_64 random(23);
  for (std::size_t count = 0; count <= 3; ++count) {
    const auto keys = testing::randomDigests(random, count, DigestKind::kMd5);
    const auto pattern = buildOrFail({}, keys);
    EXPECT_EQ(pattern.filterKeyCount(), count);
    for (const Digest& key : keys) EXPECT_TRUE(pattern.mayContain(key)) << count << " keys";
  }
}

TEST(AgentPatternTest, EmptyPatternDecidesEverythingClean) {
  const auto pattern = buildOrFail({}, {});

  EXPECT_FALSE(pattern.mayContain(digestFromHex(kEicarSha256)));
  EXPECT_EQ(pattern.findExact(digestFromHex(kEicarMd5), 68), std::nullopt);
  EXPECT_TRUE(pattern.requiredDigests().empty());
}

TEST(AgentPatternTest, RequiredDigestsCoverExactAndFilterKinds) {
  const auto pattern =
      buildOrFail({makeSignature(kEicarMd5, 68, "Eicar")}, {digestFromHex(kEicarSha256)});

  const DigestKindSet required = pattern.requiredDigests();
  EXPECT_TRUE(required.contains(DigestKind::kMd5));
  EXPECT_FALSE(required.contains(DigestKind::kSha1));
  EXPECT_TRUE(required.contains(DigestKind::kSha256));
}

TEST(AgentPatternTest, VersionIsKept) {
  const auto pattern = buildOrFail({}, {}, 202406011230);
  EXPECT_EQ(pattern.version(), 202406011230u);
  EXPECT_EQ(pattern.creationTime(), 0);
}

TEST(AgentPatternTest, FilterBytesPerKeyIsWithinLimit) {
  std::mt19937_64 random(24);
  const auto keys = testing::randomDigests(random, 100000, DigestKind::kSha256);
  const auto pattern = buildOrFail({}, keys);

  EXPECT_LE(static_cast<double>(pattern.filter().fingerprintBytes()) / 100000.0, 1.2);
}

TEST(AgentPatternTest, MovedPatternKeepsWorking) {
  auto pattern =
      buildOrFail({makeSignature(kEicarMd5, 68, "Eicar")}, {digestFromHex(kEicarSha256)});
  AgentPattern moved = std::move(pattern);

  EXPECT_EQ(moved.findExact(digestFromHex(kEicarMd5), 68), "Eicar");
  EXPECT_TRUE(moved.mayContain(digestFromHex(kEicarSha256)));
}

TEST(AgentPatternTest, ConcurrentLookupsAgree) {
  std::mt19937_64 random(25);
  const auto keys = testing::randomDigests(random, 5000, DigestKind::kSha1);
  const auto pattern = buildOrFail({makeSignature(kEicarMd5, 68, "Eicar")}, keys);

  std::vector<std::thread> threads;
  std::array<int, 4> misses{};
  for (std::size_t t = 0; t < misses.size(); ++t) {
    threads.emplace_back([&, t] {
      for (const Digest& key : keys) misses[t] += pattern.mayContain(key) ? 0 : 1;
      misses[t] += pattern.findExact(digestFromHex(kEicarMd5), 68) ? 0 : 1;
    });
  }
  for (auto& thread : threads) thread.join();
  for (const int count : misses) EXPECT_EQ(count, 0);
}

// --- Error paths ---

TEST(AgentPatternTest, InvalidExactThreatNameIsRejected) {
  auto pattern = AgentPattern::build({makeSignature(kEicarMd5, 68, "")}, {}, 1);
  ASSERT_FALSE(pattern.ok());
  EXPECT_EQ(pattern.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace odscan
