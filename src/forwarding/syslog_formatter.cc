#include "odscan/forwarding/syslog_formatter.h"

#include <unistd.h>

#include <array>
#include <cstdio>
#include <ctime>
#include <utility>

#include "odscan/forwarding/untrusted_text.h"

#ifndef ODSCAN_VERSION
#define ODSCAN_VERSION "unknown"
#endif

namespace odscan::forwarding {
namespace {

// RFC 5424 section 6 field limits.
constexpr std::size_t kMaxHostnameLength = 255;
constexpr std::size_t kMaxAppNameLength = 48;
constexpr std::size_t kMaxProcessIdLength = 128;
constexpr std::size_t kMaxMessageIdLength = 32;

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
// Each halving of the field limits takes the default 4096-byte path limit one
// step closer to the 16-byte floor, which 8 steps reach.
constexpr int kMaxShrinkRounds = 9;

// Appends ' name="value"' with the value cleaned, cut to `limit` and escaped.
void appendParam(std::string& element, std::string_view name, std::string_view value,
                 std::size_t limit) {
  const std::string cleaned = cleanUntrustedText(value, limit);
  if (cleaned.empty()) return;
  element += ' ';
  element.append(name);
  element += "=\"";
  element += escapeSdParamValue(cleaned);
  element += '"';
}

// A readable sentence for MSG, for collectors that show only the message text.
std::string sentence(const ConsoleEvent& event, const FieldLimits& limits) {
  std::string text(cefEventName(event.type));
  const std::string host = cleanUntrustedText(event.endpointHost, limits.host);
  if (!host.empty()) text += " on " + host;
  const std::string ip = cleanUntrustedText(event.endpointIp, limits.host);
  if (!ip.empty()) text += " (" + ip + ")";
  const std::string threat = cleanUntrustedText(event.threatName, limits.threatName);
  if (!threat.empty()) text += ": " + threat;
  const std::string path = cleanUntrustedText(event.filePath, limits.filePath);
  if (!path.empty()) text += " in " + path;
  const std::string detail = cleanUntrustedText(event.detail, limits.detail);
  if (!detail.empty()) text += "; " + detail;
  return text;
}

}  // namespace

SyslogFormatter::SyslogFormatter(const ForwarderConfig& config, std::string hostname,
                                 long processId)
    : format_(config.format),
      facility_(config.facility),
      maxMessageBytes_(config.maxMessageBytes),
      hostname_(asciiHeaderField(hostname, kMaxHostnameLength)),
      appName_(asciiHeaderField(config.appName, kMaxAppNameLength)),
      processId_(asciiHeaderField(std::to_string(processId), kMaxProcessIdLength)),
      sdId_("odscan@" + std::to_string(config.enterpriseNumber)),
      cef_(config.productVersion.empty() ? std::string(ODSCAN_VERSION) : config.productVersion,
           std::move(hostname)) {}

std::string SyslogFormatter::format(const ConsoleEvent& event) const {
  FieldLimits limits;
  for (int round = 0; round < kMaxShrinkRounds; ++round) {
    std::string message = formatWith(event, limits);
    if (message.size() <= maxMessageBytes_) return message;
    limits = limits.halved();
  }

  // Only a maxMessageBytes near its 480-byte minimum with a long HOSTNAME gets
  // here. The cut may end STRUCTURED-DATA early, but a message never contains a
  // line break, so the frame stays intact.
  const std::string message = formatWith(event, limits);
  return std::string(utf8Prefix(message, maxMessageBytes_));
}

std::string SyslogFormatter::formatWith(const ConsoleEvent& event,
                                        const FieldLimits& limits) const {
  const int priority = syslogPriority(facility_, syslogSeverity(event.severity));
  const std::string messageId = asciiHeaderField(eventTypeName(event.type), kMaxMessageIdLength);

  std::string message = "<" + std::to_string(priority) + ">1 ";
  message += formatSyslogTimestamp(event.receivedAt) + ' ';
  message += hostname_ + ' ' + appName_ + ' ' + processId_ + ' ' + messageId + ' ';

  if (format_ == MessageFormat::kCef) {
    message += "- ";
    message += cef_.encode(event, limits);
    return message;
  }

  message += structuredData(event, limits);
  message += ' ';
  message += kByteOrderMark;
  message += sentence(event, limits);
  return message;
}

std::string SyslogFormatter::structuredData(const ConsoleEvent& event,
                                            const FieldLimits& limits) const {
  std::string element = "[" + sdId_;
  appendParam(element, "type", eventTypeName(event.type), kMaxMessageIdLength);
  appendParam(element, "severity", severityName(event.severity), kMaxMessageIdLength);
  appendParam(element, "endpointHost", event.endpointHost, limits.host);
  appendParam(element, "endpointIp", event.endpointIp, limits.host);
  appendParam(element, "endpointUser", event.endpointUser, limits.user);
  appendParam(element, "sessionId", event.sessionId, limits.sessionId);
  if (event.endpointTime) {
    appendParam(element, "endpointTime", formatSyslogTimestamp(*event.endpointTime), 64);
  }
  appendParam(element, "threatName", event.threatName, limits.threatName);
  appendParam(element, "filePath", event.filePath, limits.filePath);
  appendParam(element, "detail", event.detail, limits.detail);
  element += ']';
  return element;
}

int syslogPriority(int facility, int severity) { return facility * 8 + severity; }

std::string formatSyslogTimestamp(std::chrono::system_clock::time_point time) {
  const auto milliseconds =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(milliseconds / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);

  std::array<char, 40> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                utc.tm_sec, static_cast<int>(milliseconds % 1000));
  return buffer.data();
}

std::string escapeSdParamValue(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (const char c : text) {
    if (c == '"' || c == '\\' || c == ']') escaped += '\\';
    escaped += c;
  }
  return escaped;
}

std::string octetCountedFrame(std::string_view message) {
  std::string frame = std::to_string(message.size());
  frame += ' ';
  frame.append(message);
  return frame;
}

std::string localHostName() {
  std::array<char, 256> buffer{};
  if (gethostname(buffer.data(), buffer.size() - 1) != 0 || buffer[0] == '\0') return "-";
  return buffer.data();
}

}  // namespace odscan::forwarding
