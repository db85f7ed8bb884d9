#include "odscan/smartscan/query_service.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "odscan/protocol/query_codec.h"
#include "smartscan_test_support.h"

namespace odscan::smartscan {
namespace {

using protocol::BodyFormat;
using protocol::QueryVerdict;

protocol::QueryItem itemOf(const char* hex, std::uint64_t size) {
  auto digest = Digest::fromHex(hex);
  EXPECT_TRUE(digest.ok());
  return protocol::QueryItem{*digest, size};
}

class QueryServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { loadPattern(7); }

  void loadPattern(std::uint64_t version,
                   std::vector<Signature> signatures = testing::testSignatures()) {
    auto pattern = SmartScanPattern::build(std::move(signatures), version);
    ASSERT_TRUE(pattern.ok());
    store_->replace(std::make_shared<const LoadedPattern>(
        LoadedPattern{std::move(pattern).value(), "test", std::chrono::system_clock::now()}));
  }

  QueryService makeService(std::vector<ApiKey> keys = {}, std::size_t maxDigests = 1000) {
    return QueryService(
        store_, ApiKeyCheck(keys), maxDigests, metrics_,
        std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>()));
  }

  http::Response query(QueryService& service, std::string body, std::string contentType,
                       std::vector<http::HeaderField> extra = {}) {
    body_ = std::move(body);
    contentType_ = std::move(contentType);
    headers_ = {{"Content-Type", contentType_}};
    headers_.insert(headers_.end(), extra.begin(), extra.end());
    http::Request request{"POST", "/v1/query",   "/v1/query", headers_,
                          body_,  "127.0.0.1:1", "rid-1"};
    http::Response response;
    service.handleQuery(request, response);
    return response;
  }

  std::string requestBody(BodyFormat format, std::vector<protocol::QueryItem> items) {
    return protocol::encodeQueryRequest(protocol::QueryRequest{std::move(items)}, format);
  }

  std::shared_ptr<PatternStore> store_ = std::make_shared<PatternStore>();
  http::MetricsRegistry metrics_;
  std::string body_;
  std::string contentType_;
  std::vector<http::HeaderField> headers_;
};

TEST_F(QueryServiceTest, JsonQueryAnswersEachItem) {
  QueryService service = makeService();
  const std::string body =
      requestBody(BodyFormat::kJson, {itemOf(testing::kClamMd5, testing::kClamSize),
                                      itemOf(testing::kClamMd5, testing::kClamSize + 1),
                                      itemOf(testing::kEicarSha256, 12345)});

  const http::Response response = query(service, body, "application/json");
  const auto answer = protocol::decodeQueryResponse(response.body, BodyFormat::kJson);

  ASSERT_EQ(response.status, 200u) << response.body;
  ASSERT_TRUE(answer.ok()) << answer.status().toString();
  EXPECT_EQ(answer->patternVersion, 7u);
  ASSERT_EQ(answer->results.size(), 3u);
  EXPECT_EQ(answer->results[0].verdict, QueryVerdict::kMalicious);
  EXPECT_EQ(answer->results[0].threatName, testing::kClamThreat);
  EXPECT_EQ(answer->results[1].verdict, QueryVerdict::kNotFound);
  EXPECT_EQ(answer->results[2].threatName, testing::kEicarThreat);
}

TEST_F(QueryServiceTest, BinaryQueryGetsBinaryAnswer) {
  QueryService service = makeService();
  const std::string body =
      requestBody(BodyFormat::kBinary, {itemOf(testing::kClamMd5, testing::kClamSize)});

  const http::Response response = query(service, body, std::string(protocol::kBinaryContentType));
  const auto answer = protocol::decodeQueryResponse(response.body, BodyFormat::kBinary);

  EXPECT_EQ(response.contentType, protocol::kBinaryContentType);
  ASSERT_TRUE(answer.ok()) << answer.status().toString();
  EXPECT_EQ(answer->results.at(0).verdict, QueryVerdict::kMalicious);
}

TEST_F(QueryServiceTest, CountsDigestsHitsAndProducts) {
  QueryService service = makeService();
  const std::string body =
      requestBody(BodyFormat::kJson,
                  {itemOf(testing::kClamMd5, testing::kClamSize), itemOf(testing::kClamMd5, 1)});

  query(service, body, "application/json", {{"X-Odscan-Product", "scanner/0.1"}});
  const std::string text = metrics_.render();

  EXPECT_NE(text.find("odscan_smartscan_digests_total 2"), std::string::npos) << text;
  EXPECT_NE(text.find("odscan_smartscan_hits_total 1"), std::string::npos) << text;
  EXPECT_NE(text.find("product_requests_total{product=\"scanner/0.1\"} 1"), std::string::npos)
      << text;
}

TEST_F(QueryServiceTest, ThreatNameThatProtocolRejectsIsCleaned) {
  std::vector<Signature> signatures = testing::testSignatures();
  signatures[0].threatName =
      "Bad\xff"
      "Name";
  loadPattern(9, signatures);
  QueryService service = makeService();

  const http::Response response = query(
      service, requestBody(BodyFormat::kJson, {itemOf(testing::kClamMd5, testing::kClamSize)}),
      "application/json");
  const auto answer = protocol::decodeQueryResponse(response.body, BodyFormat::kJson);

  ASSERT_TRUE(answer.ok()) << answer.status().toString();
  EXPECT_EQ(answer->results.at(0).threatName, "Bad?Name");
}

TEST_F(QueryServiceTest, HealthReportsVersion) {
  QueryService service = makeService();
  http::Response response;

  service.handleHealth(http::Request{}, response);
  const auto body = nlohmann::json::parse(response.body);

  EXPECT_EQ(response.status, 200u);
  EXPECT_EQ(body["status"], "ready");
  EXPECT_EQ(body["pattern_version"], 7);
}

TEST_F(QueryServiceTest, ValidApiKeyIsAccepted) {
  QueryService service = makeService({{"lab", "0123456789abcdef"}});

  const http::Response response =
      query(service, requestBody(BodyFormat::kJson, {}), "application/json",
            {{"Authorization", "Bearer 0123456789abcdef"}});

  EXPECT_EQ(response.status, 200u);
  EXPECT_NE(response.accessLogFields.find("api_key=lab"), std::string::npos);
}

// Error paths.

TEST_F(QueryServiceTest, MalformedJsonIs400WithDecoderMessage) {
  QueryService service = makeService();

  const http::Response response = query(service, "{\"queries\": 5}", "application/json");
  const auto body = nlohmann::json::parse(response.body);

  EXPECT_EQ(response.status, 400u);
  EXPECT_NE(body["error"].get<std::string>().find("malformed query body"), std::string::npos);
  EXPECT_EQ(body["request_id"], "rid-1");
}

TEST_F(QueryServiceTest, MalformedBinaryIs400) {
  QueryService service = makeService();

  const http::Response response =
      query(service, "OSQ1\xff", std::string(protocol::kBinaryContentType));

  EXPECT_EQ(response.status, 400u);
}

TEST_F(QueryServiceTest, TooManyDigestsIs413) {
  QueryService service = makeService({}, 2);
  const std::string body = requestBody(
      BodyFormat::kJson,
      {itemOf(testing::kClamMd5, 1), itemOf(testing::kClamMd5, 2), itemOf(testing::kClamMd5, 3)});

  const http::Response response = query(service, body, "application/json");

  EXPECT_EQ(response.status, 413u);
  EXPECT_NE(response.body.find("maximum of 2"), std::string::npos) << response.body;
}

TEST_F(QueryServiceTest, UnsupportedContentTypeIs415) {
  QueryService service = makeService();

  const http::Response response = query(service, "x=1", "application/x-www-form-urlencoded");

  EXPECT_EQ(response.status, 415u);
}

TEST_F(QueryServiceTest, NoPatternIs503AndHealthNotReady) {
  store_->replace(nullptr);
  QueryService service = makeService();
  http::Response health;

  const http::Response response =
      query(service, requestBody(BodyFormat::kJson, {}), "application/json");
  service.handleHealth(http::Request{}, health);

  EXPECT_EQ(response.status, 503u);
  EXPECT_EQ(health.status, 503u);
  EXPECT_EQ(nlohmann::json::parse(health.body)["status"], "not_ready");
}

TEST_F(QueryServiceTest, MissingOrWrongApiKeyIs401) {
  QueryService service = makeService({{"lab", "0123456789abcdef"}});

  const http::Response missing =
      query(service, requestBody(BodyFormat::kJson, {}), "application/json");
  const http::Response wrong = query(service, requestBody(BodyFormat::kJson, {}),
                                     "application/json", {{"Authorization", "Bearer nope"}});

  EXPECT_EQ(missing.status, 401u);
  EXPECT_EQ(wrong.status, 401u);
  ASSERT_EQ(missing.headers.size(), 1u);
  EXPECT_EQ(missing.headers[0].first, "WWW-Authenticate");
}

}  // namespace
}  // namespace odscan::smartscan
