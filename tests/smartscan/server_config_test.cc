#include "odscan/smartscan/server_config.h"

#include <gtest/gtest.h>

#include "../http/http_test_support.h"

namespace odscan::smartscan {
namespace {

using namespace std::chrono_literals;

Result<ServerConfig> parse(std::string_view json) {
  return parseServerConfig(json, "config file 'test.json'", "/etc/odscan");
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(ServerConfigTest, DefaultsListenOnLoopback) {
  const ServerConfig config;

  EXPECT_EQ(config.listen.host, "127.0.0.1");
  EXPECT_EQ(config.listen.port, 8470);
  EXPECT_EQ(config.maxDigestsPerQuery, 1000u);
  EXPECT_FALSE(config.tls.has_value());
}

TEST(ServerConfigTest, ReadsEverySetting) {
  const auto config = parse(R"({
    "listen": "127.0.0.1:9000", "threads": 3,
    "tls": {"certificate": "cert.pem", "private_key": "/keys/key.pem"},
    "pattern": "smart.ptn", "public_key": "publisher.pub",
    "max_digests_per_query": 50, "max_header_bytes": 4096, "max_body_bytes": 65536,
    "max_in_flight": 9, "max_connections": 99, "retry_after_seconds": 4,
    "header_timeout_ms": 100, "body_timeout_ms": 200, "keep_alive_timeout_ms": 300,
    "write_timeout_ms": 400,
    "api_keys": [{"name": "lab", "key": "0123456789abcdef0123"}],
    "api_keys_file": "keys.json",
    "update_source": "https://updates.example/au", "update_interval_seconds": 60,
    "update_ca_file": "ca.pem", "log_file": "server.log", "log_level": "warn",
    "access_log": false, "port_file": "port"
  })");

  ASSERT_TRUE(config.ok()) << config.status().toString();
  EXPECT_EQ(config->listen.port, 9000);
  EXPECT_EQ(config->threads, 3u);
  ASSERT_TRUE(config->tls.has_value());
  EXPECT_EQ(config->tls->certificateChain, "/etc/odscan/cert.pem");
  EXPECT_EQ(config->tls->privateKey, "/keys/key.pem");
  EXPECT_EQ(config->patternFile, "/etc/odscan/smart.ptn");
  EXPECT_EQ(config->maxDigestsPerQuery, 50u);
  EXPECT_EQ(config->maxHeaderBytes, 4096u);
  EXPECT_EQ(config->maxBodyBytes, 65536u);
  EXPECT_EQ(config->maxInFlight, 9u);
  EXPECT_EQ(config->maxConnections, 99u);
  EXPECT_EQ(config->retryAfter, 4s);
  EXPECT_EQ(config->headerTimeout, 100ms);
  EXPECT_EQ(config->bodyTimeout, 200ms);
  EXPECT_EQ(config->keepAliveTimeout, 300ms);
  EXPECT_EQ(config->writeTimeout, 400ms);
  ASSERT_EQ(config->apiKeys.size(), 1u);
  EXPECT_EQ(config->apiKeys[0].name, "lab");
  EXPECT_EQ(config->updateSource, "https://updates.example/au");
  EXPECT_EQ(config->updateInterval, 60s);
  EXPECT_EQ(config->logLevel, spdlog::level::warn);
  EXPECT_FALSE(config->accessLog);
  EXPECT_EQ(config->portFile, "/etc/odscan/port");
}

TEST(ServerConfigTest, LaterJsonOverridesEarlier) {
  auto config = parse(R"({"threads": 3, "max_in_flight": 9})");
  ASSERT_TRUE(config.ok());

  ASSERT_TRUE(applyServerConfigJson(*config, R"({"threads": 5})", "option --threads", "/").ok());

  EXPECT_EQ(config->threads, 5u);
  EXPECT_EQ(config->maxInFlight, 9u);
}

TEST(ServerConfigTest, LoadsFileAndResolvesPathsFromItsFolder) {
  http::testing::TempFolder folder;
  http::testing::writeText(folder / "server.json", R"({"pattern": "p.ptn"})");

  const auto config = loadServerConfigFile(folder / "server.json");

  ASSERT_TRUE(config.ok()) << config.status().toString();
  EXPECT_EQ(config->patternFile, folder / "p.ptn");
}

TEST(ServerConfigTest, LoadsApiKeyFile) {
  http::testing::TempFolder folder;
  http::testing::writeText(
      folder / "keys.json",
      R"([{"name": "a", "key": "aaaaaaaaaaaaaaaa"}, {"name": "b", "key": "bbbbbbbbbbbbbbbb"}])");

  const auto keys = loadApiKeysFile(folder / "keys.json");

  ASSERT_TRUE(keys.ok()) << keys.status().toString();
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[1].name, "b");
}

TEST(ServerConfigTest, HttpOptionsCarryLimits) {
  ServerConfig config;
  config.maxInFlight = 3;
  config.headerTimeout = 50ms;
  config.accessLog = false;

  const http::HttpServerOptions options = httpOptionsOf(config);

  EXPECT_EQ(options.maxInFlight, 3u);
  EXPECT_EQ(options.headerTimeout, 50ms);
  EXPECT_FALSE(options.accessLog);
}

TEST(ServerConfigTest, ValidConfigPasses) {
  ServerConfig config;
  config.publicKeyFile = "k.pub";
  config.patternFile = "p.ptn";

  EXPECT_TRUE(validateServerConfig(config).ok());
}

// Error paths.

TEST(ServerConfigTest, UnknownKeyIsNamed) {
  const auto config = parse(R"({"max_digest": 5})");

  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(contains(config.status().message(), "test.json")) << config.status().message();
  EXPECT_TRUE(contains(config.status().message(), "\"max_digest\" is not a setting"))
      << config.status().message();
}

TEST(ServerConfigTest, WrongTypeIsNamed) {
  for (const std::string_view json :
       {R"({"threads": "4"})", R"({"threads": -1})", R"({"threads": 1.5})", R"({"access_log": 1})",
        R"({"pattern": 7})", R"({"tls": "cert.pem"})"}) {
    const auto config = parse(json);
    EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument) << json;
    EXPECT_TRUE(contains(config.status().message(), "key \"")) << config.status().message();
  }
}

TEST(ServerConfigTest, OutOfRangeNumberShowsRange) {
  const auto config = parse(R"({"max_header_bytes": 100})");

  EXPECT_TRUE(contains(config.status().message(), "is 100 but must be from 1024"))
      << config.status().message();
}

TEST(ServerConfigTest, InvalidListenAddressIsRejected) {
  const auto config = parse(R"({"listen": "example.org:80"})");

  EXPECT_TRUE(contains(config.status().message(), "\"listen\"")) << config.status().message();
  EXPECT_TRUE(contains(config.status().message(), "not an IP address"))
      << config.status().message();
}

TEST(ServerConfigTest, InvalidJsonIsRejected) {
  EXPECT_TRUE(contains(parse("{").status().message(), "is not valid JSON"));
  EXPECT_TRUE(contains(parse("[]").status().message(), "JSON object"));
}

TEST(ServerConfigTest, UnknownLogLevelListsChoices) {
  const auto config = parse(R"({"log_level": "verbose"})");

  EXPECT_TRUE(contains(config.status().message(), "trace, debug, info"))
      << config.status().message();
}

TEST(ServerConfigTest, MissingFileIsNotFound) {
  http::testing::TempFolder folder;

  const auto config = loadServerConfigFile(folder / "absent.json");

  EXPECT_EQ(config.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(contains(config.status().message(), "absent.json"));
}

TEST(ServerConfigTest, MissingPublicKeyIsReported) {
  ServerConfig config;
  config.patternFile = "p.ptn";

  const Status status = validateServerConfig(config);

  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(contains(status.message(), "--public-key")) << status.message();
}

TEST(ServerConfigTest, MissingPatternAndSourceIsReported) {
  ServerConfig config;
  config.publicKeyFile = "k.pub";

  EXPECT_TRUE(contains(validateServerConfig(config).message(), "--pattern"));
}

TEST(ServerConfigTest, HalfTlsIsReported) {
  ServerConfig config;
  config.publicKeyFile = "k.pub";
  config.patternFile = "p.ptn";
  config.tls = http::TlsFiles{"cert.pem", ""};

  EXPECT_TRUE(contains(validateServerConfig(config).message(), "--tls-private-key"));
}

TEST(ServerConfigTest, WeakOrDuplicateApiKeysAreRejected) {
  ServerConfig config;
  config.publicKeyFile = "k.pub";
  config.patternFile = "p.ptn";

  config.apiKeys = {{"short", "abc"}};
  EXPECT_TRUE(contains(validateServerConfig(config).message(), "16 to 256")) << "short key";

  config.apiKeys = {{"bad name", "0123456789abcdef"}};
  EXPECT_TRUE(contains(validateServerConfig(config).message(), "[A-Za-z0-9._-]")) << "bad name";

  config.apiKeys = {{"a", "0123456789abcdef"}, {"a", "fedcba9876543210"}};
  EXPECT_TRUE(contains(validateServerConfig(config).message(), "appears twice")) << "same name";

  config.apiKeys = {{"a", "0123456789abcdef"}, {"b", "0123456789abcdef"}};
  EXPECT_TRUE(contains(validateServerConfig(config).message(), "same key")) << "same key";
}

TEST(ServerConfigTest, MalformedApiKeyFileIsRejected) {
  http::testing::TempFolder folder;
  http::testing::writeText(folder / "keys.json", R"([{"name": "a"}])");

  const auto keys = loadApiKeysFile(folder / "keys.json");

  EXPECT_EQ(keys.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(contains(keys.status().message(), "keys.json")) << keys.status().message();
}

}  // namespace
}  // namespace odscan::smartscan
