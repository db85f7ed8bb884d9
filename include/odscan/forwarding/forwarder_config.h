// ForwarderConfig: where and how Threat Mitigator forwards console events as
// syslog. The console's config file embeds it as the JSON object "syslog";
// docs/event-forwarding.md lists the members.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "odscan/common/status.h"
#include "odscan/forwarding/collector_address.h"

namespace odscan::forwarding {

enum class Transport {
  kUdp,  // RFC 5426: one message per datagram, no delivery guarantee
  kTcp,  // RFC 6587 octet counting: "LENGTH SP MESSAGE"
  kTls,  // RFC 5425: octet counting inside TLS 1.2 or later
};

enum class MessageFormat {
  kRfc5424,  // fields in STRUCTURED-DATA, a readable sentence in MSG
  kCef,      // an ArcSight CEF record in MSG, no STRUCTURED-DATA
};

std::string_view transportName(Transport transport);
std::string_view messageFormatName(MessageFormat format);

// The IANA example Private Enterprise Number (RFC 5612). Operators replace it
// with their organization's own number through "enterprise_number".
inline constexpr std::uint32_t kExampleEnterpriseNumber = 32473;

// Syslog's own limit for UDP payloads over IPv4 (65535 minus the IP and UDP
// headers), and the minimum message size RFC 5426 requires receivers to accept.
inline constexpr std::size_t kMaxUdpMessageBytes = 65507;
inline constexpr std::size_t kMinMessageBytes = 480;

struct ForwarderConfig {
  bool enabled = true;
  CollectorAddress collector;
  Transport transport = Transport::kUdp;
  MessageFormat format = MessageFormat::kRfc5424;

  // Syslog facility code 0 to 23 (16 is local0), multiplied by 8 into PRI.
  int facility = 16;
  // ASCII header fields; longer or non-printable values are rejected by parsing.
  std::string appName = "threat-mitigator";
  // The console's host name in the HOSTNAME field; empty means the name
  // gethostname() returns when the forwarder starts.
  std::string hostname;
  // The number after '@' in the STRUCTURED-DATA id "odscan@NUMBER".
  std::uint32_t enterpriseNumber = kExampleEnterpriseNumber;
  // The console's version in CEF's Device Version field; defaults to this build's.
  std::string productVersion;

  // TLS only. caFile lists the certificates (PEM) that may sign the collector's
  // certificate; empty means the system's trust store. serverName is the DNS
  // name the certificate must carry, also sent as SNI. When it is empty, the
  // certificate must carry the collector's host (as an IP address for a literal).
  std::filesystem::path caFile;
  std::string serverName;

  // Events waiting for the collector; further ones are dropped and counted.
  std::size_t maxQueue = 10000;
  // A message longer than this is shortened by truncating its free-text fields.
  // 8 KiB fits every common collector's UDP limit (rsyslog's default is 8 KiB).
  std::size_t maxMessageBytes = 8192;

  std::chrono::milliseconds connectTimeout{std::chrono::seconds(5)};
  // A send that cannot finish in this time closes the connection and retries.
  std::chrono::milliseconds writeTimeout{std::chrono::seconds(10)};
  // Reconnect backoff: doubles after each failure from the first to the maximum.
  std::chrono::milliseconds reconnectMin{std::chrono::milliseconds(500)};
  std::chrono::milliseconds reconnectMax{std::chrono::seconds(30)};
};

// Parses the "syslog" object of the console's config. "collector" is required;
// every other member has the default above. Unknown members are errors, so a
// misspelled one does not silently keep a default. A relative "ca_file" is taken
// from `baseFolder`. Errors fail with kInvalidArgument and name `source`, the
// member and the accepted values.
Result<ForwarderConfig> parseForwarderConfig(const nlohmann::json& object, std::string_view source,
                                             const std::filesystem::path& baseFolder);

// Same, from JSON text. Malformed JSON fails with kInvalidArgument.
Result<ForwarderConfig> parseForwarderConfig(std::string_view json, std::string_view source,
                                             const std::filesystem::path& baseFolder);

// Checks the members that only make sense together (TLS members without tls,
// reconnectMin above reconnectMax, message size over the UDP limit, a collector
// without a port). parseForwarderConfig() calls it; EventForwarder::create()
// calls it again for configs built in code.
Status validateForwarderConfig(const ForwarderConfig& config);

// Returns the facility code for a name ("user", "auth", "local0" ... "local7").
Result<int> parseFacility(std::string_view name);

}  // namespace odscan::forwarding
