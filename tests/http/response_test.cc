#include "odscan/http/response.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace odscan::http {
namespace {

TEST(ResponseTest, ErrorBodyIsJsonWithRequestId) {
  Response response;
  response.setError(413, "too \"big\"\n", "id-1");

  const auto body = nlohmann::json::parse(response.body);

  EXPECT_EQ(response.status, 413u);
  EXPECT_EQ(response.contentType, "application/json");
  EXPECT_EQ(body["error"], "too \"big\"\n");
  EXPECT_EQ(body["request_id"], "id-1");
}

TEST(ResponseTest, ValidUtf8IsKept) {
  std::string out;
  appendJsonString(out, "caf\xc3\xa9");

  EXPECT_EQ(nlohmann::json::parse(out), "caf\xc3\xa9");
}

TEST(ResponseTest, ResetKeepsBodyCapacity) {
  Response response;
  response.body.assign(1000, 'x');
  const std::size_t capacity = response.body.capacity();

  response.reset();

  EXPECT_TRUE(response.body.empty());
  EXPECT_EQ(response.body.capacity(), capacity);
  EXPECT_EQ(response.status, 200u);
}

TEST(ResponseTest, LogFieldsAreSpaceSeparated) {
  Response response;
  response.addLogField("digests", "10");
  response.addLogField("hits", "1");

  EXPECT_EQ(response.accessLogFields, "digests=10 hits=1");
}

// Error paths.

TEST(ResponseTest, InvalidUtf8BecomesReplacementCharacter) {
  for (const std::string_view text : {"a\xff", "\xc3", "\xed\xa0\x80", "\xc0\xaf", "\x01"}) {
    std::string out;
    appendJsonString(out, text);
    EXPECT_TRUE(nlohmann::json::accept(out)) << out;
  }
}

}  // namespace
}  // namespace odscan::http
