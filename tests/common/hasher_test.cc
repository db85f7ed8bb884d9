#include "odscan/common/hasher.h"

#include <gtest/gtest.h>

#include <string_view>

namespace odscan {
namespace {

std::span<const std::uint8_t> bytesOf(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

TEST(MultiHasherTest, ComputesOnlyRequestedKinds) {
  DigestKindSet kinds;
  kinds.insert(DigestKind::kMd5);
  kinds.insert(DigestKind::kSha256);
  MultiHasher hasher(kinds);
  hasher.update(bytesOf("abc"));
  FileDigests digests = hasher.finish();

  ASSERT_TRUE(digests.get(DigestKind::kMd5).has_value());
  EXPECT_EQ(digests.get(DigestKind::kMd5)->toHex(), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_FALSE(digests.get(DigestKind::kSha1).has_value());
  ASSERT_TRUE(digests.get(DigestKind::kSha256).has_value());
  EXPECT_EQ(digests.get(DigestKind::kSha256)->toHex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(MultiHasherTest, ResetStartsNewStream) {
  DigestKindSet kinds;
  kinds.insert(DigestKind::kSha1);
  MultiHasher hasher(kinds);
  hasher.update(bytesOf("first file"));
  (void)hasher.finish();
  hasher.reset();
  hasher.update(bytesOf("abc"));
  EXPECT_EQ(hasher.finish().get(DigestKind::kSha1)->toHex(),
            "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST(MultiHasherTest, SplitUpdatesEqualOneUpdate) {
  const Digest whole = MultiHasher::digestOf(DigestKind::kSha256, bytesOf("hello world"));
  DigestKindSet kinds;
  kinds.insert(DigestKind::kSha256);
  MultiHasher hasher(kinds);
  hasher.update(bytesOf("hello "));
  hasher.update(bytesOf("world"));
  EXPECT_EQ(*hasher.finish().get(DigestKind::kSha256), whole);
}

}  // namespace
}  // namespace odscan
