#include "odscan/forwarding/syslog_formatter.h"

#include <gtest/gtest.h>

#include "message_parsing.h"

namespace odscan::forwarding {
namespace {

using namespace std::chrono_literals;
using testing::parseSyslogMessage;

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

// 2026-12-04T21:15:00.250Z
const std::chrono::system_clock::time_point kReceivedAt =
    std::chrono::sys_days(std::chrono::year(2026) / 12 / 4) + 21h + 15min + 250ms;

ForwarderConfig testConfig(MessageFormat format = MessageFormat::kRfc5424) {
  ForwarderConfig config;
  config.collector = CollectorAddress{"127.0.0.1", 5514};
  config.format = format;
  config.productVersion = "0.1.0";
  return config;
}

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

std::string format(const ConsoleEvent& event, const ForwarderConfig& config = testConfig()) {
  return SyslogFormatter(config, "tm01", 4242).format(event);
}

TEST(SyslogFormatterTest, DetectionMatchesSampleLine) {
  const std::string expected =
      "<131>1 2026-12-04T21:15:00.250Z tm01 threat-mitigator 4242 detection "
      "[odscan@32473 type=\"detection\" severity=\"high\" endpointHost=\"LAPTOP-42\" "
      "endpointIp=\"192.0.2.15\" endpointUser=\"guest\" sessionId=\"3f9c2a1b\" "
      "threatName=\"Eicar-Test-Signature\" "
      "filePath=\"C:\\\\Users\\\\guest\\\\Downloads\\\\setup.exe\"] " +
      std::string(kByteOrderMark) +
      "Threat detected on LAPTOP-42 (192.0.2.15): Eicar-Test-Signature in "
      "C:\\Users\\guest\\Downloads\\setup.exe";

  EXPECT_EQ(format(detection()), expected);
}

TEST(SyslogFormatterTest, PriorityCombinesFacilityAndSeverity) {
  EXPECT_EQ(syslogPriority(16, 3), 131);
  EXPECT_EQ(syslogPriority(0, 0), 0);
  EXPECT_EQ(syslogPriority(23, 7), 191);
}

TEST(SyslogFormatterTest, PriorityFollowsConfiguredFacility) {
  ForwarderConfig config = testConfig();
  config.facility = 13;
  ConsoleEvent event = detection();
  event.severity = EventSeverity::kCritical;

  const auto message = parseSyslogMessage(format(event, config));

  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(message->priority, "106");  // 13 * 8 + 2
}

TEST(SyslogFormatterTest, TimestampHasMillisecondsAndZulu) {
  EXPECT_EQ(formatSyslogTimestamp(kReceivedAt), "2026-12-04T21:15:00.250Z");
  EXPECT_EQ(formatSyslogTimestamp(std::chrono::system_clock::time_point{}),
            "1970-01-01T00:00:00.000Z");
}

TEST(SyslogFormatterTest, EndpointTimeIsAParameter) {
  ConsoleEvent event = detection();
  event.endpointTime = kReceivedAt - 2h;

  const auto message = parseSyslogMessage(format(event));

  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(message->params.at("endpointTime"), "2026-12-04T19:15:00.250Z");
}

TEST(SyslogFormatterTest, SdParamValueEscapesQuoteBackslashBracket) {
  EXPECT_EQ(escapeSdParamValue(R"(a"b\c]d)"), R"(a\"b\\c\]d)");
}

TEST(SyslogFormatterTest, EnterpriseNumberFormsSdId) {
  ForwarderConfig config = testConfig();
  config.enterpriseNumber = 99999;

  const auto message = parseSyslogMessage(format(detection(), config));

  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(message->sdId, "odscan@99999");
}

TEST(SyslogFormatterTest, MessageStartsWithByteOrderMark) {
  const auto message = parseSyslogMessage(format(detection()));

  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(message->message.substr(0, 3), kByteOrderMark);
}

TEST(SyslogFormatterTest, HostileValuesTravelIntact) {
  ConsoleEvent event = detection();
  event.filePath = R"(C:\evil"] [odscan@32473 type="forged"]\x.exe)";
  event.threatName = "a]b\"c\\";
  event.detail = "key=value|pipe";

  const auto message = parseSyslogMessage(format(event));

  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(message->params.at("filePath"), event.filePath);
  EXPECT_EQ(message->params.at("threatName"), event.threatName);
  EXPECT_EQ(message->params.at("detail"), event.detail);
  EXPECT_EQ(message->params.at("type"), "detection");
}

TEST(SyslogFormatterTest, NewlinesCannotStartAnotherMessage) {
  ConsoleEvent event = detection();
  event.endpointHost = "LAPTOP\n<14>1 2026-12-04T00:00:00Z forged app - - - fake";
  event.filePath = "a\r\nb";
  event.detail = "one\ntwo";

  const std::string text = format(event);

  EXPECT_EQ(text.find('\n'), std::string::npos);
  EXPECT_EQ(text.find('\r'), std::string::npos);
  const auto message = parseSyslogMessage(text);
  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(message->params.at("filePath"), "a  b");
}

TEST(SyslogFormatterTest, NonAsciiEndpointValuesStayUtf8) {
  ConsoleEvent event = detection();
  event.endpointHost = "\xE5\x8F\xB0\xE5\x8C\x97-PC";
  event.filePath = "C:\\Users\\J\xC3\xBCrgen\\\xD1\x84\xD0\xB0\xD0\xB9\xD0\xBB.exe";

  const auto message = parseSyslogMessage(format(event));

  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(message->params.at("endpointHost"), event.endpointHost);
  EXPECT_EQ(message->params.at("filePath"), event.filePath);
}

TEST(SyslogFormatterTest, HeaderFieldsStayAscii) {
  const auto message = parseSyslogMessage(SyslogFormatter(testConfig(),
                                                          "tm \xC3\xBC"
                                                          "01",
                                                          7)
                                              .format(detection()));

  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(message->hostname, "tm___01");
}

TEST(SyslogFormatterTest, EmptyValuesAreLeftOut) {
  ConsoleEvent event = detection();
  event.threatName.clear();
  event.filePath.clear();

  const auto message = parseSyslogMessage(format(event));

  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(message->params.count("threatName"), 0u);
  EXPECT_EQ(message->params.count("filePath"), 0u);
  EXPECT_EQ(message->params.count("detail"), 0u);
}

TEST(SyslogFormatterTest, VeryLongFieldsFitMaxMessageBytes) {
  ConsoleEvent event = detection();
  event.filePath = std::string(100'000, 'p');
  event.detail = std::string(100'000, ']');
  event.threatName = std::string(5000, '"');

  const std::string text = format(event);

  EXPECT_LE(text.size(), 8192u);
  const auto message = parseSyslogMessage(text);
  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(message->params.at("filePath").substr(message->params.at("filePath").size() - 3),
            "...");
}

TEST(SyslogFormatterTest, SmallestMessageLimitIsKept) {
  ForwarderConfig config = testConfig();
  config.maxMessageBytes = kMinMessageBytes;
  ConsoleEvent event = detection();
  event.filePath = std::string(5000, '\\');

  const std::string text = format(event, config);

  EXPECT_LE(text.size(), kMinMessageBytes);
  EXPECT_TRUE(parseSyslogMessage(text).has_value());
}

TEST(SyslogFormatterTest, CutKeepsUtf8Valid) {
  ConsoleEvent event = detection();
  std::string path;
  for (int i = 0; i < 5000; ++i) path += "\xE6\x96\x87";
  event.filePath = path;

  const std::string text = format(event);

  EXPECT_LE(text.size(), 8192u);
  const auto message = parseSyslogMessage(text);
  ASSERT_TRUE(message.has_value());
  const std::string& shortened = message->params.at("filePath");
  EXPECT_EQ((shortened.size() - 3) % 3, 0u);
}

TEST(SyslogFormatterTest, CefFormatPutsRecordInMessage) {
  const auto message = parseSyslogMessage(format(detection(), testConfig(MessageFormat::kCef)));

  ASSERT_TRUE(message.has_value());
  EXPECT_TRUE(message->sdId.empty());
  EXPECT_EQ(message->message.substr(0, 39), "CEF:0|odscan|Threat Mitigator|0.1.0|det");
}

TEST(SyslogFormatterTest, CefFormatFitsMaxMessageBytes) {
  ConsoleEvent event = detection();
  event.filePath = std::string(100'000, '=');

  const std::string text = format(event, testConfig(MessageFormat::kCef));

  EXPECT_LE(text.size(), 8192u);
}

TEST(SyslogFormatterTest, OctetCountedFrameCountsBytes) {
  EXPECT_EQ(octetCountedFrame("abc"), "3 abc");
  EXPECT_EQ(octetCountedFrame("\xC3\xBC"), "2 \xC3\xBC");
}

}  // namespace
}  // namespace odscan::forwarding
