#include "odscan/forwarding/cef_encoder.h"

#include <arpa/inet.h>

#include <algorithm>
#include <utility>

#include "odscan/forwarding/untrusted_text.h"

namespace odscan::forwarding {
namespace {

constexpr std::size_t kMinFieldLimit = 16;

std::int64_t millisecondsSinceEpoch(std::chrono::system_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

bool isIpv4(const std::string& text) {
  in_addr address{};
  return inet_pton(AF_INET, text.c_str(), &address) == 1;
}

bool isIpv6(const std::string& text) {
  in6_addr address{};
  return inet_pton(AF_INET6, text.c_str(), &address) == 1;
}

// Returns the part after the last '\' or '/', so Windows and POSIX paths both work.
std::string_view baseName(std::string_view path) {
  const std::size_t separator = path.find_last_of("\\/");
  return separator == std::string_view::npos ? path : path.substr(separator + 1);
}

// Appends " key=value" with the value cleaned, cut to `limit` and escaped;
// skips empty values, because CEF parsers read "key=" as a present empty field.
class Extension {
 public:
  void add(std::string_view key, std::string_view value, std::size_t limit) {
    const std::string cleaned = cleanUntrustedText(value, limit, LineBreaks::kKeep);
    if (cleaned.empty()) return;
    addRaw(key, escapeCefExtensionValue(cleaned));
  }

  void addRaw(std::string_view key, std::string_view escapedValue) {
    if (!text_.empty()) text_ += ' ';
    text_.append(key);
    text_ += '=';
    text_.append(escapedValue);
  }

  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

}  // namespace

FieldLimits FieldLimits::halved() const {
  const auto half = [](std::size_t limit) { return std::max(limit / 2, kMinFieldLimit); };
  return FieldLimits{half(host),     half(user),       half(sessionId),
                     half(filePath), half(threatName), half(detail)};
}

CefEncoder::CefEncoder(std::string productVersion, std::string consoleHost)
    : productVersion_(std::move(productVersion)), consoleHost_(std::move(consoleHost)) {}

std::string CefEncoder::encode(const ConsoleEvent& event, const FieldLimits& limits) const {
  Extension extension;
  extension.addRaw("rt", std::to_string(millisecondsSinceEpoch(event.receivedAt)));
  if (event.endpointTime) {
    extension.addRaw("end", std::to_string(millisecondsSinceEpoch(*event.endpointTime)));
  }
  extension.addRaw("cat", eventTypeName(event.type));
  extension.add("dvchost", consoleHost_, limits.host);
  extension.add("dhost", event.endpointHost, limits.host);

  // dst takes only IPv4; an IPv6 address goes into the custom IPv6 field, and a
  // value that is no address at all stays visible as a custom string.
  if (isIpv4(event.endpointIp)) {
    extension.addRaw("dst", event.endpointIp);
  } else if (isIpv6(event.endpointIp)) {
    extension.addRaw("c6a3", event.endpointIp);
    extension.addRaw("c6a3Label", "Endpoint IPv6 Address");
  } else if (!event.endpointIp.empty()) {
    extension.add("cs3", event.endpointIp, limits.host);
    extension.addRaw("cs3Label", "Endpoint Address As Reported");
  }

  extension.add("duser", event.endpointUser, limits.user);
  extension.add("fname", baseName(event.filePath), limits.filePath);
  extension.add("filePath", event.filePath, limits.filePath);
  if (!event.threatName.empty()) {
    extension.add("cs1", event.threatName, limits.threatName);
    extension.addRaw("cs1Label", "Threat Name");
  }
  if (!event.sessionId.empty()) {
    extension.add("cs2", event.sessionId, limits.sessionId);
    extension.addRaw("cs2Label", "Scan Session ID");
  }
  extension.add("msg", event.detail, limits.detail);

  std::string record = "CEF:0|odscan|Threat Mitigator|";
  record += escapeCefHeaderField(productVersion_) + '|';
  record += escapeCefHeaderField(eventTypeName(event.type)) + '|';
  record += escapeCefHeaderField(cefEventName(event.type)) + '|';
  record += std::to_string(cefSeverity(event.severity)) + '|';
  record += extension.text();
  return record;
}

std::string escapeCefHeaderField(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (const char c : text) {
    if (c == '\\' || c == '|') {
      escaped += '\\';
      escaped += c;
    } else if (c == '\r' || c == '\n') {
      escaped += ' ';
    } else {
      escaped += c;
    }
  }
  return escaped;
}

std::string escapeCefExtensionValue(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (const char c : text) {
    if (c == '\\' || c == '=') {
      escaped += '\\';
      escaped += c;
    } else if (c == '\r') {
      escaped += "\\r";
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

std::string_view cefEventName(EventType type) {
  switch (type) {
    case EventType::kSessionStart:
      return "Scan session started";
    case EventType::kSessionFinish:
      return "Scan session finished";
    case EventType::kScanNotStarted:
      return "Scan did not start";
    case EventType::kDetection:
      return "Threat detected";
    case EventType::kBypassed:
      return "File bypassed";
    case EventType::kNotScanned:
      return "File not scanned";
    case EventType::kProblem:
      return "Scan problem";
    case EventType::kQuarantined:
      return "Threat quarantined";
    case EventType::kQuarantineFailed:
      return "Quarantine failed";
    case EventType::kQuarantineRestored:
      return "Quarantined file restored";
  }
  return "Console event";
}

}  // namespace odscan::forwarding
