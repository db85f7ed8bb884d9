#include "content_type.h"

#include <gtest/gtest.h>

#include <string>

namespace odscan::engine {
namespace {

ContentType typeOf(const std::string& head) {
  return detectContentType({reinterpret_cast<const std::uint8_t*>(head.data()), head.size()});
}

TEST(ContentTypeTest, ExecutablesAreRecognized) {
  EXPECT_EQ(typeOf("MZ\x90"), ContentType::kExecutable);
  EXPECT_EQ(typeOf("\x7F\x45LF\x02"), ContentType::kExecutable);
  EXPECT_EQ(typeOf(std::string("\xCF\xFA\xED\xFE", 4)), ContentType::kExecutable);
}

TEST(ContentTypeTest, ShebangIsScript) { EXPECT_EQ(typeOf("#!/bin/sh\n"), ContentType::kScript); }

TEST(ContentTypeTest, ArchiveMagicsAreContainers) {
  EXPECT_EQ(typeOf(std::string("PK\x03\x04", 4)), ContentType::kContainer);
  EXPECT_EQ(typeOf(std::string("7z\xBC\xAF\x27\x1C", 6)), ContentType::kContainer);
  EXPECT_EQ(typeOf(std::string("\x1F\x8B\x08\x00", 4)), ContentType::kContainer);
  EXPECT_EQ(typeOf("BZh91AY&SY"), ContentType::kContainer);
  EXPECT_EQ(typeOf(std::string("\xFD\x37zXZ\x00", 6)), ContentType::kContainer);
  EXPECT_EQ(typeOf(std::string("MSCF\0\0\0\0", 8)), ContentType::kContainer);
  EXPECT_EQ(typeOf("Rar!\x1A\x07\x01"), ContentType::kContainer);
  EXPECT_EQ(typeOf("!<arch>\nfoo"), ContentType::kContainer);
  EXPECT_EQ(typeOf("070701000"), ContentType::kContainer);
  EXPECT_EQ(typeOf("xx-lh5-rest"), ContentType::kContainer);
}

TEST(ContentTypeTest, TarAndIsoAreFoundAtTheirOffsets) {
  std::string tar(512, '\0');
  tar.replace(257, 6, std::string("ustar\0", 6));
  std::string iso(40000, '\0');
  iso.replace(32769, 5, "CD001");

  EXPECT_EQ(typeOf(tar), ContentType::kContainer);
  EXPECT_EQ(typeOf(iso), ContentType::kContainer);
}

TEST(ContentTypeTest, BinaryCpioNeedsPlausibleHeader) {
  std::string header(26, '\0');
  header[0] = '\xC7';
  header[1] = '\x71';
  header[7] = '\x81';  // mode 0100644 (regular file), little-endian
  header[6] = '\xA4';
  header[20] = 9;  // name size
  std::string junk = header;
  junk[7] = '\xF1';  // file type 0170000 does not exist
  junk[20] = 0;

  EXPECT_EQ(typeOf(header), ContentType::kContainer);
  EXPECT_EQ(typeOf(junk), ContentType::kOther);
}

TEST(ContentTypeTest, GzipNeedsDeflateMethod) {
  EXPECT_EQ(typeOf(std::string("\x1F\x8B\x07\x00", 4)), ContentType::kOther);
}

TEST(ContentTypeTest, TextStartingLikeMagicIsOther) {
  EXPECT_EQ(typeOf("BZh is how this note starts"), ContentType::kOther);
  EXPECT_EQ(typeOf("plain text"), ContentType::kOther);
  EXPECT_EQ(typeOf(""), ContentType::kOther);
  EXPECT_EQ(typeOf("M"), ContentType::kOther);
}

TEST(ContentTypeTest, ScriptExtensionsIgnoreCase) {
  EXPECT_TRUE(hasScriptExtension("install.PS1"));
  EXPECT_TRUE(hasScriptExtension("a.vbs"));
  EXPECT_TRUE(hasScriptExtension("run.Cmd"));
  EXPECT_FALSE(hasScriptExtension("notes.txt"));
  EXPECT_FALSE(hasScriptExtension("ps1"));
}

}  // namespace
}  // namespace odscan::engine
