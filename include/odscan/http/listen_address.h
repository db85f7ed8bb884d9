// ListenAddress: the "host:port" a server binds, parsed from configuration text.
//
// Thread safety: a plain value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "odscan/common/status.h"

namespace odscan::http {

struct ListenAddress {
  // An IPv4 or IPv6 literal without brackets, for example "127.0.0.1" or "::1".
  std::string host = "127.0.0.1";
  // 0 lets the operating system pick a free port.
  std::uint16_t port = 0;

  // Returns "127.0.0.1:8470" or "[::1]:8470".
  std::string toString() const;

  // Parses "HOST:PORT", where HOST is an IPv4 literal, a bracketed IPv6 literal
  // ("[::1]:8470") or "localhost" (read as 127.0.0.1). Host names are rejected so
  // that the address a server binds never depends on DNS. Fails with
  // kInvalidArgument naming `text`.
  static Result<ListenAddress> parse(std::string_view text);
};

}  // namespace odscan::http
