#include "request_helpers.h"

#include <zlib.h>

#include <array>
#include <chrono>
#include <ctime>

namespace odscan::console {
namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::optional<std::string> cookieValue(const http::Request& request, std::string_view name) {
  const auto header = request.header("Cookie");
  if (!header) return std::nullopt;
  std::string_view rest = *header;
  while (!rest.empty()) {
    const std::size_t end = rest.find(';');
    const std::string_view pair = trim(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    const std::size_t equals = pair.find('=');
    if (equals != std::string_view::npos && pair.substr(0, equals) == name) {
      return std::string(pair.substr(equals + 1));
    }
  }
  return std::nullopt;
}

Result<std::string> percentDecode(std::string_view text) {
  std::string decoded;
  decoded.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      decoded.push_back(' ');
    } else if (text[i] == '%') {
      if (i + 2 >= text.size()) {
        return Status(StatusCode::kInvalidArgument, "a '%' escape is cut short");
      }
      const int high = hexValue(text[i + 1]);
      const int low = hexValue(text[i + 2]);
      if (high < 0 || low < 0) {
        return Status(StatusCode::kInvalidArgument,
                      "'%" + std::string(text.substr(i + 1, 2)) + "' is not a valid escape");
      }
      decoded.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else {
      decoded.push_back(text[i]);
    }
  }
  return decoded;
}

std::map<std::string, std::string, std::less<>> queryParameters(std::string_view target) {
  std::map<std::string, std::string, std::less<>> parameters;
  const std::size_t question = target.find('?');
  if (question == std::string_view::npos) return parameters;
  std::string_view rest = target.substr(question + 1);
  while (!rest.empty()) {
    const std::size_t end = rest.find('&');
    const std::string_view pair = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    const std::size_t equals = pair.find('=');
    auto name = percentDecode(pair.substr(0, equals));
    auto value = percentDecode(equals == std::string_view::npos ? std::string_view()
                                                                : pair.substr(equals + 1));
    if (name.ok() && value.ok()) parameters.emplace(*name, *value);
  }
  return parameters;
}

Result<nlohmann::json> jsonObjectBody(std::string_view body) {
  nlohmann::json document = nlohmann::json::parse(body, nullptr, false);
  if (document.is_discarded()) {
    return Status(StatusCode::kInvalidArgument, "the request body is not valid JSON");
  }
  if (!document.is_object()) {
    return Status(StatusCode::kInvalidArgument, "the request body must be a JSON object");
  }
  return document;
}

Result<std::string> gunzip(std::string_view compressed, std::uint64_t maxBytes) {
  z_stream stream{};
  // 16 + MAX_WBITS: a gzip header and trailer, which zlib checks (CRC-32, size).
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) {
    return Status(StatusCode::kInternal, "zlib could not start inflating");
  }
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  std::string output;
  std::array<char, 64 * 1024> chunk;
  int result = Z_OK;
  while (result != Z_STREAM_END) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk.data());
    stream.avail_out = static_cast<uInt>(chunk.size());
    result = inflate(&stream, Z_NO_FLUSH);
    if (result != Z_OK && result != Z_STREAM_END) {
      inflateEnd(&stream);
      return Status(StatusCode::kInvalidArgument,
                    "the gzip body is damaged or cut short; send the batch again");
    }
    const std::size_t produced = chunk.size() - stream.avail_out;
    if (output.size() + produced > maxBytes) {
      inflateEnd(&stream);
      return Status(StatusCode::kLimitExceeded, "the body expands to more than " +
                                                    std::to_string(maxBytes) +
                                                    " bytes; send smaller batches");
    }
    output.append(chunk.data(), produced);
    if (result == Z_OK && produced == 0 && stream.avail_in == 0) {
      inflateEnd(&stream);
      return Status(StatusCode::kInvalidArgument, "the gzip body is cut short");
    }
  }
  inflateEnd(&stream);
  if (stream.avail_in != 0) {
    return Status(StatusCode::kInvalidArgument, "the gzip body has data after its end");
  }
  return output;
}

Result<std::string> decodedBody(const http::Request& request, std::uint64_t maxBytes) {
  const auto encoding = request.header("Content-Encoding");
  if (!encoding || http::equalsIgnoringCase(*encoding, "identity")) {
    if (request.body.size() > maxBytes) {
      return Status(StatusCode::kLimitExceeded,
                    "the body has more than " + std::to_string(maxBytes) + " bytes");
    }
    return std::string(request.body);
  }
  if (!http::equalsIgnoringCase(*encoding, "gzip")) {
    return Status(StatusCode::kInvalidArgument, "Content-Encoding '" + std::string(*encoding) +
                                                    "' is not supported; send gzip or nothing");
  }
  return gunzip(request.body, maxBytes);
}

std::int64_t nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string isoTime(std::int64_t seconds) {
  const std::time_t time = static_cast<std::time_t>(seconds);
  std::tm parts{};
  gmtime_r(&time, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

Status invalidMember(std::string_view member, std::string_view problem) {
  return Status(StatusCode::kInvalidArgument,
                "member \"" + std::string(member) + "\" " + std::string(problem));
}

Result<std::string> textMember(const nlohmann::json& body, std::string_view member,
                               std::size_t maxLength, bool required) {
  const auto found = body.find(member);
  if (found == body.end() || found->is_null()) {
    if (!required) return std::string();
    return invalidMember(member, "is missing");
  }
  if (!found->is_string()) return invalidMember(member, "must be a string");
  std::string value = found->get<std::string>();
  if ((required && value.empty()) || value.size() > maxLength) {
    return invalidMember(member, "must have 1 to " + std::to_string(maxLength) + " bytes");
  }
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f) return invalidMember(member, "must not contain control characters");
  }
  return value;
}

Result<std::string> addressList(const nlohmann::json& body) {
  constexpr std::size_t kMaxAddresses = 64;
  constexpr std::size_t kMaxAddressLength = 64;
  const auto found = body.find("ip_addresses");
  if (found == body.end()) return std::string();
  if (!found->is_array() || found->size() > kMaxAddresses) {
    return invalidMember("ip_addresses", "must be an array of at most 64 strings");
  }
  std::string joined;
  for (const nlohmann::json& address : *found) {
    if (!address.is_string() || address.get<std::string>().size() > kMaxAddressLength) {
      return invalidMember("ip_addresses", "must hold strings of at most 64 bytes");
    }
    const std::string text = address.get<std::string>();
    for (char c : text) {
      const bool allowed = hexValue(c) >= 0 || c == '.' || c == ':' || c == '%';
      if (!allowed) {
        return invalidMember("ip_addresses",
                             "holds '" + text.substr(0, 64) + "', which is not an IP address");
      }
    }
    if (!joined.empty()) joined += ", ";
    joined += text;
  }
  return joined;
}

bool isHex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string bearerToken(const http::Request& request) {
  const auto header = request.header("Authorization");
  if (!header || header->size() < 7 || !http::equalsIgnoringCase(header->substr(0, 7), "Bearer ")) {
    return {};
  }
  return std::string(header->substr(7));
}

}  // namespace odscan::console
