#include "odscan/http/listen_address.h"

#include <gtest/gtest.h>

namespace odscan::http {
namespace {

TEST(ListenAddressTest, ParsesIpv4AndPort) {
  const auto address = ListenAddress::parse("127.0.0.1:8470");

  ASSERT_TRUE(address.ok()) << address.status().toString();
  EXPECT_EQ(address->host, "127.0.0.1");
  EXPECT_EQ(address->port, 8470);
}

TEST(ListenAddressTest, ParsesBracketedIpv6) {
  const auto address = ListenAddress::parse("[::1]:0");

  ASSERT_TRUE(address.ok()) << address.status().toString();
  EXPECT_EQ(address->host, "::1");
  EXPECT_EQ(address->toString(), "[::1]:0");
}

TEST(ListenAddressTest, LocalhostIsLoopback) {
  const auto address = ListenAddress::parse("localhost:9000");

  ASSERT_TRUE(address.ok()) << address.status().toString();
  EXPECT_EQ(address->host, "127.0.0.1");
}

// Error paths.

TEST(ListenAddressTest, RejectsMalformedText) {
  for (const std::string_view text :
       {"127.0.0.1", "127.0.0.1:", ":8470", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:80x",
        "::1:8470", "example.org:80", "[::1:80"}) {
    const auto address = ListenAddress::parse(text);
    EXPECT_FALSE(address.ok()) << text;
    EXPECT_NE(address.status().message().find(std::string(text)), std::string::npos)
        << address.status().message();
  }
}

}  // namespace
}  // namespace odscan::http
