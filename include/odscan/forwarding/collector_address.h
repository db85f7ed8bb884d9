// CollectorAddress: the "host:port" of the syslog collector that Threat
// Mitigator forwards events to.
//
// Thread safety: a plain value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "odscan/common/status.h"

namespace odscan::forwarding {

struct CollectorAddress {
  // An IPv4 or IPv6 literal without brackets ("192.0.2.7", "::1"), or "localhost".
  std::string host;
  std::uint16_t port = 0;

  // Returns "192.0.2.7:6514", "[::1]:6514" or "localhost:6514".
  std::string toString() const;

  // Returns true when `host` is an IP literal, false for "localhost".
  bool isIpLiteral() const;

  // Returns the IP literal to connect to: `host` itself, or "127.0.0.1" for
  // "localhost".
  std::string connectHost() const;

  // Parses "HOST:PORT" where HOST is an IPv4 literal, a bracketed IPv6 literal
  // ("[::1]:6514") or "localhost", and PORT is 1 to 65535. DNS names are rejected
  // so that forwarding never waits on a resolver and cannot be redirected by one.
  // Fails with kInvalidArgument naming `text`.
  static Result<CollectorAddress> parse(std::string_view text);
};

}  // namespace odscan::forwarding
