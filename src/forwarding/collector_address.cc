#include "odscan/forwarding/collector_address.h"

#include <arpa/inet.h>

#include <charconv>

namespace odscan::forwarding {
namespace {

Status invalidAddress(std::string_view text, std::string_view problem) {
  return Status(StatusCode::kInvalidArgument,
                "invalid collector address \"" + std::string(text) + "\": " + std::string(problem) +
                    "; write HOST:PORT with an IPv4 literal, [IPv6] or localhost, "
                    "for example 192.0.2.7:6514 or [::1]:514");
}

bool isIpv4(const std::string& host) {
  in_addr address{};
  return inet_pton(AF_INET, host.c_str(), &address) == 1;
}

bool isIpv6(const std::string& host) {
  in6_addr address{};
  return inet_pton(AF_INET6, host.c_str(), &address) == 1;
}

}  // namespace

std::string CollectorAddress::toString() const {
  const std::string shownHost = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return shownHost + ":" + std::to_string(port);
}

bool CollectorAddress::isIpLiteral() const { return host != "localhost"; }

std::string CollectorAddress::connectHost() const {
  return isIpLiteral() ? host : std::string("127.0.0.1");
}

Result<CollectorAddress> CollectorAddress::parse(std::string_view text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return invalidAddress(text, "the port is missing");

  std::string_view hostPart = text.substr(0, colon);
  const std::string_view portPart = text.substr(colon + 1);
  const bool bracketed = hostPart.size() >= 2 && hostPart.front() == '[' && hostPart.back() == ']';
  if (bracketed) hostPart = hostPart.substr(1, hostPart.size() - 2);
  const std::string host(hostPart);

  if (host.empty()) return invalidAddress(text, "the host is missing");
  if (bracketed && !isIpv6(host)) return invalidAddress(text, "brackets must hold an IPv6 literal");
  if (!bracketed && isIpv6(host)) return invalidAddress(text, "put an IPv6 literal in brackets");
  if (!bracketed && host != "localhost" && !isIpv4(host)) {
    return invalidAddress(text, "the host must be an IP literal or localhost, not a DNS name");
  }

  unsigned port = 0;
  const auto [end, error] =
      std::from_chars(portPart.data(), portPart.data() + portPart.size(), port);
  if (error != std::errc() || end != portPart.data() + portPart.size() || port == 0 ||
      port > 65535) {
    return invalidAddress(text, "the port must be a number from 1 to 65535");
  }
  return CollectorAddress{host, static_cast<std::uint16_t>(port)};
}

}  // namespace odscan::forwarding
