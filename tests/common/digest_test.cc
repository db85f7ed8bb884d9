#include "odscan/common/digest.h"

#include <gtest/gtest.h>

namespace odscan {
namespace {

TEST(DigestTest, HexLengthSelectsKind) {
  EXPECT_EQ(Digest::fromHex(std::string(32, 'a'))->kind, DigestKind::kMd5);
  EXPECT_EQ(Digest::fromHex(std::string(40, 'a'))->kind, DigestKind::kSha1);
  EXPECT_EQ(Digest::fromHex(std::string(64, 'a'))->kind, DigestKind::kSha256);
}

TEST(DigestTest, HexRoundTripIsLowerCase) {
  auto digest = Digest::fromHex("AA15BCF478D165EFD2065190EB473BCB");
  ASSERT_TRUE(digest.ok());
  EXPECT_EQ(digest->toHex(), "aa15bcf478d165efd2065190eb473bcb");
}

TEST(DigestTest, WrongLengthIsRejected) {
  auto digest = Digest::fromHex("abc");
  ASSERT_FALSE(digest.ok());
  EXPECT_EQ(digest.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(digest.status().message().find("'abc'"), std::string::npos);
}

TEST(DigestTest, NonHexCharacterIsRejected) {
  auto digest = Digest::fromHex(std::string(31, 'a') + "g");
  ASSERT_FALSE(digest.ok());
  EXPECT_NE(digest.status().message().find("not a hex digit"), std::string::npos);
}

TEST(DigestKindSetTest, InsertAndContains) {
  DigestKindSet kinds;
  EXPECT_TRUE(kinds.empty());
  kinds.insert(DigestKind::kSha1);
  EXPECT_TRUE(kinds.contains(DigestKind::kSha1));
  EXPECT_FALSE(kinds.contains(DigestKind::kMd5));
  EXPECT_EQ(DigestKindSet::fromBits(kinds.bits()), kinds);
}

}  // namespace
}  // namespace odscan
