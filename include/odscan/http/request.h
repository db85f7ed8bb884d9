// Request: the view of one HTTP request that the server passes to a route handler.
//
// Ownership: every view points into buffers of the connection that received the
// request and is valid only during the handler call. A handler that keeps a value
// copies it.
// Thread safety: a plain view, read by the one handler call that receives it.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace odscan::http {

struct HeaderField {
  std::string_view name;
  std::string_view value;
};

struct Request {
  std::string_view method;  // as sent, for example "POST"
  std::string_view target;  // the request target, query string included
  std::string_view path;    // the target without its query string
  std::span<const HeaderField> headers;
  std::string_view body;
  std::string_view peerAddress;  // "IP:PORT" of the client
  // The client's X-Request-Id when it is valid, otherwise one the server made.
  std::string_view requestId;

  // Returns the value of the first header field named `name`, compared without
  // regard to case, or nothing when the request has no such field.
  std::optional<std::string_view> header(std::string_view name) const;
};

// Returns true when `a` and `b` are equal after ASCII lower-casing, the way HTTP
// compares field names and most tokens.
bool equalsIgnoringCase(std::string_view a, std::string_view b);

}  // namespace odscan::http
