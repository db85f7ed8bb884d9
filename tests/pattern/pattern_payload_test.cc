#include <gtest/gtest.h>

#include "odscan/pattern/pattern_file.h"

namespace odscan {
namespace {

std::vector<std::uint8_t> bytesOf(std::string_view text) {
  return std::vector<std::uint8_t>(text.begin(), text.end());
}

void putLe(std::vector<std::uint8_t>& bytes, std::size_t offset, std::uint64_t value, int width) {
  for (int i = 0; i < width; ++i) bytes[offset + i] = static_cast<std::uint8_t>(value >> (8 * i));
}

// A payload with one names section of `length` bytes at `offset`.
std::vector<std::uint8_t> oneSectionPayload(std::uint32_t id, std::uint64_t offset,
                                            std::uint64_t length, std::size_t totalSize) {
  std::vector<std::uint8_t> payload(totalSize, 0);
  putLe(payload, 0, 1, 4);
  putLe(payload, 8, id, 4);
  putLe(payload, 16, offset, 8);
  putLe(payload, 24, length, 8);
  return payload;
}

TEST(PatternPayloadTest, SectionsRoundTrip) {
  const auto names = bytesOf("names");
  const auto filter = bytesOf("filter bytes");
  const std::vector<PayloadSection> sections = {{PatternSection::kNames, names},
                                                {PatternSection::kFilter, filter}};
  const auto payload = encodePayload(sections);

  auto parsed = parsePayload(payload);
  ASSERT_TRUE(parsed.ok()) << parsed.status().toString();
  const auto& found = *parsed;
  ASSERT_TRUE(found[0].has_value());
  ASSERT_TRUE(found[4].has_value());
  EXPECT_FALSE(found[1].has_value());
  EXPECT_EQ(std::vector<std::uint8_t>(found[0]->begin(), found[0]->end()), names);
  EXPECT_EQ(std::vector<std::uint8_t>(found[4]->begin(), found[4]->end()), filter);
}

TEST(PatternPayloadTest, SectionsStartEightByteAligned) {
  const auto odd = bytesOf("abc");
  const std::vector<PayloadSection> sections = {{PatternSection::kNames, odd},
                                                {PatternSection::kMd5Records, odd}};
  const auto payload = encodePayload(sections);

  auto parsed = parsePayload(payload);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(((*parsed)[1]->data() - payload.data()) % 8, 0);
}

TEST(PatternPayloadTest, EmptySectionListIsValid) {
  const auto payload = encodePayload({});
  EXPECT_TRUE(parsePayload(payload).ok());
}

// --- Error paths ---

TEST(PatternPayloadTest, PayloadShorterThanCountIsRejected) {
  const std::vector<std::uint8_t> payload(7, 0);
  EXPECT_EQ(parsePayload(payload).status().code(), StatusCode::kCorrupt);
}

TEST(PatternPayloadTest, NonZeroReservedFieldIsRejected) {
  std::vector<std::uint8_t> payload(8, 0);
  payload[4] = 1;
  EXPECT_EQ(parsePayload(payload).status().code(), StatusCode::kCorrupt);
}

TEST(PatternPayloadTest, TooManySectionsAreRejected) {
  std::vector<std::uint8_t> payload(8, 0);
  putLe(payload, 0, 0xffffffff, 4);
  const Status status = parsePayload(payload).status();
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
  EXPECT_NE(status.message().find("sections"), std::string::npos);
}

TEST(PatternPayloadTest, TableLongerThanPayloadIsRejected) {
  std::vector<std::uint8_t> payload(20, 0);
  putLe(payload, 0, 1, 4);
  EXPECT_EQ(parsePayload(payload).status().code(), StatusCode::kCorrupt);
}

TEST(PatternPayloadTest, UnknownSectionIdIsRejected) {
  for (const std::uint32_t id : {0u, 7u, 0xffffffffu}) {
    const auto payload = oneSectionPayload(id, 32, 0, 32);
    EXPECT_EQ(parsePayload(payload).status().code(), StatusCode::kCorrupt) << "id " << id;
  }
}

TEST(PatternPayloadTest, RepeatedSectionIdIsRejected) {
  std::vector<std::uint8_t> payload(56, 0);
  putLe(payload, 0, 2, 4);
  putLe(payload, 8, 1, 4);
  putLe(payload, 16, 56, 8);
  putLe(payload, 32, 1, 4);
  putLe(payload, 40, 56, 8);
  EXPECT_EQ(parsePayload(payload).status().code(), StatusCode::kCorrupt);
}

TEST(PatternPayloadTest, SectionInsideTableIsRejected) {
  const auto payload = oneSectionPayload(1, 8, 4, 40);
  EXPECT_EQ(parsePayload(payload).status().code(), StatusCode::kCorrupt);
}

TEST(PatternPayloadTest, SectionPastEndIsRejected) {
  EXPECT_FALSE(parsePayload(oneSectionPayload(1, 32, 9, 40)).ok());
  EXPECT_FALSE(parsePayload(oneSectionPayload(1, 41, 0, 40)).ok());
  EXPECT_FALSE(parsePayload(oneSectionPayload(1, 32, ~0ull, 40)).ok());
  EXPECT_FALSE(parsePayload(oneSectionPayload(1, ~0ull, 2, 40)).ok());
  EXPECT_TRUE(parsePayload(oneSectionPayload(1, 32, 8, 40)).ok());
}

TEST(PatternPayloadTest, OverlappingSectionsAreRejected) {
  std::vector<std::uint8_t> payload(72, 0);
  putLe(payload, 0, 2, 4);
  putLe(payload, 8, 1, 4);
  putLe(payload, 16, 56, 8);
  putLe(payload, 24, 10, 8);
  putLe(payload, 32, 2, 4);
  putLe(payload, 40, 60, 8);
  putLe(payload, 48, 4, 8);
  EXPECT_EQ(parsePayload(payload).status().code(), StatusCode::kCorrupt);
}

}  // namespace
}  // namespace odscan
