// CefEncoder: writes a ConsoleEvent as an ArcSight Common Event Format record,
//   CEF:0|odscan|Threat Mitigator|VERSION|SIGNATURE_ID|NAME|SEVERITY|EXTENSION
// which the syslog formatter places in the MSG part of a syslog message.
//
// Escaping follows ArcSight's CEF rules, as rsyslog's tocef() and
// cef_ext_escape() also apply them: in header fields '\' and '|' get a backslash; in extension
// values '\' and '=' get a backslash and CR and LF become "\r" and "\n". Other
// control characters never reach the record, because cleanUntrustedText()
// replaces them first.
//
// Thread safety: const methods may be called from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "odscan/forwarding/console_event.h"

namespace odscan::forwarding {

// Maximum bytes of each untrusted member before escaping. The formatters halve
// them until a message fits ForwarderConfig::maxMessageBytes.
struct FieldLimits {
  std::size_t host = 255;
  std::size_t user = 256;
  std::size_t sessionId = 128;
  std::size_t filePath = 4096;
  std::size_t threatName = 256;
  std::size_t detail = 2048;

  // Returns limits of half the size, but at least 16 bytes each.
  FieldLimits halved() const;
};

class CefEncoder {
 public:
  // `productVersion` and `consoleHost` come from our own config.
  CefEncoder(std::string productVersion, std::string consoleHost);

  // Returns the CEF record of `event`, with each untrusted member cut to `limits`.
  std::string encode(const ConsoleEvent& event, const FieldLimits& limits) const;

 private:
  std::string productVersion_;
  std::string consoleHost_;
};

// Escapes '\' and '|' for a CEF header field; CR and LF become spaces, because
// the header has no escape for them.
std::string escapeCefHeaderField(std::string_view text);

// Escapes '\', '=', CR and LF for a CEF extension value.
std::string escapeCefExtensionValue(std::string_view text);

// Returns the display name of an event type in CEF's Name field, such as
// "Threat detected".
std::string_view cefEventName(EventType type);

}  // namespace odscan::forwarding
