#include "odscan/forwarding/cef_encoder.h"

#include <gtest/gtest.h>

#include "message_parsing.h"

namespace odscan::forwarding {
namespace {

using namespace std::chrono_literals;
using testing::parseCefRecord;

const std::chrono::system_clock::time_point kReceivedAt{1'796'418'900'250ms};

ConsoleEvent detection() {
  ConsoleEvent event;
  event.type = EventType::kDetection;
  event.severity = EventSeverity::kHigh;
  event.receivedAt = kReceivedAt;
  event.endpointHost = "LAPTOP-42";
  event.endpointIp = "192.0.2.15";
  event.endpointUser = "guest";
  event.sessionId = "3f9c2a1b";
  event.filePath = "C:\\Users\\guest\\Downloads\\setup.exe";
  event.threatName = "Eicar-Test-Signature";
  return event;
}

std::string encode(const ConsoleEvent& event) {
  return CefEncoder("0.1.0", "tm01").encode(event, FieldLimits{});
}

TEST(CefEncoderTest, DetectionMatchesSampleRecord) {
  EXPECT_EQ(encode(detection()),
            "CEF:0|odscan|Threat Mitigator|0.1.0|detection|Threat detected|8|"
            "rt=1796418900250 cat=detection dvchost=tm01 dhost=LAPTOP-42 dst=192.0.2.15 "
            "duser=guest fname=setup.exe filePath=C:\\\\Users\\\\guest\\\\Downloads\\\\setup.exe "
            "cs1=Eicar-Test-Signature cs1Label=Threat Name cs2=3f9c2a1b cs2Label=Scan Session ID");
}

TEST(CefEncoderTest, HeaderEscapesPipeAndBackslash) {
  EXPECT_EQ(escapeCefHeaderField(R"(a|b\c)"), R"(a\|b\\c)");
}

TEST(CefEncoderTest, HeaderTurnsLineBreaksIntoSpaces) {
  EXPECT_EQ(escapeCefHeaderField("a\r\nb"), "a  b");
}

TEST(CefEncoderTest, ExtensionEscapesEqualsBackslashAndLineBreaks) {
  EXPECT_EQ(escapeCefExtensionValue("a=b\\c\r\nd|e"), "a\\=b\\\\c\\r\\nd|e");
}

TEST(CefEncoderTest, HostileValuesCannotAddFields) {
  ConsoleEvent event = detection();
  event.filePath = "C:\\x act=blocked\\setup.exe";
  event.threatName = "Trojan|x cs1Label=Fake";
  event.detail = "line one\nsuser=root = \\";

  const auto record = parseCefRecord(encode(event));

  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->extension.count("act"), 0u);
  EXPECT_EQ(record->extension.count("suser"), 0u);
  EXPECT_EQ(record->extension.at("filePath"), event.filePath);
  EXPECT_EQ(record->extension.at("cs1"), event.threatName);
  EXPECT_EQ(record->extension.at("cs1Label"), "Threat Name");
  EXPECT_EQ(record->extension.at("msg"), event.detail);
}

TEST(CefEncoderTest, ControlCharactersNeverReachRecord) {
  ConsoleEvent event = detection();
  event.detail = std::string("bell\a esc\x1b nul", 14) + '\0';

  const std::string record = encode(event);

  EXPECT_EQ(record.find('\a'), std::string::npos);
  EXPECT_EQ(record.find('\x1b'), std::string::npos);
  EXPECT_EQ(record.find('\0'), std::string::npos);
}

TEST(CefEncoderTest, SeverityMapsToCefScale) {
  ConsoleEvent event = detection();
  event.severity = EventSeverity::kCritical;

  const auto record = parseCefRecord(encode(event));

  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->header[6], "10");
}

TEST(CefEncoderTest, Ipv6AddressUsesCustomIpv6Field) {
  ConsoleEvent event = detection();
  event.endpointIp = "2001:db8::15";

  const auto record = parseCefRecord(encode(event));

  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->extension.count("dst"), 0u);
  EXPECT_EQ(record->extension.at("c6a3"), "2001:db8::15");
}

TEST(CefEncoderTest, InvalidAddressIsKeptAsCustomString) {
  ConsoleEvent event = detection();
  event.endpointIp = "192.0.2.15 dst=10.0.0.1";

  const auto record = parseCefRecord(encode(event));

  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->extension.count("dst"), 0u);
  EXPECT_EQ(record->extension.at("cs3"), event.endpointIp);
}

TEST(CefEncoderTest, FileNameComesFromPosixPathToo) {
  ConsoleEvent event = detection();
  event.filePath = "/home/guest/tools.zip!setup.exe";

  const auto record = parseCefRecord(encode(event));

  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->extension.at("fname"), "tools.zip!setup.exe");
}

TEST(CefEncoderTest, EndpointTimeBecomesEnd) {
  ConsoleEvent event = detection();
  event.endpointTime = kReceivedAt - 1s;

  const auto record = parseCefRecord(encode(event));

  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->extension.at("end"), "1796418899250");
}

TEST(CefEncoderTest, LimitsShortenLongValues) {
  ConsoleEvent event = detection();
  event.filePath = std::string(10'000, 'p');
  FieldLimits limits;
  limits.filePath = 100;

  const auto record = parseCefRecord(CefEncoder("0.1.0", "tm01").encode(event, limits));

  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->extension.at("filePath").size(), 100u);
}

TEST(CefEncoderTest, HalvedLimitsHaveAFloor) {
  FieldLimits limits;
  for (int i = 0; i < 20; ++i) limits = limits.halved();

  EXPECT_EQ(limits.filePath, 16u);
  EXPECT_EQ(limits.host, 16u);
}

}  // namespace
}  // namespace odscan::forwarding
