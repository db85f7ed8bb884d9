// Small readers of request parts that the console's handlers share: cookies,
// query parameters, form-style percent decoding, JSON bodies and gzip bodies.
// Private to odscan_console.
//
// Every reader treats its input as hostile: it never throws, bounds what it
// allocates, and returns a message that names the part that was wrong.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "odscan/common/status.h"
#include "odscan/http/request.h"

namespace odscan::console {

// Returns the value of cookie `name` from the Cookie header, or nothing.
std::optional<std::string> cookieValue(const http::Request& request, std::string_view name);

// Returns the decoded query parameters of the request target. A name given twice
// keeps its first value.
std::map<std::string, std::string, std::less<>> queryParameters(std::string_view target);

// Decodes %XX escapes and '+' (a space). Fails for a malformed escape.
Result<std::string> percentDecode(std::string_view text);

// Parses a JSON object body. Fails with kInvalidArgument naming what was wrong.
Result<nlohmann::json> jsonObjectBody(std::string_view body);

// Inflates a gzip member. Fails with kInvalidArgument for data that is not gzip or
// is damaged, and with kLimitExceeded as soon as the output passes `maxBytes`.
Result<std::string> gunzip(std::string_view compressed, std::uint64_t maxBytes);

// Returns the body as sent, or inflated when Content-Encoding is gzip. Fails for
// another Content-Encoding.
Result<std::string> decodedBody(const http::Request& request, std::uint64_t maxBytes);

// Limits of the text members that endpoints send about themselves.
inline constexpr std::size_t kMaxHostLength = 255;
inline constexpr std::size_t kMaxTextLength = 256;

// Returns the current time in seconds since the epoch.
std::int64_t nowSeconds();

// Returns `seconds` since the epoch as ISO 8601 UTC, such as 2026-12-05T08:30:00Z.
std::string isoTime(std::int64_t seconds);

// Returns kInvalidArgument for `member` of a JSON body: 'member "host" ' + problem.
Status invalidMember(std::string_view member, std::string_view problem);

// Reads a string member of at most `maxLength` bytes without control characters.
// A member that is not `required` may be missing or null, and reads as empty.
Result<std::string> textMember(const nlohmann::json& body, std::string_view member,
                               std::size_t maxLength, bool required = true);

// Reads the optional member "ip_addresses", an array of at most 64 numeric IPv4 or
// IPv6 addresses, and returns them joined by ", ".
Result<std::string> addressList(const nlohmann::json& body);

// Returns true when `text` holds only lower-case hex digits.
bool isHex(std::string_view text);

// Returns "Bearer" credentials of the Authorization header, or an empty string.
std::string bearerToken(const http::Request& request);

}  // namespace odscan::console
