#include "odscan/scanner/formatting.h"

#include <gtest/gtest.h>

namespace odscan::scanner {
namespace {

using std::chrono::milliseconds;

TEST(FormattingTest, BytesBelowOneKibibyteArePlain) { EXPECT_EQ(formatBytes(512), "512 B"); }

TEST(FormattingTest, BytesUseBinaryUnits) {
  EXPECT_EQ(formatBytes(1536), "1.5 KiB");
  EXPECT_EQ(formatBytes(64ull << 20), "64.0 MiB");
  EXPECT_EQ(formatBytes(3ull << 40), "3.0 TiB");
}

TEST(FormattingTest, RateDividesBytesByElapsedTime) {
  EXPECT_EQ(formatRate(10ull << 20, milliseconds(2000)), "5.0 MiB/s");
}

TEST(FormattingTest, RateWithoutElapsedTimeIsDash) {
  EXPECT_EQ(formatRate(1000, milliseconds(0)), "-");
}

TEST(FormattingTest, SecondsHaveTwoDecimals) {
  EXPECT_EQ(formatSeconds(milliseconds(3250)), "3.25 s");
}

TEST(FormattingTest, UtcTimestampsUseIsoAndCompactForms) {
  // 2026-12-04T21:15:00.123Z
  const auto time = std::chrono::system_clock::time_point(milliseconds(1796418900123));
  EXPECT_EQ(formatUtcTimestamp(time), "2026-12-04T21:15:00.123Z");
  EXPECT_EQ(formatUtcCompact(time), "20261204T211500Z");
}

TEST(FormattingTest, CountUsesSingularOnlyForOne) {
  EXPECT_EQ(formatCount(0, "exact signature", "exact signatures"), "0 exact signatures");
  EXPECT_EQ(formatCount(1, "exact signature", "exact signatures"), "1 exact signature");
  EXPECT_EQ(formatCount(2, "exact signature", "exact signatures"), "2 exact signatures");
}

TEST(FormattingTest, ElideMiddleKeepsShortText) {
  EXPECT_EQ(elideMiddle("/tmp/a.exe", 20), "/tmp/a.exe");
}

TEST(FormattingTest, ElideMiddleKeepsStartAndFileName) {
  const std::string elided = elideMiddle("/home/user/Downloads/some/deep/folder/setup.exe", 24);
  EXPECT_EQ(elided.size(), 24u);
  EXPECT_EQ(elided.substr(0, 3), "/ho");
  EXPECT_NE(elided.find("..."), std::string::npos);
  EXPECT_EQ(elided.substr(elided.size() - 9), "setup.exe");
}

}  // namespace
}  // namespace odscan::scanner
