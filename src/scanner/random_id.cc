#include "odscan/scanner/random_id.h"

#include <fmt/format.h>
#include <openssl/rand.h>

#include <random>
#include <vector>

namespace odscan::scanner {

std::string randomHexId(std::size_t byteCount) {
  std::vector<unsigned char> bytes(byteCount);
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    // RAND_bytes fails when OpenSSL's generator cannot be seeded. Ids need to be
    // unique, not secret, so the standard library's device is good enough then.
    std::random_device device;
    for (auto& byte : bytes) byte = static_cast<unsigned char>(device() & 0xffu);
  }

  std::string hex;
  hex.reserve(byteCount * 2);
  for (const unsigned char byte : bytes) hex += fmt::format("{:02x}", byte);
  return hex;
}

bool isHexId(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    const bool digit = c >= '0' && c <= '9';
    const bool letter = c >= 'a' && c <= 'f';
    if (!digit && !letter) return false;
  }
  return true;
}

}  // namespace odscan::scanner
