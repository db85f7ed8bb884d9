#include "odscan/forwarding/console_event.h"

#include <gtest/gtest.h>

namespace odscan::forwarding {
namespace {

using namespace std::chrono_literals;

TEST(ConsoleEventTest, TypeNamesRoundTrip) {
  for (const EventType type :
       {EventType::kSessionStart, EventType::kSessionFinish, EventType::kScanNotStarted,
        EventType::kDetection, EventType::kBypassed, EventType::kNotScanned, EventType::kProblem,
        EventType::kQuarantined, EventType::kQuarantineFailed, EventType::kQuarantineRestored}) {
    const auto parsed = parseEventType(eventTypeName(type));

    ASSERT_TRUE(parsed.ok()) << eventTypeName(type);
    EXPECT_EQ(*parsed, type);
  }
}

TEST(ConsoleEventTest, UnknownTypeIsRejected) {
  const auto parsed = parseEventType("virus");

  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
}

TEST(ConsoleEventTest, SeveritiesMapToSyslogScale) {
  EXPECT_EQ(syslogSeverity(EventSeverity::kCritical), 2);
  EXPECT_EQ(syslogSeverity(EventSeverity::kHigh), 3);
  EXPECT_EQ(syslogSeverity(EventSeverity::kMedium), 4);
  EXPECT_EQ(syslogSeverity(EventSeverity::kLow), 5);
  EXPECT_EQ(syslogSeverity(EventSeverity::kInformational), 6);
}

TEST(ConsoleEventTest, SeveritiesMapToCefScale) {
  EXPECT_EQ(cefSeverity(EventSeverity::kCritical), 10);
  EXPECT_EQ(cefSeverity(EventSeverity::kHigh), 8);
  EXPECT_EQ(cefSeverity(EventSeverity::kMedium), 5);
  EXPECT_EQ(cefSeverity(EventSeverity::kLow), 3);
  EXPECT_EQ(cefSeverity(EventSeverity::kInformational), 1);
}

TEST(ConsoleEventTest, FailedQuarantineIsCritical) {
  EXPECT_EQ(defaultSeverity(EventType::kQuarantineFailed), EventSeverity::kCritical);
  EXPECT_EQ(defaultSeverity(EventType::kDetection), EventSeverity::kHigh);
  EXPECT_EQ(defaultSeverity(EventType::kSessionStart), EventSeverity::kInformational);
}

TEST(ConsoleEventTest, MadeEventHasDefaultSeverityAndTime) {
  const auto before = std::chrono::system_clock::now();

  const ConsoleEvent event = makeConsoleEvent(EventType::kBypassed);

  EXPECT_EQ(event.severity, EventSeverity::kMedium);
  EXPECT_GE(event.receivedAt, before);
}

TEST(ConsoleEventTest, EndpointTimeIsParsed) {
  const auto time = parseEndpointTime("2026-12-04T21:15:00Z");

  ASSERT_TRUE(time.has_value());
  EXPECT_EQ(*time, std::chrono::sys_days(std::chrono::year(2026) / 12 / 4) + 21h + 15min);
}

TEST(ConsoleEventTest, EndpointTimeFractionIsMilliseconds) {
  const auto time = parseEndpointTime("2026-12-04T22:49:25.316789Z");

  ASSERT_TRUE(time.has_value());
  EXPECT_EQ(*time,
            std::chrono::sys_days(std::chrono::year(2026) / 12 / 4) + 22h + 49min + 25s + 316ms);
}

TEST(ConsoleEventTest, MalformedEndpointTimesAreIgnored) {
  for (const char* text :
       {"", "2026-12-04", "2026-12-04T21:15:00", "2026-13-04T21:15:00Z", "2026-02-30T21:15:00Z",
        "2026-12-04T24:00:00Z", "2026-12-04T21:15:00+01:00", "2026-12-04T21:15:00.Z",
        "2026-12-04T21:15:00.12aZ", "1969-12-31T23:59:59Z", "2026-12-04 21:15:00Z",
        "x026-12-04T21:15:00Z"}) {
    EXPECT_FALSE(parseEndpointTime(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace odscan::forwarding
