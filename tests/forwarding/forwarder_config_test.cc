#include "odscan/forwarding/forwarder_config.h"

#include <gtest/gtest.h>

namespace odscan::forwarding {
namespace {

using namespace std::chrono_literals;

Result<ForwarderConfig> parse(std::string_view json) {
  return parseForwarderConfig(json, "console config '/etc/odscan/console.json'", "/etc/odscan");
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(ForwarderConfigTest, CollectorAloneUsesDefaults) {
  const auto config = parse(R"({"collector": "192.0.2.7:514"})");

  ASSERT_TRUE(config.ok()) << config.status().toString();
  EXPECT_TRUE(config->enabled);
  EXPECT_EQ(config->collector.host, "192.0.2.7");
  EXPECT_EQ(config->collector.port, 514);
  EXPECT_EQ(config->transport, Transport::kUdp);
  EXPECT_EQ(config->format, MessageFormat::kRfc5424);
  EXPECT_EQ(config->facility, 16);
  EXPECT_EQ(config->appName, "threat-mitigator");
  EXPECT_EQ(config->enterpriseNumber, kExampleEnterpriseNumber);
  EXPECT_EQ(config->maxQueue, 10000u);
  EXPECT_EQ(config->maxMessageBytes, 8192u);
  EXPECT_FALSE(config->productVersion.empty());
}

TEST(ForwarderConfigTest, ReadsEveryMember) {
  const auto config = parse(R"({
    "enabled": false, "collector": "[::1]:6514", "transport": "tls", "format": "cef",
    "facility": "authpriv", "app_name": "tm", "hostname": "tm01.example.org",
    "enterprise_number": 12345, "product_version": "2.0", "ca_file": "collector-ca.pem",
    "tls_server_name": "siem.example.org", "max_queue": 50, "max_message_bytes": 2048,
    "connect_timeout_ms": 100, "write_timeout_ms": 200, "reconnect_min_ms": 10,
    "reconnect_max_ms": 1000
  })");

  ASSERT_TRUE(config.ok()) << config.status().toString();
  EXPECT_FALSE(config->enabled);
  EXPECT_EQ(config->collector.host, "::1");
  EXPECT_EQ(config->transport, Transport::kTls);
  EXPECT_EQ(config->format, MessageFormat::kCef);
  EXPECT_EQ(config->facility, 10);
  EXPECT_EQ(config->appName, "tm");
  EXPECT_EQ(config->hostname, "tm01.example.org");
  EXPECT_EQ(config->enterpriseNumber, 12345u);
  EXPECT_EQ(config->productVersion, "2.0");
  EXPECT_EQ(config->caFile, "/etc/odscan/collector-ca.pem");
  EXPECT_EQ(config->serverName, "siem.example.org");
  EXPECT_EQ(config->maxQueue, 50u);
  EXPECT_EQ(config->maxMessageBytes, 2048u);
  EXPECT_EQ(config->connectTimeout, 100ms);
  EXPECT_EQ(config->writeTimeout, 200ms);
  EXPECT_EQ(config->reconnectMin, 10ms);
  EXPECT_EQ(config->reconnectMax, 1000ms);
}

TEST(ForwarderConfigTest, FacilityMayBeANumber) {
  const auto config = parse(R"({"collector": "127.0.0.1:514", "facility": 23})");

  ASSERT_TRUE(config.ok()) << config.status().toString();
  EXPECT_EQ(config->facility, 23);
}

TEST(ForwarderConfigTest, LocalhostIsAccepted) {
  const auto config = parse(R"({"collector": "localhost:5514"})");

  ASSERT_TRUE(config.ok()) << config.status().toString();
  EXPECT_EQ(config->collector.connectHost(), "127.0.0.1");
}

TEST(ForwarderConfigTest, AbsoluteCaFileIsKept) {
  const auto config = parse(R"({"collector": "127.0.0.1:6514", "transport": "tls",
                                "ca_file": "/srv/ca.pem"})");

  ASSERT_TRUE(config.ok()) << config.status().toString();
  EXPECT_EQ(config->caFile, "/srv/ca.pem");
}

TEST(ForwarderConfigTest, FacilityNamesMapToCodes) {
  EXPECT_EQ(*parseFacility("kern"), 0);
  EXPECT_EQ(*parseFacility("user"), 1);
  EXPECT_EQ(*parseFacility("security"), 13);
  EXPECT_EQ(*parseFacility("local0"), 16);
  EXPECT_EQ(*parseFacility("local7"), 23);
}

TEST(CollectorAddressTest, Ipv6IsShownInBrackets) {
  EXPECT_EQ((CollectorAddress{"::1", 514}.toString()), "[::1]:514");
  EXPECT_EQ((CollectorAddress{"192.0.2.7", 514}.toString()), "192.0.2.7:514");
}

// Error paths: each names the member and what to write instead.

TEST(ForwarderConfigTest, MissingCollectorIsRejected) {
  const auto config = parse(R"({"transport": "tcp"})");

  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(contains(config.status().message(), "\"syslog.collector\" is missing"));
  EXPECT_TRUE(contains(config.status().message(), "/etc/odscan/console.json"));
}

TEST(ForwarderConfigTest, DnsNameIsRejected) {
  const auto config = parse(R"({"collector": "siem.example.org:514"})");

  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(contains(config.status().message(), "not a DNS name"));
  EXPECT_TRUE(contains(config.status().message(), "syslog.collector"));
}

TEST(ForwarderConfigTest, MissingPortIsRejected) {
  const auto config = parse(R"({"collector": "192.0.2.7"})");

  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(contains(config.status().message(), "the port is missing"));
}

TEST(ForwarderConfigTest, PortOutOfRangeIsRejected) {
  for (const char* collector : {"192.0.2.7:0", "192.0.2.7:65536", "192.0.2.7:5x", "192.0.2.7:"}) {
    const auto config = parse(std::string(R"({"collector": ")") + collector + "\"}");

    ASSERT_FALSE(config.ok()) << collector;
    EXPECT_TRUE(contains(config.status().message(), "from 1 to 65535")) << collector;
  }
}

TEST(ForwarderConfigTest, UnbracketedIpv6IsRejected) {
  const auto config = parse(R"({"collector": "::1:514"})");

  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(contains(config.status().message(), "brackets"));
}

TEST(ForwarderConfigTest, BracketedIpv4IsRejected) {
  const auto config = parse(R"({"collector": "[127.0.0.1]:514"})");

  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(contains(config.status().message(), "IPv6 literal"));
}

TEST(ForwarderConfigTest, UnknownTransportIsRejected) {
  const auto config = parse(R"({"collector": "127.0.0.1:514", "transport": "relp"})");

  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(contains(config.status().message(),
                       R"("syslog.transport" is "relp" but must be "udp", "tcp" or "tls")"));
}

TEST(ForwarderConfigTest, UnknownFormatIsRejected) {
  const auto config = parse(R"({"collector": "127.0.0.1:514", "format": "leef"})");

  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(contains(config.status().message(), R"(must be "rfc5424" or "cef")"));
}

TEST(ForwarderConfigTest, UnknownMemberIsRejected) {
  const auto config = parse(R"({"collector": "127.0.0.1:514", "colector": "x"})");

  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(contains(config.status().message(), "\"syslog.colector\" is not a known member"));
  EXPECT_TRUE(contains(config.status().message(), "collector"));
}

TEST(ForwarderConfigTest, UnknownFacilityIsRejected) {
  const auto config = parse(R"({"collector": "127.0.0.1:514", "facility": "local8"})");

  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(contains(config.status().message(), "local0 to local7"));
}

TEST(ForwarderConfigTest, FacilityCodeOutOfRangeIsRejected) {
  const auto config = parse(R"({"collector": "127.0.0.1:514", "facility": 24})");

  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(contains(config.status().message(), "from 0 to 23"));
}

TEST(ForwarderConfigTest, TlsMembersWithoutTlsAreRejected) {
  const auto config = parse(R"({"collector": "127.0.0.1:514", "ca_file": "ca.pem"})");

  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(contains(config.status().message(), "set \"transport\": \"tls\""));
}

TEST(ForwarderConfigTest, MessageSizeAboveUdpLimitIsRejected) {
  const auto config = parse(R"({"collector": "127.0.0.1:514", "max_message_bytes": 70000})");

  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(contains(config.status().message(), "syslog.max_message_bytes"));
  EXPECT_TRUE(contains(config.status().message(), "from 480 to 65507"));
}

TEST(ForwarderConfigTest, ZeroQueueIsRejected) {
  const auto config = parse(R"({"collector": "127.0.0.1:514", "max_queue": 0})");

  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(contains(config.status().message(), "syslog.max_queue"));
}

TEST(ForwarderConfigTest, NegativeTimeoutIsRejected) {
  const auto config = parse(R"({"collector": "127.0.0.1:514", "connect_timeout_ms": -5})");

  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(contains(config.status().message(), "must be a whole number"));
}

TEST(ForwarderConfigTest, BackoffMinimumAboveMaximumIsRejected) {
  const auto config =
      parse(R"({"collector": "127.0.0.1:514", "reconnect_min_ms": 5000, "reconnect_max_ms": 100})");

  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(contains(config.status().message(), "at most syslog.reconnect_max_ms"));
}

TEST(ForwarderConfigTest, AppNameWithSpaceIsRejected) {
  const auto config = parse(R"({"collector": "127.0.0.1:514", "app_name": "threat mitigator"})");

  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(contains(config.status().message(), "printable ASCII"));
}

TEST(ForwarderConfigTest, WrongTypeIsRejected) {
  const auto config = parse(R"({"collector": 514})");

  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(contains(config.status().message(), "\"syslog.collector\" must be a string"));
}

TEST(ForwarderConfigTest, NonObjectIsRejected) {
  const auto config = parse(R"(["127.0.0.1:514"])");

  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(contains(config.status().message(), "must be a JSON object"));
}

TEST(ForwarderConfigTest, MalformedJsonIsRejected) {
  const auto config = parse(R"({"collector": "127.0.0.1:514",)");

  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(contains(config.status().message(), "not valid JSON"));
}

TEST(ForwarderConfigTest, ConfigBuiltInCodeWithoutCollectorFailsValidation) {
  const Status status = validateForwarderConfig(ForwarderConfig{});

  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace odscan::forwarding
