#include "odscan/pattern/smart_scan_pattern.h"

#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "odscan/pattern/signature_table.h"
#include "pattern_test_support.h"

namespace odscan {
namespace {

using testing::digestFromHex;
using testing::makeSignature;

constexpr const char* kEicarMd5 = "44d88612fea8a8f36de82e1278abb02f";
constexpr const char* kEicarSha1 = "3395856ce81f2b7382dee72602f798b642f14140";
constexpr const char* kEicarSha256 =
    "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f";

SmartScanPattern buildOrFail(std::vector<Signature> signatures, std::uint64_t version = 1) {
  auto pattern = SmartScanPattern::build(std::move(signatures), version);
  EXPECT_TRUE(pattern.ok()) << pattern.status().toString();
  return std::move(pattern).value();
}

TEST(SmartScanPatternTest, FindsByEveryDigestKind) {
  const auto pattern = buildOrFail({makeSignature(kEicarMd5, 68, "Eicar.Md5"),
                                    makeSignature(kEicarSha1, 68, "Eicar.Sha1"),
                                    makeSignature(kEicarSha256, kAnySize, "Eicar.Sha256")});

  EXPECT_EQ(pattern.find(digestFromHex(kEicarMd5), 68), "Eicar.Md5");
  EXPECT_EQ(pattern.find(digestFromHex(kEicarSha1), 68), "Eicar.Sha1");
  EXPECT_EQ(pattern.find(digestFromHex(kEicarSha256), 1000), "Eicar.Sha256");
}

TEST(SmartScanPatternTest, SizedSignatureNeedsMatchingSize) {
  const auto pattern = buildOrFail({makeSignature(kEicarMd5, 68, "Eicar")});

  EXPECT_EQ(pattern.find(digestFromHex(kEicarMd5), 69), std::nullopt);
}

TEST(SmartScanPatternTest, CountsPerKind) {
  const auto pattern =
      buildOrFail({makeSignature(kEicarMd5, 68, "A"), makeSignature(kEicarSha256, kAnySize, "B"),
                   makeSignature(kEicarSha256, 68, "C")});

  EXPECT_EQ(pattern.signatureCount(), 3u);
  EXPECT_EQ(pattern.signatureCount(DigestKind::kMd5), 1u);
  EXPECT_EQ(pattern.signatureCount(DigestKind::kSha1), 0u);
  EXPECT_EQ(pattern.signatureCount(DigestKind::kSha256), 2u);
  EXPECT_TRUE(pattern.digestKinds().contains(DigestKind::kSha256));
  EXPECT_FALSE(pattern.digestKinds().contains(DigestKind::kSha1));
}

TEST(SmartScanPatternTest, DuplicateKeepsFirstName) {
  const auto pattern =
      buildOrFail({makeSignature(kEicarMd5, 68, "First"), makeSignature(kEicarMd5, 68, "Second")});

  EXPECT_EQ(pattern.find(digestFromHex(kEicarMd5), 68), "First");
  EXPECT_EQ(pattern.signatureCount(), 1u);
}

TEST(SmartScanPatternTest, VersionIsKept) { EXPECT_EQ(buildOrFail({}, 77).version(), 77u); }

TEST(SmartScanPatternTest, ConcurrentLookupsAgree) {
  std::mt19937_64 random(31);
  std::vector<Signature> signatures(4000);
  for (std::size_t i = 0; i < signatures.size(); ++i) {
    signatures[i] = {testing::randomDigest(random, DigestKind::kSha256), i,
                     "Threat." + std::to_string(i)};
  }
  const auto pattern = buildOrFail(signatures);

  std::array<int, 4> misses{};
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < misses.size(); ++t) {
    threads.emplace_back([&, t] {
      for (const Signature& signature : signatures) {
        const auto name = pattern.find(signature.digest, signature.size);
        misses[t] += name == signature.threatName ? 0 : 1;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const int count : misses) EXPECT_EQ(count, 0);
}

// --- Error paths ---

TEST(SmartScanPatternTest, ControlCharacterInNameIsRejected) {
  auto pattern = SmartScanPattern::build({makeSignature(kEicarMd5, 68, "Bad\x01Name")}, 1);
  ASSERT_FALSE(pattern.ok());
  EXPECT_EQ(pattern.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(pattern.status().message().find("control character"), std::string::npos);
}

}  // namespace
}  // namespace odscan
