#include "display_name.h"

#include <gtest/gtest.h>

#include <string>

namespace odscan::engine {
namespace {

TEST(DisplayNameTest, ControlCharactersBecomeQuestionMarks) {
  std::string out;
  appendSanitized("a\nb\x7f\tc", out);
  EXPECT_EQ(out, "a?b??c");
}

TEST(DisplayNameTest, ValidUtf8IsKept) {
  std::string out;
  appendSanitized("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", out);
  EXPECT_EQ(out, "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
}

TEST(DisplayNameTest, InvalidUtf8IsReplacedBytewise) {
  std::string out;
  appendSanitized("\xC0\xAF|\xED\xA0\x80|\xF5|\xE2\x82", out);
  EXPECT_EQ(out, "??|???|?|??");
}

TEST(DisplayNameTest, EmptyMemberNameIsUnnamed) { EXPECT_EQ(memberDisplayName(""), "(unnamed)"); }

TEST(DisplayNameTest, RawStreamNameDropsCompressionSuffix) {
  EXPECT_EQ(rawStreamMemberName("clam.exe.bz2"), "clam.exe");
  EXPECT_EQ(rawStreamMemberName("x.gz"), "x");
  EXPECT_EQ(rawStreamMemberName("archive"), "data");
  EXPECT_EQ(rawStreamMemberName(".gz"), "data");
}

}  // namespace
}  // namespace odscan::engine
