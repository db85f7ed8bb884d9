#include "odscan/forwarding/console_event.h"

#include <array>
#include <charconv>
#include <utility>

namespace odscan::forwarding {
namespace {

constexpr std::array<std::pair<EventType, std::string_view>, 10> kTypeNames = {{
    {EventType::kSessionStart, "session_start"},
    {EventType::kSessionFinish, "session_finish"},
    {EventType::kScanNotStarted, "scan_not_started"},
    {EventType::kDetection, "detection"},
    {EventType::kBypassed, "bypassed"},
    {EventType::kNotScanned, "not_scanned"},
    {EventType::kProblem, "problem"},
    {EventType::kQuarantined, "quarantined"},
    {EventType::kQuarantineFailed, "quarantine_failed"},
    {EventType::kQuarantineRestored, "quarantine_restored"},
}};

// Reads exactly `width` digits at `position`; returns -1 when they are not digits.
int readDigits(std::string_view text, std::size_t position, std::size_t width) {
  if (position + width > text.size()) return -1;
  int value = 0;
  const char* begin = text.data() + position;
  const auto [end, error] = std::from_chars(begin, begin + width, value);
  if (error != std::errc() || end != begin + width) return -1;
  return value;
}

}  // namespace

std::string_view eventTypeName(EventType type) {
  for (const auto& [candidate, name] : kTypeNames) {
    if (candidate == type) return name;
  }
  return "unknown";
}

Result<EventType> parseEventType(std::string_view name) {
  for (const auto& [type, candidate] : kTypeNames) {
    if (candidate == name) return type;
  }
  return Status(StatusCode::kInvalidArgument,
                "unknown console event type \"" + std::string(name) +
                    "\"; expected session_start, session_finish, scan_not_started, detection, "
                    "bypassed, not_scanned, problem, quarantined, quarantine_failed or "
                    "quarantine_restored");
}

std::string_view severityName(EventSeverity severity) {
  switch (severity) {
    case EventSeverity::kInformational:
      return "informational";
    case EventSeverity::kLow:
      return "low";
    case EventSeverity::kMedium:
      return "medium";
    case EventSeverity::kHigh:
      return "high";
    case EventSeverity::kCritical:
      return "critical";
  }
  return "unknown";
}

EventSeverity defaultSeverity(EventType type) {
  switch (type) {
    case EventType::kSessionStart:
    case EventType::kSessionFinish:
      return EventSeverity::kInformational;
    case EventType::kNotScanned:
    case EventType::kProblem:
      return EventSeverity::kLow;
    case EventType::kScanNotStarted:
    case EventType::kBypassed:
    case EventType::kQuarantined:
    case EventType::kQuarantineRestored:
      return EventSeverity::kMedium;
    case EventType::kDetection:
      return EventSeverity::kHigh;
    case EventType::kQuarantineFailed:
      // The threat remains on the endpoint.
      return EventSeverity::kCritical;
  }
  return EventSeverity::kLow;
}

int syslogSeverity(EventSeverity severity) {
  switch (severity) {
    case EventSeverity::kCritical:
      return 2;
    case EventSeverity::kHigh:
      return 3;
    case EventSeverity::kMedium:
      return 4;
    case EventSeverity::kLow:
      return 5;
    case EventSeverity::kInformational:
      return 6;
  }
  return 5;
}

int cefSeverity(EventSeverity severity) {
  switch (severity) {
    case EventSeverity::kCritical:
      return 10;
    case EventSeverity::kHigh:
      return 8;
    case EventSeverity::kMedium:
      return 5;
    case EventSeverity::kLow:
      return 3;
    case EventSeverity::kInformational:
      return 1;
  }
  return 3;
}

ConsoleEvent makeConsoleEvent(EventType type) {
  ConsoleEvent event;
  event.type = type;
  event.severity = defaultSeverity(type);
  event.receivedAt = std::chrono::system_clock::now();
  return event;
}

std::optional<std::chrono::system_clock::time_point> parseEndpointTime(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fraction]Z
  if (text.size() < 20 || text.back() != 'Z' || text[4] != '-' || text[7] != '-' ||
      text[10] != 'T' || text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  const int year = readDigits(text, 0, 4);
  const int month = readDigits(text, 5, 2);
  const int day = readDigits(text, 8, 2);
  const int hour = readDigits(text, 11, 2);
  const int minute = readDigits(text, 14, 2);
  const int second = readDigits(text, 17, 2);
  if (year < 1970 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 ||
      second > 60) {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{std::chrono::year(year),
                                         std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  if (month < 1 || day < 1 || !date.ok()) return std::nullopt;

  // Fraction: 1 to 9 digits after '.', read as milliseconds.
  std::chrono::milliseconds fraction{0};
  const std::string_view rest = text.substr(19, text.size() - 20);
  if (!rest.empty()) {
    if (rest.front() != '.' || rest.size() < 2 || rest.size() > 10) return std::nullopt;
    int scale = 100;
    for (std::size_t i = 1; i < rest.size(); ++i) {
      if (rest[i] < '0' || rest[i] > '9') return std::nullopt;
      fraction += std::chrono::milliseconds((rest[i] - '0') * scale);
      scale /= 10;
    }
  }

  const std::chrono::sys_days days(date);
  return std::chrono::system_clock::time_point(days) + std::chrono::hours(hour) +
         std::chrono::minutes(minute) + std::chrono::seconds(second) + fraction;
}

}  // namespace odscan::forwarding
