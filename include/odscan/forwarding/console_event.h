// ConsoleEvent: one event that Threat Mitigator forwards to the syslog
// collector, built from what a scanner uploaded (events.jsonl, report.json) or
// from the console's own session bookkeeping.
//
// Every text member may come from an endpoint and is untrusted: the formatters
// clean, escape and shorten it, so callers pass it through unchanged.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "odscan/common/status.h"

namespace odscan::forwarding {

enum class EventType {
  kSessionStart,        // a scanner registered a session
  kSessionFinish,       // a session's report arrived (outcome in `detail`)
  kScanNotStarted,      // the scan did not start (no server, pattern error, disk space)
  kDetection,           // a file or archive member contains a threat
  kBypassed,            // a file needing a scan query was bypassed, servers lost
  kNotScanned,          // a file could not be read or exceeded a limit
  kProblem,             // an engine problem (loop, missing root, cancelled)
  kQuarantined,         // an infected file was moved to quarantine
  kQuarantineFailed,    // quarantining failed, so the threat is still in place
  kQuarantineRestored,  // a quarantined file was restored on the endpoint
};

// Urgency of an event for the administrator. Each type has a default
// (defaultSeverity()); the console may raise or lower it.
enum class EventSeverity {
  kInformational,
  kLow,
  kMedium,
  kHigh,
  kCritical,
};

struct ConsoleEvent {
  EventType type = EventType::kProblem;
  EventSeverity severity = EventSeverity::kLow;

  // When the console received the event: the syslog TIMESTAMP and CEF "rt".
  std::chrono::system_clock::time_point receivedAt;
  // The endpoint's own time for the event, from its clock, which may be wrong.
  std::optional<std::chrono::system_clock::time_point> endpointTime;

  std::string endpointHost;
  std::string endpointIp;  // as reported; need not be a valid address
  std::string endpointUser;
  std::string sessionId;
  std::string filePath;    // display path, for example "C:\\x\\a.zip!b.exe"
  std::string threatName;  // empty unless the event concerns a threat
  std::string detail;      // reason, outcome or error message
};

// Returns the event's name in MSGID, STRUCTURED-DATA and CEF, such as
// "detection" or "quarantine_failed".
std::string_view eventTypeName(EventType type);
Result<EventType> parseEventType(std::string_view name);

// Returns "informational", "low", "medium", "high" or "critical".
std::string_view severityName(EventSeverity severity);

EventSeverity defaultSeverity(EventType type);

// Syslog severity (RFC 5424 table 2): critical 2, high 3 (error), medium 4
// (warning), low 5 (notice), informational 6.
int syslogSeverity(EventSeverity severity);

// CEF severity 0 to 10: critical 10, high 8, medium 5, low 3, informational 1.
int cefSeverity(EventSeverity severity);

// Builds an event of `type` with its default severity, received now.
ConsoleEvent makeConsoleEvent(EventType type);

// Parses the ISO 8601 UTC times that scanners write ("2026-12-04T21:15:00Z",
// optionally with fractional seconds). Returns nullopt for anything else,
// because an endpoint's time is informational and a bad one must not block
// forwarding.
std::optional<std::chrono::system_clock::time_point> parseEndpointTime(std::string_view text);

}  // namespace odscan::forwarding
