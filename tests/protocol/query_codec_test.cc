#include "odscan/protocol/query_codec.h"

#include <gtest/gtest.h>

#include <string>

namespace odscan::protocol {
namespace {

QueryItem itemOf(std::string_view hex, std::uint64_t size) {
  return QueryItem{*Digest::fromHex(hex), size};
}

QueryRequest sampleRequest() {
  QueryRequest request;
  request.items.push_back(itemOf("aa15bcf478d165efd2065190eb473bcb", 544));
  request.items.push_back(itemOf(std::string(40, 'b'), 0));
  request.items.push_back(
      itemOf("275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f", 68));
  return request;
}

QueryResponse sampleResponse() {
  QueryResponse response;
  response.patternVersion = 202612041230;
  response.results.push_back(QueryResult{QueryVerdict::kMalicious, "Clamav.Test.File-6"});
  response.results.push_back(QueryResult{});
  response.results.push_back(QueryResult{QueryVerdict::kMalicious, "Eicar-Test-Signature"});
  return response;
}

class QueryCodecFormatTest : public ::testing::TestWithParam<BodyFormat> {};

TEST_P(QueryCodecFormatTest, RequestRoundTrips) {
  const QueryRequest request = sampleRequest();
  auto decoded = decodeQueryRequest(encodeQueryRequest(request, GetParam()), GetParam(), 1000);
  ASSERT_TRUE(decoded.ok()) << decoded.status().toString();
  EXPECT_EQ(decoded->items, request.items);
}

TEST_P(QueryCodecFormatTest, ResponseRoundTrips) {
  const QueryResponse response = sampleResponse();
  auto decoded = decodeQueryResponse(encodeQueryResponse(response, GetParam()), GetParam());
  ASSERT_TRUE(decoded.ok()) << decoded.status().toString();
  EXPECT_EQ(decoded->patternVersion, response.patternVersion);
  EXPECT_EQ(decoded->results, response.results);
}

TEST_P(QueryCodecFormatTest, EmptyRequestIsValid) {
  auto decoded = decodeQueryRequest(encodeQueryRequest({}, GetParam()), GetParam(), 1000);
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->items.empty());
}

TEST_P(QueryCodecFormatTest, TooManyDigestsIsLimitExceeded) {
  auto decoded = decodeQueryRequest(encodeQueryRequest(sampleRequest(), GetParam()), GetParam(), 2);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kLimitExceeded);
  EXPECT_NE(decoded.status().message().find("maximum of 2"), std::string::npos);
}

TEST_P(QueryCodecFormatTest, EveryTruncationOfARequestIsRejected) {
  const std::string body = encodeQueryRequest(sampleRequest(), GetParam());
  for (std::size_t length = 0; length < body.size(); ++length) {
    auto decoded = decodeQueryRequest(std::string_view(body).substr(0, length), GetParam(), 1000);
    EXPECT_FALSE(decoded.ok()) << "length " << length;
  }
}

TEST_P(QueryCodecFormatTest, EveryTruncationOfAResponseIsRejected) {
  const std::string body = encodeQueryResponse(sampleResponse(), GetParam());
  for (std::size_t length = 0; length < body.size(); ++length) {
    auto decoded = decodeQueryResponse(std::string_view(body).substr(0, length), GetParam());
    EXPECT_FALSE(decoded.ok()) << "length " << length;
  }
}

INSTANTIATE_TEST_SUITE_P(BothFormats, QueryCodecFormatTest,
                         ::testing::Values(BodyFormat::kJson, BodyFormat::kBinary),
                         [](const ::testing::TestParamInfo<BodyFormat>& format) {
                           return format.param == BodyFormat::kJson ? "Json" : "Binary";
                         });

TEST(QueryCodecTest, JsonRequestHasTheDocumentedShape) {
  QueryRequest request;
  request.items.push_back(itemOf("aa15bcf478d165efd2065190eb473bcb", 544));
  EXPECT_EQ(encodeQueryRequest(request, BodyFormat::kJson),
            R"({"queries":[{"digest":"aa15bcf478d165efd2065190eb473bcb","size":544}]})");
}

TEST(QueryCodecTest, JsonResponseHasTheDocumentedShape) {
  QueryResponse response;
  response.patternVersion = 7;
  response.results.push_back(QueryResult{QueryVerdict::kMalicious, "Test.A"});
  response.results.push_back(QueryResult{});
  EXPECT_EQ(encodeQueryResponse(response, BodyFormat::kJson),
            R"({"pattern_version":7,"results":[{"threat":"Test.A","verdict":"malicious"},)"
            R"({"verdict":"not_found"}]})");
}

TEST(QueryCodecTest, BinaryRequestHasTheDocumentedLayout) {
  QueryRequest request;
  request.items.push_back(itemOf("00112233445566778899aabbccddeeff", 0x0102));
  const std::string body = encodeQueryRequest(request, BodyFormat::kBinary);
  ASSERT_EQ(body.size(), 4u + 4u + 1u + 8u + 16u);
  EXPECT_EQ(body.substr(0, 4), "OSQ1");
  EXPECT_EQ(body.substr(4, 4), std::string("\x01\0\0\0", 4));
  EXPECT_EQ(body[8], '\x01');  // MD5
  EXPECT_EQ(body.substr(9, 8), std::string("\x02\x01\0\0\0\0\0\0", 8));
  EXPECT_EQ(static_cast<unsigned char>(body[17]), 0x00);
  EXPECT_EQ(static_cast<unsigned char>(body[32]), 0xff);
}

TEST(QueryCodecTest, ContentTypesMapToFormats) {
  EXPECT_EQ(*bodyFormatFromContentType("application/json"), BodyFormat::kJson);
  EXPECT_EQ(*bodyFormatFromContentType("Application/JSON; charset=utf-8"), BodyFormat::kJson);
  EXPECT_EQ(*bodyFormatFromContentType(" application/x-odscan-query "), BodyFormat::kBinary);
  EXPECT_EQ(contentTypeOf(BodyFormat::kBinary), kBinaryContentType);
}

TEST(QueryCodecTest, ThreatNamesAreChecked) {
  EXPECT_TRUE(isValidThreatName("Win.Trojan.Agent-123"));
  EXPECT_TRUE(isValidThreatName("Trojan.\xc3\xa9t\xc3\xa9"));
  EXPECT_FALSE(isValidThreatName(""));
  EXPECT_FALSE(isValidThreatName("bad\nname"));
  EXPECT_FALSE(isValidThreatName("bad\x7fname"));
  EXPECT_FALSE(isValidThreatName("\xc0\xafoverlong"));
  EXPECT_FALSE(isValidThreatName("\xed\xa0\x80surrogate"));
  EXPECT_FALSE(isValidThreatName("cut\xe2\x82"));
  EXPECT_FALSE(isValidThreatName(std::string(kMaxThreatNameLength + 1, 'a')));
}

// ---- error paths -------------------------------------------------------------

Status requestError(std::string_view body, BodyFormat format) {
  return decodeQueryRequest(body, format, 1000).status();
}

void expectMalformed(const Status& status, std::string_view fragment) {
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.toString();
  EXPECT_NE(status.message().find(fragment), std::string::npos) << status.message();
}

TEST(QueryCodecErrorTest, UnknownContentTypeNamesBothFormats) {
  auto format = bodyFormatFromContentType("text/plain");
  ASSERT_FALSE(format.ok());
  EXPECT_NE(format.status().message().find("\"text/plain\""), std::string::npos);
  EXPECT_NE(format.status().message().find("application/x-odscan-query"), std::string::npos);
}

TEST(QueryCodecErrorTest, JsonSyntaxErrorIsMalformed) {
  expectMalformed(requestError("{\"queries\":[", BodyFormat::kJson), "not valid JSON");
}

TEST(QueryCodecErrorTest, JsonWithoutQueriesArrayShowsTheShape) {
  expectMalformed(requestError("[]", BodyFormat::kJson), "\"queries\" array");
  expectMalformed(requestError(R"({"queries":{}})", BodyFormat::kJson), "\"queries\" array");
}

TEST(QueryCodecErrorTest, JsonItemProblemsNameTheItem) {
  expectMalformed(requestError(R"({"queries":[1]})", BodyFormat::kJson),
                  "queries[0] is not an object");
  expectMalformed(requestError(R"({"queries":[{"size":1}]})", BodyFormat::kJson),
                  "queries[0] needs \"digest\"");
  expectMalformed(requestError(R"({"queries":[{"digest":"aa15bcf478d165efd2065190eb473bcb"}]})",
                               BodyFormat::kJson),
                  "needs \"size\"");
  expectMalformed(
      requestError(R"({"queries":[{"digest":"aa15bcf478d165efd2065190eb473bcb","size":-1}]})",
                   BodyFormat::kJson),
      "needs \"size\"");
  expectMalformed(requestError(R"({"queries":[{"digest":"xyz","size":1}]})", BodyFormat::kJson),
                  "queries[0]: ");
}

TEST(QueryCodecErrorTest, BinaryWithWrongMagicIsMalformed) {
  expectMalformed(requestError("JSON", BodyFormat::kBinary), "starts with \"OSQ1\"");
}

TEST(QueryCodecErrorTest, BinaryUnknownDigestKindIsNamed) {
  std::string body("OSQ1\x01\0\0\0\x09", 9);
  body.append(8 + 16, '\0');
  expectMalformed(requestError(body, BodyFormat::kBinary), "item 0 has digest kind 9");
}

TEST(QueryCodecErrorTest, BinaryCountBeyondTheBodyIsRejectedBeforeReserving) {
  const std::string body("OSQ1\xe8\x03\0\0", 8);  // 1000 items, no bytes
  expectMalformed(requestError(body, BodyFormat::kBinary), "declares 1000 items");
}

TEST(QueryCodecErrorTest, BinaryTrailingBytesAreRejected) {
  std::string body = encodeQueryRequest(sampleRequest(), BodyFormat::kBinary) + "x";
  expectMalformed(requestError(body, BodyFormat::kBinary), "1 bytes follow");
}

TEST(QueryCodecErrorTest, ResponseWithInvalidThreatNameIsRejected) {
  QueryResponse response;
  response.results.push_back(QueryResult{QueryVerdict::kMalicious, "ok"});
  std::string binary = encodeQueryResponse(response, BodyFormat::kBinary);
  binary.back() = '\n';
  expectMalformed(decodeQueryResponse(binary, BodyFormat::kBinary).status(), "invalid threat name");
  expectMalformed(
      decodeQueryResponse(R"({"pattern_version":1,"results":[{"verdict":"malicious"}]})",
                          BodyFormat::kJson)
          .status(),
      "no valid \"threat\"");
}

TEST(QueryCodecErrorTest, ResponseWithUnknownVerdictIsRejected) {
  expectMalformed(decodeQueryResponse(R"({"pattern_version":1,"results":[{"verdict":"maybe"}]})",
                                      BodyFormat::kJson)
                      .status(),
                  "unknown verdict \"maybe\"");
  std::string binary("OSR1\x01\0\0\0\0\0\0\0\x01\0\0\0\x05", 17);
  expectMalformed(decodeQueryResponse(binary, BodyFormat::kBinary).status(), "verdict 5");
}

}  // namespace
}  // namespace odscan::protocol
