#include "pattern_test_support.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iterator>

namespace odscan::testing {

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
  path_ = std::filesystem::temp_directory_path() /
          ("odscan-pattern-test-" + std::to_string(stamp) + "-" + std::to_string(counter++));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code error;
  std::filesystem::remove_all(path_, error);
}

void writeText(const std::filesystem::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

void writeBytes(const std::filesystem::path& path, std::span<const std::uint8_t> bytes) {
  writeText(path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::vector<std::uint8_t> readBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in),
                                   std::istreambuf_iterator<char>());
}

std::string readText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

PrivateKey generateKey() {
  auto key = PrivateKey::generate();
  EXPECT_TRUE(key.ok()) << key.status().toString();
  return std::move(key).value();
}

Digest randomDigest(std::mt19937_64& random, DigestKind kind) {
  Digest digest;
  digest.kind = kind;
  for (std::size_t i = 0; i < digest.length(); ++i) {
    digest.bytes[i] = static_cast<std::uint8_t>(random());
  }
  return digest;
}

std::vector<Digest> randomDigests(std::mt19937_64& random, std::size_t count, DigestKind kind) {
  std::vector<Digest> digests(count);
  for (Digest& digest : digests) digest = randomDigest(random, kind);
  return digests;
}

Digest digestFromHex(std::string_view hex) {
  auto digest = Digest::fromHex(hex);
  EXPECT_TRUE(digest.ok()) << digest.status().toString();
  return digest.ok() ? *digest : Digest{};
}

Signature makeSignature(std::string_view hex, std::uint64_t size, std::string_view name) {
  return Signature{digestFromHex(hex), size, std::string(name)};
}

}  // namespace odscan::testing
