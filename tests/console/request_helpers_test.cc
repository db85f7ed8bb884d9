#include "request_helpers.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <vector>

namespace odscan::console {
namespace {

std::string gzip(const std::string& text) {
  z_stream stream{};
  deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&stream, text.size()) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

TEST(RequestHelpersTest, GunzipRoundTrips) {
  auto text = gunzip(gzip("line one\nline two\n"), 1024);
  ASSERT_TRUE(text.ok()) << text.status().message();
  EXPECT_EQ(*text, "line one\nline two\n");
}

TEST(RequestHelpersTest, GunzipStopsAtTheLimit) {
  auto text = gunzip(gzip(std::string(1 << 20, 'a')), 4096);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), StatusCode::kLimitExceeded);
}

TEST(RequestHelpersTest, GunzipRejectsDamagedAndCutInput) {
  const std::string good = gzip("some text that is long enough to matter\n");
  EXPECT_FALSE(gunzip("plain text", 1024).ok());
  EXPECT_FALSE(gunzip(good.substr(0, good.size() / 2), 1024).ok());
  EXPECT_FALSE(gunzip(good + "trailing", 1024).ok());
  std::string flipped = good;
  flipped[flipped.size() - 6] = static_cast<char>(flipped[flipped.size() - 6] ^ 1);
  EXPECT_FALSE(gunzip(flipped, 1024).ok());
}

TEST(RequestHelpersTest, RandomBytesNeverCrashGunzip) {
  std::uint32_t state = 12345;
  for (int round = 0; round < 200; ++round) {
    std::string bytes = gzip("seed text " + std::to_string(round));
    for (int flip = 0; flip < 4; ++flip) {
      state = state * 1103515245 + 12345;
      bytes[state % bytes.size()] = static_cast<char>(state >> 16);
    }
    (void)gunzip(bytes, 1024);
  }
}

TEST(RequestHelpersTest, QueryParametersAreDecoded) {
  auto parameters = queryParameters("/api?search=192.0.2.1&type=detection&x=a%20b+c&bad=%zz");
  EXPECT_EQ(parameters["search"], "192.0.2.1");
  EXPECT_EQ(parameters["type"], "detection");
  EXPECT_EQ(parameters["x"], "a b c");
  EXPECT_EQ(parameters.count("bad"), 0u);
  EXPECT_TRUE(queryParameters("/api").empty());
}

TEST(RequestHelpersTest, CutEscapeIsRejected) {
  EXPECT_FALSE(percentDecode("%4").ok());
  EXPECT_FALSE(percentDecode("%").ok());
}

TEST(RequestHelpersTest, CookieValueIsFound) {
  std::vector<http::HeaderField> headers = {{"Cookie", "a=1; tm_session=abc ; b=2"}};
  http::Request request;
  request.headers = headers;
  EXPECT_EQ(cookieValue(request, "tm_session"), "abc");
  EXPECT_EQ(cookieValue(request, "missing"), std::nullopt);
}

TEST(RequestHelpersTest, JsonBodyMustBeAnObject) {
  EXPECT_TRUE(jsonObjectBody(R"({"a": 1})").ok());
  EXPECT_FALSE(jsonObjectBody("[1]").ok());
  EXPECT_FALSE(jsonObjectBody("{").ok());
  EXPECT_FALSE(jsonObjectBody("\"\xff\"").ok());
}

}  // namespace
}  // namespace odscan::console
