// SyslogFormatter: turns a ConsoleEvent into one RFC 5424 syslog message,
//   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG
// without the transport's framing (see octetCountedFrame()).
//
// In the rfc5424 format the event's members go into the STRUCTURED-DATA element
// "odscan@NUMBER" and MSG is a sentence in UTF-8 that starts with a byte order
// mark, as RFC 5424 section 6.4 requires. In the cef format STRUCTURED-DATA is "-"
// and MSG is the CEF record without a byte order mark, because CEF parsers
// expect "CEF:" first.
//
// Every message is at most ForwarderConfig::maxMessageBytes long: the untrusted
// members are shortened until it fits.
//
// Thread safety: const methods may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "odscan/forwarding/cef_encoder.h"
#include "odscan/forwarding/console_event.h"
#include "odscan/forwarding/forwarder_config.h"

namespace odscan::forwarding {

class SyslogFormatter {
 public:
  // `config` must pass validateForwarderConfig(). `hostname` is the console's
  // name for the HOSTNAME field and `processId` goes into PROCID.
  SyslogFormatter(const ForwarderConfig& config, std::string hostname, long processId);

  std::string format(const ConsoleEvent& event) const;

 private:
  std::string formatWith(const ConsoleEvent& event, const FieldLimits& limits) const;
  std::string structuredData(const ConsoleEvent& event, const FieldLimits& limits) const;

  MessageFormat format_;
  int facility_;
  std::size_t maxMessageBytes_;
  std::string hostname_;
  std::string appName_;
  std::string processId_;
  std::string sdId_;
  CefEncoder cef_;
};

// Returns facility * 8 + severity, the number inside "<PRI>".
int syslogPriority(int facility, int severity);

// Returns an RFC 3339 UTC time with milliseconds, "2026-12-04T21:15:00.123Z".
std::string formatSyslogTimestamp(std::chrono::system_clock::time_point time);

// Escapes '"', '\' and ']' with a backslash for an SD-PARAM value.
std::string escapeSdParamValue(std::string_view text);

// Returns the RFC 6587 octet-counted frame "LENGTH SP MESSAGE" for TCP and TLS.
std::string octetCountedFrame(std::string_view message);

// Returns this host's name from gethostname(), or "-" when it fails.
std::string localHostName();

}  // namespace odscan::forwarding
