#include "odscan/scanner/formatting.h"

#include <fmt/format.h>

#include <array>
#include <ctime>

namespace odscan::scanner {
namespace {

std::tm utcCalendarTime(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm calendar{};
#ifdef _WIN32
  gmtime_s(&calendar, &seconds);
#else
  gmtime_r(&seconds, &calendar);
#endif
  return calendar;
}

}  // namespace

std::string formatBytes(std::uint64_t bytes) {
  static constexpr std::array<const char*, 5> kUnits = {"KiB", "MiB", "GiB", "TiB", "PiB"};
  if (bytes < 1024) return fmt::format("{} B", bytes);

  double value = static_cast<double>(bytes) / 1024.0;
  std::size_t unit = 0;
  while (value >= 1024.0 && unit + 1 < kUnits.size()) {
    value /= 1024.0;
    ++unit;
  }
  return fmt::format("{:.1f} {}", value, kUnits[unit]);
}

std::string formatRate(std::uint64_t bytes, std::chrono::milliseconds elapsed) {
  if (elapsed.count() <= 0) return "-";
  const double perSecond =
      static_cast<double>(bytes) * 1000.0 / static_cast<double>(elapsed.count());
  return formatBytes(static_cast<std::uint64_t>(perSecond)) + "/s";
}

std::string formatSeconds(std::chrono::milliseconds elapsed) {
  return fmt::format("{:.2f} s", static_cast<double>(elapsed.count()) / 1000.0);
}

std::string formatUtcTimestamp(std::chrono::system_clock::time_point time) {
  const std::tm calendar = utcCalendarTime(time);
  const auto sinceEpoch = time.time_since_epoch();
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(sinceEpoch).count() % 1000;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", calendar.tm_year + 1900,
                     calendar.tm_mon + 1, calendar.tm_mday, calendar.tm_hour, calendar.tm_min,
                     calendar.tm_sec, millis < 0 ? millis + 1000 : millis);
}

std::string formatUtcCompact(std::chrono::system_clock::time_point time) {
  const std::tm calendar = utcCalendarTime(time);
  return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z", calendar.tm_year + 1900,
                     calendar.tm_mon + 1, calendar.tm_mday, calendar.tm_hour, calendar.tm_min,
                     calendar.tm_sec);
}

std::string formatCount(std::uint64_t count, std::string_view singular, std::string_view plural) {
  return fmt::format("{} {}", count, count == 1 ? singular : plural);
}

std::string elideMiddle(const std::string& text, std::size_t maxLength) {
  static constexpr std::string_view kEllipsis = "...";
  if (text.size() <= maxLength) return text;
  if (maxLength <= kEllipsis.size()) return text.substr(text.size() - maxLength);

  // Keep more of the end, because the file name is what changes from line to line.
  const std::size_t kept = maxLength - kEllipsis.size();
  const std::size_t head = kept / 3;
  const std::size_t tail = kept - head;
  return text.substr(0, head) + std::string(kEllipsis) + text.substr(text.size() - tail);
}

}  // namespace odscan::scanner
