// Request ids: the value of X-Request-Id that ties a request's log lines, its
// response and the client's own logs together.
//
// Thread safety: isValidRequestId() is a pure function. A RequestIdGenerator
// belongs to one thread; each server worker thread has its own.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace odscan::http {

inline constexpr std::size_t kMaxRequestIdLength = 64;

// Returns true for 1 to kMaxRequestIdLength characters of [A-Za-z0-9._-]. Other
// values are replaced by a generated id, which keeps log lines and header values
// free of spaces, quotes and control characters.
bool isValidRequestId(std::string_view id);

// Makes ids unique within a process run without locks: a random 12-hex-digit
// prefix per generator, a dash, and a per-generator counter in hex, for example
// "5f0c93ab12de-1a".
class RequestIdGenerator {
 public:
  RequestIdGenerator();

  // Returns the next id. The view stays valid until the next call.
  std::string_view next();

 private:
  std::array<char, kMaxRequestIdLength> buffer_{};
  std::size_t prefixLength_ = 0;
  std::size_t length_ = 0;
  std::uint64_t counter_ = 0;
};

}  // namespace odscan::http
