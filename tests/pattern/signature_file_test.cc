#include "odscan/pattern/signature_file.h"

#include <gtest/gtest.h>

#include "pattern_test_support.h"

namespace odscan {
namespace {

using testing::digestFromHex;

constexpr const char* kEicarMd5 = "44d88612fea8a8f36de82e1278abb02f";
constexpr const char* kEicarSha256 =
    "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f";

std::vector<SignatureEntry> parseOrFail(std::string_view text, SignatureFileFormat format) {
  auto entries = parseSignatureText(text, format, "sigs.hdb");
  EXPECT_TRUE(entries.ok()) << entries.status().toString();
  return entries.ok() ? *entries : std::vector<SignatureEntry>();
}

// Returns the error message for a file whose only content is `text`.
std::string hashError(std::string_view text) {
  auto entries = parseSignatureText(text, SignatureFileFormat::kClamAvHash, "sigs.hdb");
  EXPECT_FALSE(entries.ok()) << text;
  EXPECT_EQ(entries.status().code(), StatusCode::kInvalidArgument);
  return entries.status().message();
}

std::string listError(std::string_view text) {
  auto entries = parseSignatureText(text, SignatureFileFormat::kDigestList, "list.txt");
  EXPECT_FALSE(entries.ok()) << text;
  return entries.status().message();
}

TEST(SignatureFileTest, ClamAvLineParses) {
  const auto entries = parseOrFail("44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature\n",
                                   SignatureFileFormat::kClamAvHash);

  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].signature.digest, digestFromHex(kEicarMd5));
  EXPECT_EQ(entries[0].signature.size, 68u);
  EXPECT_EQ(entries[0].signature.threatName, "Eicar-Test-Signature");
  EXPECT_EQ(entries[0].line, 1u);
}

TEST(SignatureFileTest, StarSizeMeansAnySize) {
  const auto entries =
      parseOrFail(std::string(kEicarSha256) + ":*:Eicar\n", SignatureFileFormat::kClamAvHash);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].signature.size, kAnySize);
  EXPECT_EQ(entries[0].signature.digest.kind, DigestKind::kSha256);
}

TEST(SignatureFileTest, FunctionalityLevelFieldIsIgnored) {
  const auto entries =
      parseOrFail(std::string(kEicarSha256) + ":*:Eicar:73\n", SignatureFileFormat::kClamAvHash);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].signature.threatName, "Eicar");
}

TEST(SignatureFileTest, CommentsBlankLinesAndLineEndingsAreHandled) {
  const std::string text =
      "\xEF\xBB\xBF# header comment\r\n"
      "\r\n"
      "   # indented comment\n"
      "44d88612fea8a8f36de82e1278abb02f:68:Eicar\r\n"
      "\t\n"
      "aa15bcf478d165efd2065190eb473bcb:544:Clam";
  const auto entries = parseOrFail(text, SignatureFileFormat::kClamAvHash);

  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].line, 4u);
  EXPECT_EQ(entries[0].signature.threatName, "Eicar");
  EXPECT_EQ(entries[1].line, 6u);
  EXPECT_EQ(entries[1].signature.size, 544u);
}

TEST(SignatureFileTest, UpperCaseDigestIsAccepted) {
  const auto entries =
      parseOrFail("44D88612FEA8A8F36DE82E1278ABB02F:68:Eicar\n", SignatureFileFormat::kClamAvHash);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].signature.digest, digestFromHex(kEicarMd5));
}

TEST(SignatureFileTest, DigestListWithNames) {
  const std::string text =
      std::string(kEicarSha256) + "   Eicar Test File\n" + kEicarMd5 + "\tEicar-Md5\n";
  const auto entries = parseOrFail(text, SignatureFileFormat::kDigestList);

  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].signature.threatName, "Eicar Test File");
  EXPECT_EQ(entries[0].signature.size, kAnySize);
  EXPECT_EQ(entries[1].signature.threatName, "Eicar-Md5");
}

TEST(SignatureFileTest, DigestWithoutNameGetsGeneratedName) {
  const auto entries =
      parseOrFail(std::string(kEicarSha256) + "\n", SignatureFileFormat::kDigestList);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].signature.threatName, "Unnamed.275a021bbfb6");
}

TEST(SignatureFileTest, EmptyTextHasNoSignatures) {
  EXPECT_TRUE(parseOrFail("", SignatureFileFormat::kClamAvHash).empty());
  EXPECT_TRUE(parseOrFail("# only a comment\n\n", SignatureFileFormat::kDigestList).empty());
}

TEST(SignatureFileTest, FormatFollowsExtension) {
  EXPECT_EQ(detectSignatureFileFormat("main.hdb", kEicarSha256), SignatureFileFormat::kClamAvHash);
  EXPECT_EQ(detectSignatureFileFormat("main.HSB", ""), SignatureFileFormat::kClamAvHash);
}

TEST(SignatureFileTest, FormatFollowsContentOtherwise) {
  EXPECT_EQ(detectSignatureFileFormat("list.txt", "# c\n\n44d8:68:x\n"),
            SignatureFileFormat::kClamAvHash);
  EXPECT_EQ(detectSignatureFileFormat("list.sha256", "# a: comment\n275a Name\n"),
            SignatureFileFormat::kDigestList);
  EXPECT_EQ(detectSignatureFileFormat("empty", ""), SignatureFileFormat::kDigestList);
}

TEST(SignatureFileTest, ReadSignatureFileDetectsAndParses) {
  testing::TempDir dir;
  testing::writeText(dir / "extra.txt", std::string(kEicarSha256) + " Eicar\n");
  auto entries = readSignatureFile(dir / "extra.txt");
  ASSERT_TRUE(entries.ok()) << entries.status().toString();
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].signature.threatName, "Eicar");
}

// --- Error paths: every message is "file:line: <line>: <reason>". ---

TEST(SignatureFileTest, BadHexIsReported) {
  EXPECT_EQ(hashError("# comment\nzzd88612fea8a8f36de82e1278abb02f:68:Eicar\n"),
            "sigs.hdb:2: zzd88612fea8a8f36de82e1278abb02f:68:Eicar: digest contains a "
            "character that is not a hex digit");
}

TEST(SignatureFileTest, WrongDigestLengthIsReported) {
  EXPECT_EQ(hashError("44d88612:68:Eicar"),
            "sigs.hdb:1: 44d88612:68:Eicar: digest has 8 characters; expected 32 (MD5), 40 "
            "(SHA-1) or 64 (SHA-256) hex digits");
}

TEST(SignatureFileTest, BadSizeIsReported) {
  EXPECT_EQ(hashError("44d88612fea8a8f36de82e1278abb02f:6x8:Eicar"),
            "sigs.hdb:1: 44d88612fea8a8f36de82e1278abb02f:6x8:Eicar: file size '6x8' is not a "
            "decimal byte count or '*'");
  for (const std::string size :
       {"-5", "+5", "", " 5", "18446744073709551615", "99999999999999999999999"}) {
    const std::string message = hashError(std::string(kEicarMd5) + ":" + size + ":Eicar");
    EXPECT_NE(message.find("file size '" + size + "' is not a decimal byte count"),
              std::string::npos)
        << message;
  }
}

TEST(SignatureFileTest, MissingNameIsReported) {
  EXPECT_EQ(hashError("44d88612fea8a8f36de82e1278abb02f:68"),
            "sigs.hdb:1: 44d88612fea8a8f36de82e1278abb02f:68: missing threat name; expected "
            "digest:size:name");
  EXPECT_EQ(hashError("44d88612fea8a8f36de82e1278abb02f"),
            "sigs.hdb:1: 44d88612fea8a8f36de82e1278abb02f: missing file size and threat name; "
            "expected digest:size:name");
}

TEST(SignatureFileTest, EmptyNameIsReported) {
  EXPECT_EQ(hashError("44d88612fea8a8f36de82e1278abb02f:68:"),
            "sigs.hdb:1: 44d88612fea8a8f36de82e1278abb02f:68:: threat name is empty");
}

TEST(SignatureFileTest, TooManyFieldsAreReported) {
  EXPECT_EQ(hashError("44d88612fea8a8f36de82e1278abb02f:68:Eicar:0:extra"),
            "sigs.hdb:1: 44d88612fea8a8f36de82e1278abb02f:68:Eicar:0:extra: too many fields "
            "(5); expected digest:size:name or digest:size:name:flevel");
}

TEST(SignatureFileTest, BadFunctionalityLevelIsReported) {
  EXPECT_EQ(hashError("44d88612fea8a8f36de82e1278abb02f:68:Eicar:new"),
            "sigs.hdb:1: 44d88612fea8a8f36de82e1278abb02f:68:Eicar:new: functionality level "
            "'new' is not a number");
}

TEST(SignatureFileTest, ControlCharacterInNameIsReported) {
  EXPECT_EQ(hashError("44d88612fea8a8f36de82e1278abb02f:68:Bad\x01Name"),
            "sigs.hdb:1: 44d88612fea8a8f36de82e1278abb02f:68:Bad\\x01Name: threat name "
            "contains a control character");
}

TEST(SignatureFileTest, LongNameIsReported) {
  const std::string line = std::string(kEicarMd5) + ":68:" + std::string(300, 'N');
  const std::string message = hashError(line);
  EXPECT_EQ(message,
            "sigs.hdb:1: " + line.substr(0, 100) + "...: threat name is longer than 256 bytes");
}

TEST(SignatureFileTest, LongLineIsReported) {
  const std::string line(kMaxSignatureLineLength + 1, 'a');
  EXPECT_EQ(hashError("# ok\n" + line + "\n"),
            "sigs.hdb:2: " + line.substr(0, 100) + "...: line is longer than 1024 bytes");
}

TEST(SignatureFileTest, DigestListBadHexIsReported) {
  EXPECT_EQ(listError("zz5a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f Eicar"),
            "list.txt:1: zz5a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f Eicar: "
            "digest contains a character that is not a hex digit");
}

TEST(SignatureFileTest, DigestListWrongLengthIsReported) {
  EXPECT_EQ(listError("\n\nabc Eicar"),
            "list.txt:3: abc Eicar: digest has 3 characters; expected 32 (MD5), 40 (SHA-1) or 64 "
            "(SHA-256) hex digits");
}

TEST(SignatureFileTest, DigestListControlCharacterInNameIsReported) {
  EXPECT_EQ(listError(std::string(kEicarMd5) + " Bad\x1b[31mName"),
            "list.txt:1: " + std::string(kEicarMd5) +
                " Bad\\x1b[31mName: threat name contains a control character");
}

TEST(SignatureFileTest, DigestListColonLineIsReported) {
  const std::string message = listError(std::string(kEicarMd5) + ":68:Eicar");
  EXPECT_NE(message.find("list.txt:1: "), std::string::npos);
  EXPECT_NE(message.find("digest has 41 characters"), std::string::npos);
}

TEST(SignatureFileTest, MissingFileIsNotFound) {
  testing::TempDir dir;
  auto entries = readSignatureFile(dir / "absent.hdb");
  ASSERT_FALSE(entries.ok());
  EXPECT_EQ(entries.status().code(), StatusCode::kNotFound);
  EXPECT_NE(entries.status().message().find("absent.hdb"), std::string::npos);
}

TEST(SignatureFileTest, ErrorInFileNamesThePath) {
  testing::TempDir dir;
  testing::writeText(dir / "bad.hdb", "44d88612fea8a8f36de82e1278abb02f:x:Eicar\n");
  auto entries = readSignatureFile(dir / "bad.hdb");
  ASSERT_FALSE(entries.ok());
  EXPECT_EQ(entries.status().message().rfind((dir / "bad.hdb").string() + ":1: ", 0), 0u)
      << entries.status().message();
}

}  // namespace
}  // namespace odscan
