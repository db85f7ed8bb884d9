// Helpers shared by the pattern tests: temporary folders, file contents, keys and
// digests.
#pragma once

#include <cstdint>
#include <filesystem>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "odscan/common/digest.h"
#include "odscan/pattern/signature.h"
#include "odscan/pattern/signing_key.h"

namespace odscan::testing {

// A fresh folder under the system temporary folder, removed with its contents when
// the object goes out of scope.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

void writeText(const std::filesystem::path& path, std::string_view text);
void writeBytes(const std::filesystem::path& path, std::span<const std::uint8_t> bytes);
std::vector<std::uint8_t> readBytes(const std::filesystem::path& path);
std::string readText(const std::filesystem::path& path);

// A new Ed25519 key; fails the calling test if OpenSSL cannot create one.
PrivateKey generateKey();

Digest randomDigest(std::mt19937_64& random, DigestKind kind);
std::vector<Digest> randomDigests(std::mt19937_64& random, std::size_t count, DigestKind kind);
Digest digestFromHex(std::string_view hex);
Signature makeSignature(std::string_view hex, std::uint64_t size, std::string_view name);

}  // namespace odscan::testing
