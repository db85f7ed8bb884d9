// Runs the built smartscan-server program on 127.0.0.1 with an ephemeral port (read
// from its port file) and a pattern made by the test, and queries it with libcurl.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "../http/http_test_support.h"
#include "odscan/activeupdate/component_publisher.h"
#include "odscan/protocol/query_codec.h"
#include "smartscan_test_support.h"

namespace odscan::smartscan {
namespace {

using namespace std::chrono_literals;
using http::testing::HttpCall;
using http::testing::HttpClient;
using http::testing::HttpReply;
using http::testing::RawConnection;
using protocol::BodyFormat;
using protocol::QueryVerdict;
using testing::ServerProcess;

constexpr int kExitConfigError = 2;

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

protocol::QueryItem itemOf(const char* hex, std::uint64_t size) {
  auto digest = Digest::fromHex(hex);
  EXPECT_TRUE(digest.ok());
  return protocol::QueryItem{*digest, size};
}

std::string queryBody(BodyFormat format) {
  return protocol::encodeQueryRequest(
      protocol::QueryRequest{{itemOf(testing::kClamMd5, testing::kClamSize),
                              itemOf(testing::kEicarSha256, testing::kEicarSize),
                              itemOf(testing::kClamMd5, 1)}},
      format);
}

class SmartScanServerTest : public ::testing::Test {
 protected:
  SmartScanServerTest() : key_(testing::generateKey()) {
    EXPECT_TRUE(key_.publicKey().writeFile(folder_ / "publisher.pub").ok());
    testing::writePattern(folder_ / "smart.ptn", key_, 1);
  }

  // Starts the server with the test pattern, short timeouts and `extra` flags.
  std::unique_ptr<ServerProcess> startServer(std::vector<std::string> extra = {}) {
    std::vector<std::string> arguments{"--pattern",
                                       (folder_ / "smart.ptn").string(),
                                       "--public-key",
                                       (folder_ / "publisher.pub").string(),
                                       "--listen",
                                       "127.0.0.1:0",
                                       "--threads",
                                       "2",
                                       "--header-timeout-ms",
                                       "300",
                                       "--log-file",
                                       (folder_ / "server.log").string()};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    auto server = std::make_unique<ServerProcess>(folder_.path(), arguments);
    EXPECT_TRUE(server->waitUntilListening()) << server->standardError();
    return server;
  }

  // Starts the server and expects it to exit at once; returns the exit code.
  std::optional<int> startAndExpectExit(std::vector<std::string> arguments, std::string& errors) {
    ServerProcess server(folder_.path(), std::move(arguments));
    const std::optional<int> code = server.waitForExit();
    errors = server.standardError();
    return code;
  }

  HttpReply postQuery(HttpClient& client, const ServerProcess& server, BodyFormat format,
                      std::vector<std::string> headers = {}) {
    return client.post(server.url("/v1/query"), queryBody(format),
                       std::string(protocol::contentTypeOf(format)), std::move(headers));
  }

  std::string serverLog() const { return http::testing::readText(folder_ / "server.log"); }

  http::testing::TempFolder folder_;
  PrivateKey key_;
};

TEST_F(SmartScanServerTest, PrintsListeningLine) {
  auto server = startServer();

  EXPECT_EQ(server->standardOutput(), "smartscan-server listening on http://127.0.0.1:" +
                                          std::to_string(server->port()) + " (pattern 1)\n");
}

TEST_F(SmartScanServerTest, JsonQueryIsAnswered) {
  auto server = startServer();
  HttpClient client;

  const HttpReply reply = postQuery(client, *server, BodyFormat::kJson);
  const auto answer = protocol::decodeQueryResponse(reply.body, BodyFormat::kJson);

  ASSERT_EQ(reply.status, 200) << reply.error << reply.body;
  ASSERT_TRUE(answer.ok()) << answer.status().toString();
  EXPECT_EQ(answer->patternVersion, 1u);
  ASSERT_EQ(answer->results.size(), 3u);
  EXPECT_EQ(answer->results[0].threatName, testing::kClamThreat);
  EXPECT_EQ(answer->results[1].threatName, testing::kEicarThreat);
  EXPECT_EQ(answer->results[2].verdict, QueryVerdict::kNotFound);
}

TEST_F(SmartScanServerTest, BinaryQueryIsAnswered) {
  auto server = startServer();
  HttpClient client;

  const HttpReply reply = postQuery(client, *server, BodyFormat::kBinary);
  const auto answer = protocol::decodeQueryResponse(reply.body, BodyFormat::kBinary);

  ASSERT_EQ(reply.status, 200) << reply.error;
  EXPECT_EQ(reply.header("content-type"), protocol::kBinaryContentType);
  ASSERT_TRUE(answer.ok()) << answer.status().toString();
  EXPECT_EQ(answer->results.at(0).verdict, QueryVerdict::kMalicious);
  EXPECT_EQ(answer->results.at(2).verdict, QueryVerdict::kNotFound);
}

TEST_F(SmartScanServerTest, HealthIsReadyWithVersion) {
  auto server = startServer();
  HttpClient client;

  const HttpReply reply = client.get(server->url("/v1/health"));
  const auto body = nlohmann::json::parse(reply.body);

  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(body["status"], "ready");
  EXPECT_EQ(body["pattern_version"], 1);
  EXPECT_EQ(body["pattern_signatures"], 2);
}

TEST_F(SmartScanServerTest, MetricsDescribeQueriesAndPattern) {
  auto server = startServer();
  HttpClient client;
  postQuery(client, *server, BodyFormat::kJson, {"X-Odscan-Product: odscan-scanner/0.1.0"});

  const HttpReply reply = client.get(server->url("/metrics"));

  EXPECT_EQ(reply.status, 200);
  for (const std::string_view line :
       {"odscan_http_requests_total{route=\"/v1/query\",code=\"200\"} 1",
        "odscan_smartscan_digests_total 3", "odscan_smartscan_hits_total 2",
        "odscan_smartscan_pattern_version 1", "odscan_smartscan_pattern_age_seconds ",
        "odscan_smartscan_pattern_updates_total{result=\"failed\"} 0",
        "odscan_smartscan_product_requests_total{product=\"odscan-scanner/0.1.0\"} 1",
        "odscan_http_request_duration_seconds_bucket{route=\"/v1/query\",le=\"5e-05\"}",
        "odscan_http_rejections_total{reason=\"overloaded\"} 0"}) {
    EXPECT_TRUE(contains(reply.body, line)) << line;
  }
}

TEST_F(SmartScanServerTest, AccessLogCarriesRequestIdAndProduct) {
  auto server = startServer();
  HttpClient client;

  postQuery(client, *server, BodyFormat::kJson,
            {"X-Request-Id: query-77", "X-Odscan-Product: scanner/1", "X-Odscan-Endpoint: pc-1"});
  ASSERT_EQ(server->stop(), 0);

  const std::string log = serverLog();
  EXPECT_TRUE(contains(log, "access request_id=query-77 peer=127.0.0.1:")) << log;
  EXPECT_TRUE(contains(log, "product=scanner/1 endpoint=pc-1 digests=3 hits=2")) << log;
}

TEST_F(SmartScanServerTest, SighupLoadsReplacedPatternFile) {
  auto server = startServer();
  HttpClient client;
  testing::writePattern(folder_ / "smart.ptn", key_, 2);

  server->signal(SIGHUP);
  std::uint64_t version = 0;
  for (int i = 0; i < 200 && version != 2; ++i) {
    std::this_thread::sleep_for(10ms);
    version = nlohmann::json::parse(client.get(server->url("/v1/health")).body)["pattern_version"];
  }

  EXPECT_EQ(version, 2u);
}

TEST_F(SmartScanServerTest, HotSwapUnderLoadFailsNoRequest) {
  auto server = startServer();
  std::atomic<bool> running{true};
  std::atomic<int> failures{0};
  std::atomic<int> answered{0};
  std::atomic<int> backwards{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&, c] {
      HttpClient client;
      std::uint64_t lastVersion = 0;
      const BodyFormat format = c % 2 == 0 ? BodyFormat::kJson : BodyFormat::kBinary;
      while (running.load()) {
        const HttpReply reply = postQuery(client, *server, format);
        const auto answer = protocol::decodeQueryResponse(reply.body, format);
        if (reply.status != 200 || !answer.ok() || answer->results.size() != 3 ||
            answer->results[0].threatName != testing::kClamThreat) {
          ++failures;
          continue;
        }
        if (answer->patternVersion < lastVersion) ++backwards;
        lastVersion = answer->patternVersion;
        ++answered;
      }
    });
  }

  for (std::uint64_t version = 2; version <= 21; ++version) {
    testing::writePattern(folder_ / "smart.ptn", key_, version, testing::testSignatures(version));
    server->signal(SIGHUP);
    std::this_thread::sleep_for(60ms);
  }
  std::this_thread::sleep_for(200ms);
  running.store(false);
  for (std::thread& client : clients) client.join();
  HttpClient client;
  const auto health = nlohmann::json::parse(client.get(server->url("/v1/health")).body);

  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(backwards.load(), 0);
  EXPECT_GT(answered.load(), 100);
  EXPECT_EQ(health["pattern_version"], 21);
}

TEST_F(SmartScanServerTest, ActiveUpdateSourceSuppliesNewerPattern) {
  const auto publish = [&](std::uint64_t version) {
    const std::filesystem::path file = folder_ / ("staged-" + std::to_string(version) + ".ptn");
    testing::writePattern(file, key_, version);
    activeupdate::PublishOptions options;
    options.outputDirectory = folder_ / "activeupdate";
    options.patternFiles = {file};
    const auto report = activeupdate::publishComponents(options, key_);
    ASSERT_TRUE(report.ok()) << report.status().toString();
  };
  publish(3);
  auto server = startServer(
      {"--update-source", (folder_ / "activeupdate").string(), "--update-interval", "3600"});
  HttpClient client;
  const auto readVersion = [&] {
    return nlohmann::json::parse(client.get(server->url("/v1/health")).body)["pattern_version"]
        .get<std::uint64_t>();
  };
  for (int i = 0; i < 200 && readVersion() != 3; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(readVersion(), 3u) << serverLog();

  publish(4);
  server->signal(SIGHUP);
  for (int i = 0; i < 200 && readVersion() != 4; ++i) std::this_thread::sleep_for(10ms);

  EXPECT_EQ(readVersion(), 4u) << serverLog();
}

TEST_F(SmartScanServerTest, ApiKeyIsRequiredWhenConfigured) {
  http::testing::writeText(folder_ / "keys.json",
                           R"([{"name": "partner", "key": "0123456789abcdef0123"}])");
  auto server = startServer({"--api-keys-file", (folder_ / "keys.json").string()});
  HttpClient client;

  const HttpReply without = postQuery(client, *server, BodyFormat::kJson);
  const HttpReply with =
      postQuery(client, *server, BodyFormat::kJson, {"Authorization: Bearer 0123456789abcdef0123"});
  const HttpReply health = client.get(server->url("/v1/health"));

  EXPECT_EQ(without.status, 401);
  EXPECT_EQ(without.header("www-authenticate"), "Bearer");
  EXPECT_EQ(with.status, 200);
  EXPECT_EQ(health.status, 200);
}

TEST_F(SmartScanServerTest, TlsServesQueries) {
  ASSERT_TRUE(http::testing::makeSelfSignedCertificate(folder_.path()));
  auto server = startServer({"--tls-certificate", (folder_ / "cert.pem").string(),
                             "--tls-private-key", (folder_ / "key.pem").string()});
  HttpClient client;
  HttpCall call;
  call.method = "POST";
  call.url = server->url("/v1/query", "https");
  call.body = queryBody(BodyFormat::kJson);
  call.headers = {"Content-Type: application/json"};
  call.caFile = folder_ / "cert.pem";

  const HttpReply reply = client.send(call);

  EXPECT_EQ(reply.status, 200) << reply.error;
  EXPECT_TRUE(contains(server->standardOutput(), "listening on https://127.0.0.1:"));
}

TEST_F(SmartScanServerTest, SigintStopsCleanly) {
  auto server = startServer();

  server->signal(SIGINT);

  EXPECT_EQ(server->waitForExit(), 0);
}

// Error paths.

TEST_F(SmartScanServerTest, TamperedPatternIsRefusedAtStart) {
  std::vector<std::uint8_t> bytes = testing::encodePattern(key_, 5);
  bytes[bytes.size() - 10] ^= 0x40;
  testing::writeBytes(folder_ / "tampered.ptn", bytes);
  std::string errors;

  const auto code =
      startAndExpectExit({"--pattern", (folder_ / "tampered.ptn").string(), "--public-key",
                          (folder_ / "publisher.pub").string(), "--listen", "127.0.0.1:0"},
                         errors);

  EXPECT_EQ(code, kExitConfigError);
  EXPECT_TRUE(contains(errors, "Smart Scan Pattern was rejected")) << errors;
  EXPECT_TRUE(contains(errors, "tampered.ptn")) << errors;
}

TEST_F(SmartScanServerTest, PatternOfOtherKeyIsRefusedAtStart) {
  testing::writePattern(folder_ / "foreign.ptn", testing::generateKey(), 5);
  std::string errors;

  const auto code =
      startAndExpectExit({"--pattern", (folder_ / "foreign.ptn").string(), "--public-key",
                          (folder_ / "publisher.pub").string(), "--listen", "127.0.0.1:0"},
                         errors);

  EXPECT_EQ(code, kExitConfigError);
  EXPECT_TRUE(contains(errors, "foreign.ptn")) << errors;
}

TEST_F(SmartScanServerTest, BadConfigNamesKeyAndExits2) {
  http::testing::writeText(folder_ / "server.json", R"({"max_in_flight": "many"})");
  std::string errors;

  const auto code = startAndExpectExit({"--config", (folder_ / "server.json").string()}, errors);

  EXPECT_EQ(code, kExitConfigError);
  EXPECT_TRUE(contains(errors, "server.json")) << errors;
  EXPECT_TRUE(contains(errors, "\"max_in_flight\"")) << errors;
}

TEST_F(SmartScanServerTest, MissingPublicKeyExits2) {
  std::string errors;

  const auto code = startAndExpectExit(
      {"--pattern", (folder_ / "smart.ptn").string(), "--listen", "127.0.0.1:0"}, errors);

  EXPECT_EQ(code, kExitConfigError);
  EXPECT_TRUE(contains(errors, "--public-key")) << errors;
}

TEST_F(SmartScanServerTest, FlagOverridesConfigFile) {
  http::testing::writeText(folder_ / "server.json", R"({"listen": "127.0.0.1:1"})");

  // startServer() passes --listen 127.0.0.1:0, which must win over port 1.
  auto server = startServer({"--config", (folder_ / "server.json").string()});

  EXPECT_NE(server->port(), 1);
}

TEST_F(SmartScanServerTest, BrokenReplacementKeepsOldPattern) {
  auto server = startServer();
  HttpClient client;
  std::vector<std::uint8_t> bytes = testing::encodePattern(key_, 9);
  bytes[bytes.size() / 2] ^= 0x01;
  testing::writeBytes(folder_ / "smart.ptn", bytes);

  server->signal(SIGHUP);
  std::string metrics;
  for (int i = 0; i < 200 && !contains(metrics, "updates_total{result=\"failed\"} 1"); ++i) {
    std::this_thread::sleep_for(10ms);
    metrics = client.get(server->url("/metrics")).body;
  }
  const HttpReply reply = postQuery(client, *server, BodyFormat::kJson);

  EXPECT_TRUE(contains(metrics, "odscan_smartscan_pattern_version 1")) << metrics;
  EXPECT_EQ(reply.status, 200);
  EXPECT_TRUE(contains(serverLog(), "pattern update from")) << serverLog();
}

TEST_F(SmartScanServerTest, OverloadGives503WithRetryAfter) {
  auto server =
      startServer({"--max-in-flight", "1", "--retry-after", "3", "--body-timeout-ms", "10000"});
  // A request whose body never completes occupies the only in-flight slot. When
  // a query takes the slot first, the holder itself gets the 503 and the test
  // starts a new holder.
  std::unique_ptr<RawConnection> holder;
  HttpClient client;
  HttpReply reply;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (reply.status != 503 && std::chrono::steady_clock::now() < deadline) {
    if (!holder || !holder->readUntil("HTTP/1.1 503", 1ms).empty()) {
      holder = std::make_unique<RawConnection>(server->port());
      ASSERT_TRUE(
          holder->send("POST /v1/query HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                       "Content-Length: 100\r\n\r\n{\"queries\":"));
      std::this_thread::sleep_for(20ms);
    }
    reply = postQuery(client, *server, BodyFormat::kJson);
  }

  EXPECT_EQ(reply.status, 503) << reply.error << reply.body << serverLog();
  EXPECT_EQ(reply.header("retry-after"), "3");
  EXPECT_TRUE(contains(reply.body, "retry after 3 seconds")) << reply.body;
}

TEST_F(SmartScanServerTest, OversizedBodyGives413) {
  auto server = startServer({"--max-body-bytes", "1024"});
  HttpClient client;

  const HttpReply reply =
      client.post(server->url("/v1/query"), std::string(4096, ' '), "application/json");

  EXPECT_EQ(reply.status, 413) << reply.error;
}

TEST_F(SmartScanServerTest, TooManyDigestsGives413) {
  auto server = startServer({"--max-digests", "2"});
  HttpClient client;

  const HttpReply reply = postQuery(client, *server, BodyFormat::kBinary);

  EXPECT_EQ(reply.status, 413);
  EXPECT_TRUE(contains(reply.body, "maximum of 2")) << reply.body;
}

TEST_F(SmartScanServerTest, MalformedBodiesGive400WithMessage) {
  auto server = startServer();
  HttpClient client;

  const HttpReply json =
      client.post(server->url("/v1/query"), "{\"queries\": [", "application/json");
  const HttpReply binary =
      client.post(server->url("/v1/query"), "OSQ1\x01", std::string(protocol::kBinaryContentType));

  EXPECT_EQ(json.status, 400);
  EXPECT_TRUE(contains(nlohmann::json::parse(json.body)["error"], "malformed query body"))
      << json.body;
  EXPECT_EQ(binary.status, 400);
  EXPECT_TRUE(contains(binary.body, "malformed query body")) << binary.body;
}

TEST_F(SmartScanServerTest, HalfHeaderIsDisconnectedAfterHeaderTimeout) {
  auto server = startServer();
  RawConnection connection(server->port());

  const auto started = std::chrono::steady_clock::now();
  connection.send("POST /v1/query HTTP/1.1\r\nHost: t\r\nContent-Ty");
  const auto received = connection.readUntilClosed(3s);
  const auto elapsed = std::chrono::steady_clock::now() - started;

  EXPECT_TRUE(received.closed);
  EXPECT_EQ(http::testing::statusOf(received.bytes), 408) << received.bytes;
  EXPECT_LT(elapsed, 2s);
}

}  // namespace
}  // namespace odscan::smartscan
