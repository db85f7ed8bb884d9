#include "odscan/forwarding/untrusted_text.h"

#include <gtest/gtest.h>

namespace odscan::forwarding {
namespace {

TEST(UntrustedTextTest, PlainTextIsUnchanged) {
  EXPECT_EQ(cleanUntrustedText("C:\\Users\\guest\\setup.exe", 100), "C:\\Users\\guest\\setup.exe");
}

TEST(UntrustedTextTest, LineBreaksBecomeSpaces) {
  EXPECT_EQ(cleanUntrustedText("a\r\nb\tc", 100), "a  b c");
}

TEST(UntrustedTextTest, LineBreaksAreKeptForEscapingEncoders) {
  EXPECT_EQ(cleanUntrustedText("a\r\nb\tc", 100, LineBreaks::kKeep), "a\r\nb c");
}

TEST(UntrustedTextTest, ControlCharactersBecomeQuestionMarks) {
  EXPECT_EQ(cleanUntrustedText(std::string("a\0b\x1b[31mc\x7f", 10), 100), "a?b?[31mc?");
}

TEST(UntrustedTextTest, C1ControlsBecomeQuestionMarks) {
  EXPECT_EQ(cleanUntrustedText("a\xC2\x85z", 100), "a?z");  // U+0085 NEXT LINE
}

TEST(UntrustedTextTest, BidiOverrideCannotHideExtension) {
  // "invoice" U+202E "fdp.exe" shows as "invoiceexe.pdf" in many viewers.
  EXPECT_EQ(cleanUntrustedText("invoice\xE2\x80\xAE"
                               "fdp.exe",
                               100),
            "invoice?fdp.exe");
}

TEST(UntrustedTextTest, UnicodeLineSeparatorBecomesQuestionMark) {
  EXPECT_EQ(cleanUntrustedText("a\xE2\x80\xA8z", 100), "a?z");
}

TEST(UntrustedTextTest, NonAsciiTextIsKept) {
  EXPECT_EQ(cleanUntrustedText("Gr\xC3\xBC\xC3\x9F\x65 \xE6\x96\x87\xF0\x9F\x98\x80", 100),
            "Gr\xC3\xBC\xC3\x9F\x65 \xE6\x96\x87\xF0\x9F\x98\x80");
}

TEST(UntrustedTextTest, InvalidUtf8BecomesReplacementCharacter) {
  EXPECT_EQ(cleanUntrustedText("a\xFF"
                               "b",
                               100),
            "a\xEF\xBF\xBD"
            "b");
}

TEST(UntrustedTextTest, OverlongEncodingIsInvalid) {
  // 0xC0 0xAF is an overlong '/', a classic path traversal trick.
  EXPECT_EQ(cleanUntrustedText("a\xC0\xAF", 100), "a\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(UntrustedTextTest, EncodedSurrogateIsInvalid) {
  EXPECT_EQ(cleanUntrustedText("\xED\xA0\x80", 100), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(UntrustedTextTest, TruncatedSequenceAtEndIsInvalid) {
  EXPECT_EQ(cleanUntrustedText("ab\xE6\x96", 100), "ab\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(UntrustedTextTest, LongTextIsCutWithEllipsis) {
  const std::string cleaned = cleanUntrustedText(std::string(1000, 'x'), 20);

  EXPECT_EQ(cleaned, std::string(17, 'x') + "...");
}

TEST(UntrustedTextTest, CutNeverSplitsACharacter) {
  // Each U+6587 is 3 bytes; 10 bytes minus the ellipsis leave room for 2.
  std::string text;
  for (int i = 0; i < 10; ++i) text += "\xE6\x96\x87";

  const std::string cleaned = cleanUntrustedText(text, 10);

  EXPECT_EQ(cleaned, "\xE6\x96\x87\xE6\x96\x87...");
}

TEST(UntrustedTextTest, HugeInputStaysWithinLimit) {
  const std::string cleaned = cleanUntrustedText(std::string(10'000'000, '\n'), 64);

  EXPECT_EQ(cleaned.size(), 64u);
}

TEST(UntrustedTextTest, TextAtLimitIsNotCut) { EXPECT_EQ(cleanUntrustedText("12345", 5), "12345"); }

TEST(UntrustedTextTest, HeaderFieldKeepsPrintableAscii) {
  EXPECT_EQ(asciiHeaderField("tm-01.example.org", 255), "tm-01.example.org");
}

TEST(UntrustedTextTest, HeaderFieldReplacesSpacesAndNonAscii) {
  EXPECT_EQ(asciiHeaderField("a b\n\xC3\xBC", 255), "a_b___");
}

TEST(UntrustedTextTest, EmptyHeaderFieldIsNilValue) { EXPECT_EQ(asciiHeaderField("", 32), "-"); }

TEST(UntrustedTextTest, HeaderFieldIsCutToLimit) {
  EXPECT_EQ(asciiHeaderField(std::string(100, 'h'), 32), std::string(32, 'h'));
}

}  // namespace
}  // namespace odscan::forwarding
