#include "odscan/console/credentials.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <stdexcept>
#include <vector>

namespace odscan::console {
namespace {

constexpr std::string_view kScheme = "pbkdf2-sha256";
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
// Stored hashes with fewer iterations than this are treated as damaged.
constexpr std::uint32_t kMinIterations = 1000;

std::string toHex(const std::uint8_t* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    hex.push_back(kDigits[data[i] >> 4]);
    hex.push_back(kDigits[data[i] & 0x0f]);
  }
  return hex;
}

bool fromHex(std::string_view hex, std::vector<std::uint8_t>& out) {
  if (hex.size() % 2 != 0) return false;
  out.clear();
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    std::uint8_t byte = 0;
    const auto result = std::from_chars(hex.data() + i, hex.data() + i + 2, byte, 16);
    if (result.ec != std::errc() || result.ptr != hex.data() + i + 2) return false;
    out.push_back(byte);
  }
  return true;
}

bool derive(std::string_view password, const std::vector<std::uint8_t>& salt,
            std::uint32_t iterations, std::uint8_t* out) {
  return PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(),
                           static_cast<int>(salt.size()), static_cast<int>(iterations),
                           EVP_sha256(), static_cast<int>(kHashBytes), out) == 1;
}

}  // namespace

Result<std::string> hashPassword(std::string_view password, std::uint32_t iterations) {
  if (password.size() < kMinPasswordLength || password.size() > kMaxPasswordLength) {
    return Status(StatusCode::kInvalidArgument,
                  "the password has " + std::to_string(password.size()) +
                      " characters; choose one of " + std::to_string(kMinPasswordLength) + " to " +
                      std::to_string(kMaxPasswordLength) + " characters");
  }
  std::vector<std::uint8_t> salt(kSaltBytes);
  std::uint8_t hash[kHashBytes];
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1 ||
      !derive(password, salt, iterations, hash)) {
    return Status(StatusCode::kInternal, "OpenSSL could not hash the password");
  }
  return std::string(kScheme) + "$" + std::to_string(iterations) + "$" +
         toHex(salt.data(), salt.size()) + "$" + toHex(hash, kHashBytes);
}

bool verifyPassword(std::string_view password, std::string_view stored) {
  if (password.size() > kMaxPasswordLength) return false;
  const std::size_t first = stored.find('$');
  const std::size_t second = stored.find('$', first + 1);
  const std::size_t third = stored.find('$', second + 1);
  if (first == std::string_view::npos || second == std::string_view::npos ||
      third == std::string_view::npos || stored.substr(0, first) != kScheme) {
    return false;
  }
  std::uint32_t iterations = 0;
  const std::string_view count = stored.substr(first + 1, second - first - 1);
  const auto parsed = std::from_chars(count.data(), count.data() + count.size(), iterations);
  if (parsed.ec != std::errc() || parsed.ptr != count.data() + count.size() ||
      iterations < kMinIterations) {
    return false;
  }
  std::vector<std::uint8_t> salt;
  std::vector<std::uint8_t> expected;
  if (!fromHex(stored.substr(second + 1, third - second - 1), salt) ||
      !fromHex(stored.substr(third + 1), expected) || expected.size() != kHashBytes) {
    return false;
  }
  std::uint8_t actual[kHashBytes];
  if (!derive(password, salt, iterations, actual)) return false;
  return CRYPTO_memcmp(actual, expected.data(), kHashBytes) == 0;
}

std::string randomToken(std::size_t byteCount) {
  std::vector<std::uint8_t> bytes(byteCount);
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    // Without random bytes no token is safe to hand out; the HTTP layer turns this
    // into a 500 response.
    throw std::runtime_error("OpenSSL's random generator failed");
  }
  return toHex(bytes.data(), bytes.size());
}

std::string tokenHash(std::string_view token) {
  std::uint8_t digest[kHashBytes];
  unsigned int length = 0;
  EVP_Digest(token.data(), token.size(), digest, &length, EVP_sha256(), nullptr);
  return toHex(digest, length);
}

bool constantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace odscan::console
