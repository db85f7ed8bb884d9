// Minimal RFC 5424 and CEF readers for the forwarding tests: they split what
// the formatters wrote back into fields and undo the escaping, so tests can
// check that hostile values travel intact and cannot add fields.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace odscan::forwarding::testing {

struct SyslogMessage {
  std::string priority;  // the digits inside <>
  std::string version;
  std::string timestamp;
  std::string hostname;
  std::string appName;
  std::string processId;
  std::string messageId;
  std::string sdId;                           // empty when STRUCTURED-DATA is "-"
  std::map<std::string, std::string> params;  // unescaped values
  std::string message;                        // MSG, including any byte order mark
};

// Returns nullopt when `text` does not follow the RFC 5424 grammar for one
// message with at most one SD-ELEMENT.
std::optional<SyslogMessage> parseSyslogMessage(std::string_view text);

struct CefRecord {
  std::vector<std::string> header;               // 7 unescaped fields after "CEF:"
  std::map<std::string, std::string> extension;  // unescaped values
};

std::optional<CefRecord> parseCefRecord(std::string_view text);

}  // namespace odscan::forwarding::testing
