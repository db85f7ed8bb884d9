// Credentials: password hashes and random tokens for the console.
//
// Passwords are stored as PBKDF2-HMAC-SHA256 (OpenSSL) with a random 16-byte salt,
// in the form "pbkdf2-sha256$ITERATIONS$SALT_HEX$HASH_HEX", so the iteration count
// can grow later without invalidating stored hashes. Tokens (web session cookies,
// CSRF tokens, upload tokens) are 32 random bytes in hex; the database keeps only
// their SHA-256, so a copy of the database grants no access.
//
// Thread safety: free functions without shared state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "odscan/common/status.h"

namespace odscan::console {

// OWASP's 2023 advice for PBKDF2-HMAC-SHA256.
inline constexpr std::uint32_t kDefaultPasswordIterations = 600'000;
inline constexpr std::size_t kMinPasswordLength = 12;
inline constexpr std::size_t kMaxPasswordLength = 1024;

// Returns the stored form of `password`. Fails with kInvalidArgument for a
// password shorter than kMinPasswordLength or longer than kMaxPasswordLength.
Result<std::string> hashPassword(std::string_view password,
                                 std::uint32_t iterations = kDefaultPasswordIterations);

// Returns true when `password` matches `stored`. A malformed `stored` never
// matches. The comparison takes the same time wherever the hashes differ.
bool verifyPassword(std::string_view password, std::string_view stored);

// Returns `byteCount` bytes from OpenSSL's generator as lower-case hex.
std::string randomToken(std::size_t byteCount = 32);

// Returns the SHA-256 of `token` as lower-case hex, the form tokens are stored in.
std::string tokenHash(std::string_view token);

// Compares two strings in time that depends only on their lengths.
bool constantTimeEquals(std::string_view a, std::string_view b);

}  // namespace odscan::console
