// classifyDecompressedStream() and the bid models behind it: which decompressed
// streams the gzip reader may scan itself (raw members and tar archives) and which
// it must leave to libarchive.
#include "libarchive_bids.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <span>
#include <string>

namespace odscan::engine {
namespace {

std::span<const std::uint8_t> bytesOf(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

DecompressedStreamKind kindOf(const std::string& stream) {
  return classifyDecompressedStream(bytesOf(stream));
}

// Returns a 512-byte tar header without a ustar magic, with a valid checksum.
std::string oldTarHeader() {
  std::string header(512, '\0');
  header.replace(0, 8, "file.txt");
  header.replace(100, 7, "0000644");
  header.replace(124, 11, "00000000005");
  header[156] = '0';
  header.replace(148, 8, "        ");
  unsigned sum = 0;
  for (const char c : header) sum += static_cast<unsigned char>(c);
  char field[8];
  std::snprintf(field, sizeof(field), "%06o", sum);
  header.replace(148, 7, std::string(field, 6) + '\0');
  return header;
}

TEST(LibarchiveBidsTest, TextIsRaw) {
  EXPECT_EQ(kindOf(".TH LS 1\n.SH NAME\nls \\- list directory contents\n"),
            DecompressedStreamKind::kRaw);
}

TEST(LibarchiveBidsTest, NoBytesIsEmpty) { EXPECT_EQ(kindOf(""), DecompressedStreamKind::kEmpty); }

TEST(LibarchiveBidsTest, TarHeadersAreTar) {
  std::string ustar(1024, '\0');
  ustar.replace(0, 5, "a.txt");
  ustar.replace(257, 6, std::string("ustar\0", 6));

  EXPECT_EQ(kindOf(ustar), DecompressedStreamKind::kTar);
  EXPECT_EQ(kindOf(oldTarHeader() + std::string(512, 'x')), DecompressedStreamKind::kTar);
  // libarchive's tar reader takes a zero block for the end of an empty archive.
  EXPECT_EQ(kindOf(std::string(1024, '\0') + "payload"), DecompressedStreamKind::kTar);
}

TEST(LibarchiveBidsTest, WrongTarChecksumIsRaw) {
  std::string header = oldTarHeader();
  header[0] = 'g';

  EXPECT_EQ(kindOf(header + std::string(512, 'x')), DecompressedStreamKind::kRaw);
}

TEST(LibarchiveBidsTest, OtherFormatsAreLeftToLibarchive) {
  const std::string cases[] = {
      std::string("PK\x03\x04", 4) + "zip",
      "070707 cpio header",
      std::string("\x1F\x8B\x08\x00", 4) + "gzip",
      "BZh91AY&SY",
      std::string("7z\xBC\xAF\x27\x1C", 6),
      "!<arch>\nar",
      "MZ executable that may hold a self-extracting archive",
      std::string("\x7F"
                  "ELF",
                  4) +
          " executable",
  };
  for (const std::string& stream : cases) {
    SCOPED_TRACE(stream);
    EXPECT_EQ(kindOf(stream), DecompressedStreamKind::kOther);
  }
}

TEST(LibarchiveBidsTest, LzmaHeaderIsLeftToLibarchive) {
  // Properties 0x5D, a 1 MiB dictionary and an unknown size: what lzma writes.
  const std::string lzma = std::string("\x5D\x00\x00\x10\x00", 5) + std::string(8, '\xFF') + "data";

  EXPECT_EQ(kindOf(lzma), DecompressedStreamKind::kOther);
}

TEST(LibarchiveBidsTest, Iso9660DescriptorIsLeftToLibarchive) {
  std::string iso(40000, '\0');
  iso.replace(32769, 5, "CD001");

  EXPECT_EQ(kindOf(iso), DecompressedStreamKind::kOther);
}

TEST(LibarchiveBidsTest, UuencodedTextIsLeftToLibarchive) {
  EXPECT_EQ(kindOf("Some notes first.\n\nbegin 644 tool.exe\nM1234\n`\nend\n"),
            DecompressedStreamKind::kOther);
  EXPECT_EQ(kindOf("begin-base64 600 key\nQUJD\n====\n"), DecompressedStreamKind::kOther);
}

TEST(LibarchiveBidsTest, BeginWithoutModeIsRaw) {
  EXPECT_EQ(kindOf("begin\n  x := 1;\nend.\n"), DecompressedStreamKind::kRaw);
  EXPECT_EQ(kindOf("We begin 644 pages later.\n"), DecompressedStreamKind::kRaw);
}

TEST(LibarchiveBidsTest, UuHeaderAfterBinaryLineIsRaw) {
  // The uu reader gives up at the first line with a control character.
  EXPECT_EQ(kindOf(std::string("\x01\x02 binary\nbegin 644 tool.exe\nM1234\n")),
            DecompressedStreamKind::kRaw);
}

TEST(LibarchiveBidsTest, TarClaimsOnlyWithMatchingChecksum) {
  EXPECT_TRUE(tarMayClaim(bytesOf(oldTarHeader())));
  EXPECT_FALSE(tarMayClaim(bytesOf(std::string(512, 'x'))));
  EXPECT_FALSE(tarMayClaim(bytesOf(std::string(100, '\0'))));
}

}  // namespace
}  // namespace odscan::engine
