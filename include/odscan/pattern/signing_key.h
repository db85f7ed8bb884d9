// Ed25519 keys that sign and verify pattern files. The publisher keeps the
// PrivateKey; every reader of a pattern (scanner, Smart Scan Server, the pattern
// tool) has the PublicKey. Keys are stored as PEM files: SubjectPublicKeyInfo
// for public keys and unencrypted PKCS#8 for private keys, as `openssl genpkey
// -algorithm ed25519` writes them.
//
// Ownership: both classes share an immutable OpenSSL key object, so copies are
// cheap.
// Thread safety: a key is immutable after construction; verify() and sign() may be
// called from many threads at once.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "odscan/common/status.h"

namespace odscan {

inline constexpr std::size_t kEd25519SignatureLength = 64;
inline constexpr std::size_t kEd25519KeyLength = 32;
// A key fingerprint is the SHA-256 of the 32-byte raw public key.
inline constexpr std::size_t kKeyFingerprintLength = 32;

using KeyFingerprint = std::array<std::uint8_t, kKeyFingerprintLength>;
using Ed25519Signature = std::array<std::uint8_t, kEd25519SignatureLength>;

struct KeyHandle;

class PublicKey {
 public:
  // Reads a PEM public key. Errors name `path`: kNotFound, kIoError, or
  // kInvalidArgument when the file contains no Ed25519 public key.
  static Result<PublicKey> readFile(const std::filesystem::path& path);
  // Parses PEM text; `source` names the text in error messages.
  static Result<PublicKey> fromPem(std::string_view pem, std::string_view source);

  // Returns true when `signature` is a valid Ed25519 signature of `message`.
  bool verify(std::span<const std::uint8_t> message, std::span<const std::uint8_t> signature) const;

  // Returns the fingerprint as 64 lower-case hex digits.
  std::string fingerprint() const;
  const KeyFingerprint& fingerprintBytes() const { return fingerprint_; }

  // Returns the key as PEM text (SubjectPublicKeyInfo).
  std::string toPem() const;

  // Writes the key as PEM (mode 0644 on POSIX systems). Fails with kAlreadyExists
  // when `path` exists unless `overwrite` is true.
  Status writeFile(const std::filesystem::path& path, bool overwrite = false) const;

 private:
  friend class PrivateKey;
  PublicKey(std::shared_ptr<KeyHandle> handle, const KeyFingerprint& fingerprint)
      : handle_(std::move(handle)), fingerprint_(fingerprint) {}

  std::shared_ptr<KeyHandle> handle_;
  KeyFingerprint fingerprint_{};
};

class PrivateKey {
 public:
  // Creates a new random key pair.
  static Result<PrivateKey> generate();
  // Reads an unencrypted PEM private key. Errors name `path`.
  static Result<PrivateKey> readFile(const std::filesystem::path& path);
  static Result<PrivateKey> fromPem(std::string_view pem, std::string_view source);

  // Writes the key as PEM with file mode 0600 on POSIX systems. Fails with
  // kAlreadyExists when `path` exists unless `overwrite` is true.
  Status writeFile(const std::filesystem::path& path, bool overwrite = false) const;

  PublicKey publicKey() const;

  // Returns the Ed25519 signature of `message`.
  Result<Ed25519Signature> sign(std::span<const std::uint8_t> message) const;

  std::string toPem() const;

 private:
  explicit PrivateKey(std::shared_ptr<KeyHandle> handle) : handle_(std::move(handle)) {}

  std::shared_ptr<KeyHandle> handle_;
};

}  // namespace odscan
