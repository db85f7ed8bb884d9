// Response: what a route handler sends back for one request.
//
// The server passes each handler a Response that it reuses for every request on
// one connection, so a handler that assigns or appends into `body` allocates
// nothing once the buffer has grown. The server adds Content-Length, Date,
// Connection and X-Request-Id itself.
//
// Thread safety: owned by one connection and written by one handler call at a time.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace odscan::http {

struct Response {
  unsigned status = 200;
  std::string contentType;
  std::string body;
  // Header fields beyond the ones the server adds, for example Retry-After.
  std::vector<std::pair<std::string, std::string>> headers;
  // Extra "key=value" words that the server appends to the request's access log
  // line, for example "digests=100 hits=2". Never put secrets here.
  std::string accessLogFields;

  // Empties every member but keeps the buffers' capacity.
  void reset();

  void addHeader(std::string_view name, std::string_view value);

  // Sets a JSON body {"error": message, "request_id": requestId} with `status`.
  // The message should state what was wrong and what the client can do about it.
  void setError(unsigned errorStatus, std::string_view message, std::string_view requestId);

  // Appends `text` to the access log fields, separated by a space.
  void addLogField(std::string_view key, std::string_view value);
};

// Appends `text` to `out` as a JSON string literal, quotes included.
void appendJsonString(std::string& out, std::string_view text);

}  // namespace odscan::http
