#include "odscan/activeupdate/manifest.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "activeupdate_test_support.h"
#include "pattern_test_support.h"

namespace odscan::activeupdate {
namespace {

using testing::bytesOf;
using Json = nlohmann::ordered_json;

Manifest sampleManifest() {
  Manifest manifest;
  manifest.created = "2026-12-04T12:30:00Z";
  ManifestEntry agent{"agent-pattern", 202612041230, "agent-pattern-202612041230.ptn", 2048, {}};
  agent.sha256.fill(0xab);
  ManifestEntry smartScan{
      "smart-scan-pattern", 202612041230, "smart-scan-pattern-202612041230.ptn", 123456, {}};
  smartScan.sha256.fill(0x01);
  manifest.components = {agent, smartScan};
  return manifest;
}

Json sampleJson() { return Json::parse(serializeManifest(sampleManifest())); }

Result<Manifest> parseJson(const Json& json) { return parseManifest(bytesOf(json.dump())); }

Result<Manifest> parseText(const std::string& text) { return parseManifest(bytesOf(text)); }

std::vector<std::uint8_t> signatureOf(const PrivateKey& key,
                                      const std::vector<std::uint8_t>& bytes) {
  auto signature = key.sign(bytes);
  EXPECT_TRUE(signature.ok()) << signature.status().toString();
  return std::vector<std::uint8_t>(signature->begin(), signature->end());
}

TEST(ManifestTest, SerializedManifestParsesBack) {
  const Manifest manifest = sampleManifest();
  auto parsed = parseText(serializeManifest(manifest));
  ASSERT_TRUE(parsed.ok()) << parsed.status().toString();
  EXPECT_EQ(*parsed, manifest);
}

TEST(ManifestTest, SerializedManifestHasFixedLayout) {
  const std::string text = serializeManifest(sampleManifest());
  EXPECT_EQ(text.rfind("{\n  \"format\": 1,\n  \"created\": \"2026-12-04T12:30:00Z\",", 0), 0u)
      << text;
  std::string agentSha256;
  for (int i = 0; i < 32; ++i) agentSha256 += "ab";
  EXPECT_NE(text.find("\"sha256\": \"" + agentSha256 + "\""), std::string::npos) << text;
  EXPECT_EQ(text.back(), '\n');
}

TEST(ManifestTest, FindReturnsEntryByName) {
  const Manifest manifest = sampleManifest();
  const ManifestEntry* entry = manifest.find("smart-scan-pattern");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->size, 123456u);
  EXPECT_EQ(manifest.find("odscan"), nullptr);
}

TEST(ManifestTest, UnknownMembersAreIgnored) {
  Json json = sampleJson();
  json["publisher"] = "lab";
  json["components"][0]["description"] = "agent pattern";
  auto parsed = parseJson(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status().toString();
  EXPECT_EQ(*parsed, sampleManifest());
}

TEST(ManifestTest, EmptyComponentListIsAccepted) {
  Json json = sampleJson();
  json["components"] = Json::array();
  auto parsed = parseJson(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status().toString();
  EXPECT_TRUE(parsed->components.empty());
}

TEST(ManifestTest, ComponentNameRules) {
  for (const char* name : {"smart-scan-pattern", "odscan", "a", "7zip", "x-1"}) {
    EXPECT_TRUE(isValidComponentName(name)) << name;
  }
  for (const char* name : {"", "Smart", "-x", "a_b", "a.b", "a b", "a/b", "\xc3\xa9"}) {
    EXPECT_FALSE(isValidComponentName(name)) << name;
  }
  EXPECT_TRUE(isValidComponentName(std::string(kMaxComponentNameLength, 'a')));
  EXPECT_FALSE(isValidComponentName(std::string(kMaxComponentNameLength + 1, 'a')));
}

TEST(ManifestTest, FileNameRules) {
  for (const char* name : {"smart-scan-pattern-5.ptn", "odscan-3.exe", "A_b.1", "x"}) {
    EXPECT_TRUE(isValidComponentFileName(name)) << name;
  }
  for (const char* name : {"", "..", ".", "../x", "/etc/passwd", "a/b", "a\\b", "C:x", ".hidden",
                           "-x", "a b", "a\nb", "%2e%2e"}) {
    EXPECT_FALSE(isValidComponentFileName(name)) << name;
  }
  EXPECT_TRUE(isValidComponentFileName(std::string(kMaxComponentFileNameLength, 'a')));
  EXPECT_FALSE(isValidComponentFileName(std::string(kMaxComponentFileNameLength + 1, 'a')));
}

TEST(ManifestTest, VerifyAcceptsSignedManifest) {
  const PrivateKey key = testing::generateKey();
  const auto bytes = bytesOf(serializeManifest(sampleManifest()));
  auto verified = verifyManifest(bytes, signatureOf(key, bytes), key.publicKey());
  ASSERT_TRUE(verified.ok()) << verified.status().toString();
  EXPECT_EQ(*verified, sampleManifest());
}

TEST(ManifestTest, VerifyAcceptsMatchingSecondSignature) {
  // A reader that fetched the previous manifest just before a publish gets the
  // new signature file, whose second signature is the previous manifest's.
  const PrivateKey key = testing::generateKey();
  const auto previous = bytesOf(serializeManifest(sampleManifest()));
  const auto next = bytesOf("{\"other\": true}");
  auto signatureFile = signatureOf(key, next);
  const auto previousSignature = signatureOf(key, previous);
  signatureFile.insert(signatureFile.end(), previousSignature.begin(), previousSignature.end());

  auto verified = verifyManifest(previous, signatureFile, key.publicKey());
  ASSERT_TRUE(verified.ok()) << verified.status().toString();
  EXPECT_EQ(verified->components.size(), 2u);
}

// --- Error paths ---

TEST(ManifestTest, TextThatIsNotJsonIsCorrupt) {
  auto parsed = parseText("{\"format\": 1,");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(parsed.status().message().find("not valid JSON"), std::string::npos)
      << parsed.status().message();
}

TEST(ManifestTest, EmptyInputIsCorrupt) {
  auto parsed = parseManifest({});
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kCorrupt);
}

TEST(ManifestTest, TopLevelArrayIsCorrupt) {
  auto parsed = parseText("[1, 2]");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(parsed.status().message().find("not a JSON object"), std::string::npos);
}

TEST(ManifestTest, RepeatedMemberIsCorrupt) {
  // nlohmann/json would keep the last "version" silently.
  std::string text = serializeManifest(sampleManifest());
  const std::string first = "\"version\": 202612041230,";
  text.replace(text.find(first), first.size(), first + " \"version\": 1,");
  auto parsed = parseText(text);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(parsed.status().message().find("\"version\" appears twice"), std::string::npos)
      << parsed.status().message();
}

TEST(ManifestTest, UnknownFormatIsUnsupported) {
  Json json = sampleJson();
  json["format"] = 2;
  json["components"] = "changed shape";
  auto parsed = parseJson(json);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kUnsupportedVersion);
  EXPECT_NE(parsed.status().message().find("format 2"), std::string::npos)
      << parsed.status().message();
  EXPECT_NE(parsed.status().message().find("update odscan"), std::string::npos);
}

TEST(ManifestTest, MalformedTopLevelMembersAreCorrupt) {
  struct Case {
    const char* member;
    Json value;  // null removes the member
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"format", Json(), "no member 'format'"},
      {"format", "1", "'format' is \"1\", not an integer"},
      {"format", 1.0, "not an integer"},
      {"created", Json(), "no member 'created'"},
      {"created", 20261204, "member 'created' is not a string"},
      {"created", "2026-12-04 12:30:00", "not a UTC time"},
      {"created", "2026-12-04T12:30:00+01:00", "not a UTC time"},
      {"created", "2026-13-04T12:30:00Z", "not a UTC time"},
      {"created", "2026-12-04T24:30:00Z", "not a UTC time"},
      {"components", Json(), "no member 'components'"},
      {"components", Json::object(), "'components' is not an array"},
  };
  for (const Case& test : cases) {
    Json json = sampleJson();
    if (test.value.is_null()) {
      json.erase(test.member);
    } else {
      json[test.member] = test.value;
    }
    auto parsed = parseJson(json);
    ASSERT_FALSE(parsed.ok()) << test.member << " = " << test.value.dump();
    EXPECT_EQ(parsed.status().code(), StatusCode::kCorrupt) << test.value.dump();
    EXPECT_NE(parsed.status().message().find(test.expected), std::string::npos)
        << parsed.status().message();
  }
}

TEST(ManifestTest, MalformedEntriesAreCorrupt) {
  struct Case {
    const char* member;
    Json value;  // null removes the member
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"name", Json(), "components[1] has no member 'name'"},
      {"name", "Smart-Scan", "components[1].name \"Smart-Scan\" is not a component name"},
      {"name", "", "is not a component name"},
      {"name", 7, "components[1].name is not a string"},
      {"version", -1, "components[1].version is -1, not an integer"},
      {"version", 1.5, "components[1].version is 1.5"},
      {"version", "7", "components[1].version is \"7\""},
      {"version", Json::parse("18446744073709551616"), "components[1].version is"},
      {"file", "../x", "components[1].file \"../x\" is not a plain file name"},
      {"file", "/etc/passwd", "\"/etc/passwd\" is not a plain file name"},
      {"file", "sub/file.ptn", "is not a plain file name"},
      {"file", "..", "is not a plain file name"},
      {"file", "C:\\x", "is not a plain file name"},
      {"file", Json(), "has no member 'file'"},
      {"size", -5, "components[1].size is -5"},
      {"size", Json(), "has no member 'size'"},
      {"sha256", "abc", "components[1].sha256 \"abc\" is not 64 lower-case hex digits"},
      {"sha256", std::string(64, 'A'), "is not 64 lower-case hex digits"},
      {"sha256", std::string(64, 'g'), "is not 64 lower-case hex digits"},
      {"sha256", std::string(40, 'a'), "is not 64 lower-case hex digits"},
      {"sha256", Json(), "has no member 'sha256'"},
  };
  for (const Case& test : cases) {
    Json json = sampleJson();
    if (test.value.is_null()) {
      json["components"][1].erase(test.member);
    } else {
      json["components"][1][test.member] = test.value;
    }
    auto parsed = parseJson(json);
    ASSERT_FALSE(parsed.ok()) << test.member << " = " << test.value.dump();
    EXPECT_EQ(parsed.status().code(), StatusCode::kCorrupt) << test.value.dump();
    EXPECT_NE(parsed.status().message().find(test.expected), std::string::npos)
        << parsed.status().message();
  }
}

TEST(ManifestTest, EntryThatIsNotObjectIsCorrupt) {
  Json json = sampleJson();
  json["components"][0] = "agent-pattern";
  auto parsed = parseJson(json);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("components[0] is not an object"), std::string::npos);
}

TEST(ManifestTest, RepeatedComponentIsCorrupt) {
  Json json = sampleJson();
  json["components"][1]["name"] = "agent-pattern";
  auto parsed = parseJson(json);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(parsed.status().message().find("'agent-pattern' is listed twice"), std::string::npos);
}

TEST(ManifestTest, SharedFileIsCorrupt) {
  Json json = sampleJson();
  json["components"][1]["file"] = json["components"][0]["file"];
  auto parsed = parseJson(json);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("listed for two components"), std::string::npos);
}

TEST(ManifestTest, MessagesEscapeControlCharacters) {
  Json json = sampleJson();
  json["components"][0]["name"] = "\x1b[31mred";
  auto parsed = parseJson(json);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message().find('\x1b'), std::string::npos);
  EXPECT_NE(parsed.status().message().find("\\u001b[31mred"), std::string::npos)
      << parsed.status().message();
}

TEST(ManifestTest, MessagesCutLongValues) {
  Json json = sampleJson();
  json["components"][0]["file"] = std::string(5000, 'x') + "/";
  auto parsed = parseJson(json);
  ASSERT_FALSE(parsed.ok());
  EXPECT_LT(parsed.status().message().size(), 400u);
}

TEST(ManifestTest, VerifyRejectsChangedManifest) {
  const PrivateKey key = testing::generateKey();
  auto bytes = bytesOf(serializeManifest(sampleManifest()));
  const auto signature = signatureOf(key, bytes);
  bytes[bytes.size() / 2] ^= 0x01;
  auto verified = verifyManifest(bytes, signature, key.publicKey(), "publisher.pub");
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.status().code(), StatusCode::kBadSignature);
  EXPECT_EQ(verified.status().message(), "manifest signature does not verify with publisher.pub");
}

TEST(ManifestTest, VerifyNamesKeyFingerprintWithoutName) {
  const PrivateKey key = testing::generateKey();
  const PrivateKey other = testing::generateKey();
  const auto bytes = bytesOf(serializeManifest(sampleManifest()));
  auto verified = verifyManifest(bytes, signatureOf(other, bytes), key.publicKey());
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.status().code(), StatusCode::kBadSignature);
  EXPECT_NE(verified.status().message().find(key.publicKey().fingerprint()), std::string::npos);
}

TEST(ManifestTest, VerifyChecksSignatureBeforeParsing) {
  const PrivateKey key = testing::generateKey();
  const auto garbage = bytesOf("not json at all");
  const std::vector<std::uint8_t> signature(kEd25519SignatureLength, 0);
  auto verified = verifyManifest(garbage, signature, key.publicKey());
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.status().code(), StatusCode::kBadSignature);
}

TEST(ManifestTest, VerifyRejectsMalformedSignatureFiles) {
  const PrivateKey key = testing::generateKey();
  const auto bytes = bytesOf(serializeManifest(sampleManifest()));
  auto good = signatureOf(key, bytes);

  auto empty = verifyManifest(bytes, {}, key.publicKey());
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), StatusCode::kBadSignature);
  EXPECT_EQ(empty.status().message(), "manifest.json.sig is empty");

  auto partial = good;
  partial.push_back(0);
  auto odd = verifyManifest(bytes, partial, key.publicKey());
  ASSERT_FALSE(odd.ok());
  EXPECT_NE(odd.status().message().find("has 65 bytes"), std::string::npos);

  std::vector<std::uint8_t> three;
  for (int i = 0; i < 3; ++i) three.insert(three.end(), good.begin(), good.end());
  auto tooMany = verifyManifest(bytes, three, key.publicKey());
  ASSERT_FALSE(tooMany.ok());
  EXPECT_NE(tooMany.status().message().find("one or two 64-byte"), std::string::npos);
}

TEST(ManifestTest, VerifyReportsSignedButInvalidManifest) {
  const PrivateKey key = testing::generateKey();
  Json json = sampleJson();
  json["components"][0]["file"] = "../x";
  const auto bytes = bytesOf(json.dump());
  auto verified = verifyManifest(bytes, signatureOf(key, bytes), key.publicKey());
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.status().code(), StatusCode::kCorrupt);
}

}  // namespace
}  // namespace odscan::activeupdate
