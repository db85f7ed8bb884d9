#include "odscan/http/listen_address.h"

#include <boost/asio/ip/address.hpp>
#include <charconv>

namespace odscan::http {
namespace {

Status invalidAddress(std::string_view text, std::string_view reason) {
  return Status(StatusCode::kInvalidArgument,
                "invalid listen address '" + std::string(text) + "': " + std::string(reason) +
                    "; use HOST:PORT with an IP address, for example 127.0.0.1:8470");
}

}  // namespace

std::string ListenAddress::toString() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  std::string text = ipv6 ? "[" + host + "]" : host;
  return text + ":" + std::to_string(port);
}

Result<ListenAddress> ListenAddress::parse(std::string_view text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return invalidAddress(text, "the port is missing");

  std::string_view host = text.substr(0, colon);
  const std::string_view portText = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return invalidAddress(text, "an IPv6 address must be in brackets");
  }
  if (host.empty()) return invalidAddress(text, "the host is missing");

  unsigned port = 0;
  const auto [end, error] =
      std::from_chars(portText.data(), portText.data() + portText.size(), port);
  if (portText.empty() || error != std::errc() || end != portText.data() + portText.size() ||
      port > 65535) {
    return invalidAddress(text, "the port must be a number from 0 to 65535");
  }

  ListenAddress address;
  address.port = static_cast<std::uint16_t>(port);
  if (host == "localhost") {
    address.host = "127.0.0.1";
    return address;
  }
  boost::system::error_code parseError;
  const auto ip = boost::asio::ip::make_address(std::string(host), parseError);
  if (parseError) return invalidAddress(text, "'" + std::string(host) + "' is not an IP address");
  address.host = ip.to_string();
  return address;
}

}  // namespace odscan::http
