// The launcher config JSON and the console URL checks.
#include "odscan/launcher/launcher_config.h"

#include <gtest/gtest.h>

#include "pattern_test_support.h"

namespace odscan::launcher {
namespace {

std::span<const std::uint8_t> bytesOf(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

class LauncherConfigTest : public ::testing::Test {
 protected:
  LauncherConfigTest() : key_(odscan::testing::generateKey()) {}

  // Returns a config JSON object with every member, for editing.
  std::string configText(const std::string& members) const {
    return R"({"format":"odscan-launcher-config","format_version":1,)" + members + "}";
  }

  std::string keyMember() const {
    std::string pem = key_.publicKey().toPem();
    std::string escaped;
    for (const char c : pem) escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
    return R"("public_key":")" + escaped + "\"";
  }

  PrivateKey key_;
};

TEST_F(LauncherConfigTest, SerializedConfigParsesBack) {
  const LauncherConfig config{"https://tm.example.org:8480/", key_.publicKey().toPem(),
                              "2026-12-05T06:00:00Z"};

  Result<LauncherConfig> parsed =
      parseLauncherConfig(bytesOf(serializeLauncherConfig(config)), "test");

  ASSERT_TRUE(parsed.ok()) << parsed.status().toString();
  EXPECT_EQ(*parsed, config);
}

TEST_F(LauncherConfigTest, UnknownMembersAreIgnored) {
  const std::string text =
      configText(R"("console_url":"http://127.0.0.1:8480/","extra":[1,2],)" + keyMember());

  Result<LauncherConfig> parsed = parseLauncherConfig(bytesOf(text), "test");

  ASSERT_TRUE(parsed.ok()) << parsed.status().toString();
  EXPECT_TRUE(parsed->issuedAt.empty());
}

TEST_F(LauncherConfigTest, PublicKeyIsOptionalForConfigFiles) {
  const std::string text = configText(R"("console_url":"http://127.0.0.1:8480")");

  Result<LauncherConfig> parsed =
      parseLauncherConfig(bytesOf(text), "test", PublicKeyMember::kOptional);

  ASSERT_TRUE(parsed.ok()) << parsed.status().toString();
  EXPECT_EQ(parsed->consoleUrl, "http://127.0.0.1:8480/");
}

TEST(ConsoleUrlTest, FinalSlashIsAdded) {
  Result<std::string> url = normalizeConsoleUrl("http://127.0.0.1:8480/odscan");

  ASSERT_TRUE(url.ok());
  EXPECT_EQ(*url, "http://127.0.0.1:8480/odscan/");
}

TEST(ConsoleUrlTest, HttpsInAnyCaseIsAccepted) {
  EXPECT_TRUE(normalizeConsoleUrl("HTTPS://tm.example.org/").ok());
}

// ---- Error paths ----

TEST(ConsoleUrlTest, InvalidUrlsAreRejected) {
  const char* const invalid[] = {
      "",
      "ftp://127.0.0.1/",
      "127.0.0.1:8480",
      "http://",
      "http:///path",
      "http://user:secret@127.0.0.1/",
      "http://127.0.0.1/?token=1",
      "http://127.0.0.1/#top",
      "http://127.0.0.1/a b",
      "http://127.0.0.1/\x1b[31m",
  };
  for (const char* url : invalid) {
    Result<std::string> result = normalizeConsoleUrl(url);
    ASSERT_FALSE(result.ok()) << url;
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << url;
  }
}

TEST(ConsoleUrlTest, OverlongUrlIsRejected) {
  EXPECT_FALSE(
      normalizeConsoleUrl("http://127.0.0.1/" + std::string(kMaxConsoleUrlLength, 'a')).ok());
}

TEST_F(LauncherConfigTest, MissingPublicKeyIsRejected) {
  const std::string text = configText(R"("console_url":"http://127.0.0.1:8480/")");

  Result<LauncherConfig> parsed = parseLauncherConfig(bytesOf(text), "the launcher 'x.exe'");

  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(parsed.status().message().find("public_key"), std::string::npos);
  EXPECT_NE(parsed.status().message().find("the launcher 'x.exe'"), std::string::npos);
}

TEST_F(LauncherConfigTest, InvalidPemIsRejected) {
  const std::string text =
      configText(R"("console_url":"http://127.0.0.1:8480/","public_key":"not a key")");

  Result<LauncherConfig> parsed = parseLauncherConfig(bytesOf(text), "test");

  EXPECT_FALSE(parsed.ok());
}

TEST_F(LauncherConfigTest, NewerFormatVersionIsRejected) {
  const std::string text = R"({"format":"odscan-launcher-config","format_version":2})";

  Result<LauncherConfig> parsed = parseLauncherConfig(bytesOf(text), "test");

  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kUnsupportedVersion);
}

TEST_F(LauncherConfigTest, OtherFormatIsRejected) {
  const std::string text = R"({"format":"odscan-installed-components","format_version":1})";

  Result<LauncherConfig> parsed = parseLauncherConfig(bytesOf(text), "test");

  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kCorrupt);
}

TEST_F(LauncherConfigTest, RepeatedMemberIsRejected) {
  const std::string text = configText(
      R"("console_url":"http://127.0.0.1:8480/","console_url":"http://127.0.0.2/",)" + keyMember());

  Result<LauncherConfig> parsed = parseLauncherConfig(bytesOf(text), "test");

  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("twice"), std::string::npos);
}

TEST_F(LauncherConfigTest, WrongMemberTypeIsRejected) {
  const std::string text = configText(R"("console_url":8480,)" + keyMember());

  Result<LauncherConfig> parsed = parseLauncherConfig(bytesOf(text), "test");

  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kCorrupt);
}

TEST_F(LauncherConfigTest, FtpUrlInConfigIsRejected) {
  const std::string text = configText(R"("console_url":"ftp://127.0.0.1/",)" + keyMember());

  Result<LauncherConfig> parsed = parseLauncherConfig(bytesOf(text), "test");

  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(parsed.status().message().find("ftp://127.0.0.1/"), std::string::npos);
}

TEST_F(LauncherConfigTest, NonObjectIsRejected) {
  Result<LauncherConfig> parsed = parseLauncherConfig(bytesOf("[1]"), "test");

  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kCorrupt);
}

TEST_F(LauncherConfigTest, OversizedConfigIsRejected) {
  const std::string text(kMaxLauncherConfigSize + 1, ' ');

  Result<LauncherConfig> parsed = parseLauncherConfig(bytesOf(text), "test");

  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kLimitExceeded);
}

}  // namespace
}  // namespace odscan::launcher
