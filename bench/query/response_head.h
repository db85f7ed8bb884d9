// Parsing of the HTTP/1.1 response heads that the load generator receives. Only
// what framing and counting need is read: the status code, Content-Length and
// whether the server closes the connection. A response without Content-Length
// (chunked or ended by closing) is rejected, because smartscan-server always
// sends one and the generator reads bodies by length.
//
// Thread safety: free functions without shared state.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "odscan/common/status.h"

namespace odscan::bench {

struct ResponseHead {
  unsigned status = 0;
  std::size_t headBytes = 0;  // up to and including the empty line after the fields
  std::size_t contentLength = 0;
  bool closeConnection = false;
};

// Parses the head at the start of `data`. Returns nothing while the empty line
// that ends the head has not arrived. Fails with kInvalidArgument when the head
// is malformed, longer than `maxHeadBytes`, or has no usable Content-Length.
Result<std::optional<ResponseHead>> parseResponseHead(std::string_view data,
                                                      std::size_t maxHeadBytes);

}  // namespace odscan::bench
