#include "odscan/scanner/option_values.h"

#include <gtest/gtest.h>

#include <string>

namespace odscan::scanner {
namespace {

std::uint64_t sizeOrZero(std::string_view text) {
  Result<std::uint64_t> size = parseByteSize(text);
  EXPECT_TRUE(size.ok()) << text << ": " << size.status().toString();
  return size.ok() ? *size : 0;
}

TEST(ByteSizeTest, PlainNumberIsBytes) {
  EXPECT_EQ(sizeOrZero("0"), 0u);
  EXPECT_EQ(sizeOrZero("1048576"), 1048576u);
  EXPECT_EQ(sizeOrZero("18446744073709551615"), 18446744073709551615u);
}

TEST(ByteSizeTest, BinaryUnitsInAnySpelling) {
  EXPECT_EQ(sizeOrZero("64MiB"), 64u << 20);
  EXPECT_EQ(sizeOrZero("64mib"), 64u << 20);
  EXPECT_EQ(sizeOrZero("64M"), 64u << 20);
  EXPECT_EQ(sizeOrZero("64MB"), 64u << 20);
  EXPECT_EQ(sizeOrZero("512 KiB"), 512u << 10);
  EXPECT_EQ(sizeOrZero("2GiB"), 2ull << 30);
  EXPECT_EQ(sizeOrZero("1TiB"), 1ull << 40);
  EXPECT_EQ(sizeOrZero("1PiB"), 1ull << 50);
  EXPECT_EQ(sizeOrZero("15EiB"), 15ull << 60);
  EXPECT_EQ(sizeOrZero("100B"), 100u);
}

TEST(ByteSizeTest, DecimalSizesRoundDown) {
  EXPECT_EQ(sizeOrZero("1.5GiB"), 1610612736u);
  EXPECT_EQ(sizeOrZero("0.5KiB"), 512u);
  EXPECT_EQ(sizeOrZero(".25MiB"), 262144u);
  EXPECT_EQ(sizeOrZero("1.001KiB"), 1025u);  // 1025.024 bytes
  EXPECT_EQ(sizeOrZero("15.999999999EiB"), 18446744072556630111u);
}

// Error paths

TEST(ByteSizeTest, NegativeSizeIsRejectedWithForms) {
  Result<std::uint64_t> size = parseByteSize("-1");
  ASSERT_FALSE(size.ok());
  EXPECT_EQ(size.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(size.status().message().find("'-1'"), std::string::npos) << size.status().message();
  EXPECT_NE(size.status().message().find("negative"), std::string::npos);
  EXPECT_NE(size.status().message().find("64MiB"), std::string::npos);
}

TEST(ByteSizeTest, MalformedSizesAreRejected) {
  for (const char* text : {"", " ", "MiB", "1.5", "1.", "1..5MiB", "12XB", "1e6", "+5", "0x10",
                           "1.0000000001GiB", "5 MiB extra"}) {
    EXPECT_FALSE(parseByteSize(text).ok()) << "'" << text << "'";
  }
}

TEST(ByteSizeTest, FractionOfByteNamesUnitNeed) {
  Result<std::uint64_t> size = parseByteSize("1.5");
  ASSERT_FALSE(size.ok());
  EXPECT_NE(size.status().message().find("1.5MiB"), std::string::npos) << size.status().message();
}

TEST(ByteSizeTest, SizesAbove64BitsAreRejected) {
  EXPECT_FALSE(parseByteSize("18446744073709551616").ok());
  EXPECT_FALSE(parseByteSize("16EiB").ok());
  EXPECT_FALSE(parseByteSize("15.9999999999EiB").ok());  // ten digits
  EXPECT_FALSE(parseByteSize("17179869184GiB").ok());
}

TEST(CountTest, WholeNumberInRangeIsAccepted) {
  Result<std::uint64_t> count = parseCount("8", 0, 64);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 8u);
  EXPECT_TRUE(parseCount("0", 0, 64).ok());
  EXPECT_TRUE(parseCount("64", 0, 64).ok());
}

// Error paths

TEST(CountTest, NegativeNumberIsRejectedWithRange) {
  Result<std::uint64_t> count = parseCount("-1", 0, 10);
  ASSERT_FALSE(count.ok());
  EXPECT_EQ(count.status().message(), "invalid value '-1': expected a whole number from 0 to 10");
}

TEST(CountTest, MalformedOrOutOfRangeIsRejected) {
  for (const char* text : {"", "65", "1.5", "1e3", "+3", " 3", "3 ", "99999999999999999999"}) {
    EXPECT_FALSE(parseCount(text, 0, 64).ok()) << "'" << text << "'";
  }
  EXPECT_FALSE(parseCount("0", 1, 64).ok());
}

TEST(ChoiceTest, ProfileIsQuickOrFull) {
  EXPECT_EQ(*parseScanProfile("quick"), ScanProfile::kQuick);
  EXPECT_EQ(*parseScanProfile("full"), ScanProfile::kFull);
}

TEST(ChoiceTest, ActionIsReportOrQuarantine) {
  EXPECT_EQ(*parseScanAction("report"), ScanAction::kReport);
  EXPECT_EQ(*parseScanAction("quarantine"), ScanAction::kQuarantine);
}

// Error paths

TEST(ChoiceTest, NumbersAndOtherWordsAreNotProfiles) {
  for (const char* text : {"0", "1", "Quick", "fast", ""}) {
    EXPECT_FALSE(parseScanProfile(text).ok()) << "'" << text << "'";
  }
  EXPECT_EQ(parseScanProfile("1").status().message(),
            "invalid value '1': expected quick (executables, scripts and archives) or full "
            "(every file)");
}

TEST(ChoiceTest, NumbersAreNotActions) {
  for (const char* text : {"0", "1", "delete"}) {
    EXPECT_FALSE(parseScanAction(text).ok()) << "'" << text << "'";
  }
}

}  // namespace
}  // namespace odscan::scanner
