#include "odscan/http/request_id.h"

#include <openssl/rand.h>

#include <charconv>
#include <chrono>

namespace odscan::http {
namespace {

constexpr std::size_t kPrefixBytes = 6;

bool isRequestIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

}  // namespace

bool isValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdLength) return false;
  for (const char c : id) {
    if (!isRequestIdChar(c)) return false;
  }
  return true;
}

RequestIdGenerator::RequestIdGenerator() {
  static constexpr char kHexDigits[] = "0123456789abcdef";
  std::array<unsigned char, kPrefixBytes> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    // Without the system generator the clock still separates process runs; ids
    // only need to be unique enough to find log lines, not unguessable.
    auto ticks =
        static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    for (unsigned char& byte : random) {
      byte = static_cast<unsigned char>(ticks);
      ticks >>= 8;
    }
  }
  for (const unsigned char byte : random) {
    buffer_[prefixLength_++] = kHexDigits[byte >> 4];
    buffer_[prefixLength_++] = kHexDigits[byte & 0xf];
  }
  buffer_[prefixLength_++] = '-';
}

std::string_view RequestIdGenerator::next() {
  char* const begin = buffer_.data() + prefixLength_;
  const auto result = std::to_chars(begin, buffer_.data() + buffer_.size(), ++counter_, 16);
  length_ = static_cast<std::size_t>(result.ptr - buffer_.data());
  return std::string_view(buffer_.data(), length_);
}

}  // namespace odscan::http
