// Serialization of a response's status line and header fields, and the cached
// Date header value.
//
// Thread safety: HttpDateCache belongs to one worker thread; the functions are pure.
#pragma once

#include <array>
#include <ctime>
#include <string>
#include <string_view>

#include "odscan/http/response.h"

namespace odscan::http {

// Formats the current time as an HTTP date ("Tue, 15 Nov 1994 08:12:31 GMT"),
// formatting again only when the second changes.
class HttpDateCache {
 public:
  std::string_view now();

 private:
  std::time_t second_ = -1;
  std::array<char, 40> text_{};
  std::size_t length_ = 0;
};

struct ResponseHeadOptions {
  std::string_view requestId;
  std::string_view date;
  bool close = false;  // adds "Connection: close"
  // Adds "Connection: keep-alive", which an HTTP/1.0 client needs to keep the
  // connection open.
  bool keepAliveHeader = false;
};

// Appends the status line and header fields of `response`, then the empty line,
// to `out`. CR and LF in handler-supplied values become spaces, so a value that
// quotes client input cannot start a new header field.
void appendResponseHead(std::string& out, const Response& response,
                        const ResponseHeadOptions& options);

}  // namespace odscan::http
