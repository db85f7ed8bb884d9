#include "odscan/pattern/signing_key.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <string>

#include "file_io.h"
#include "odscan/common/hasher.h"

namespace odscan {

struct KeyHandle {
  explicit KeyHandle(EVP_PKEY* owned) : key(owned) {}
  ~KeyHandle() { EVP_PKEY_free(key); }
  KeyHandle(const KeyHandle&) = delete;
  KeyHandle& operator=(const KeyHandle&) = delete;

  EVP_PKEY* key;
};

namespace {

// Key files are a few hundred bytes; anything much larger is not a key file.
constexpr std::uint64_t kMaxKeyFileSize = std::uint64_t{64} * 1024;

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPointer = std::unique_ptr<BIO, BioDeleter>;

struct DigestContextDeleter {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};
using DigestContextPointer = std::unique_ptr<EVP_MD_CTX, DigestContextDeleter>;

// Passphrase callback that supplies no passphrase, so OpenSSL fails on an
// encrypted key instead of prompting on the terminal.
int noPassphrase(char*, int, int, void*) { return 0; }

BioPointer memoryBioOf(std::string_view text) {
  return BioPointer(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

std::string bioText(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  return length > 0 ? std::string(data, static_cast<std::size_t>(length)) : std::string();
}

bool isEd25519(const EVP_PKEY* key) { return EVP_PKEY_get_id(key) == EVP_PKEY_ED25519; }

KeyFingerprint fingerprintOf(EVP_PKEY* key) {
  std::array<std::uint8_t, kEd25519KeyLength> raw{};
  std::size_t length = raw.size();
  KeyFingerprint fingerprint{};
  if (EVP_PKEY_get_raw_public_key(key, raw.data(), &length) != 1) return fingerprint;
  const Digest digest =
      MultiHasher::digestOf(DigestKind::kSha256, std::span<const std::uint8_t>(raw.data(), length));
  std::copy_n(digest.bytes.begin(), fingerprint.size(), fingerprint.begin());
  return fingerprint;
}

Result<std::string> readKeyText(const std::filesystem::path& path) {
  auto bytes = pattern_detail::readWholeFile(path, kMaxKeyFileSize);
  if (!bytes.ok()) return bytes.status();
  return std::string(bytes->begin(), bytes->end());
}

}  // namespace

Result<PublicKey> PublicKey::readFile(const std::filesystem::path& path) {
  auto text = readKeyText(path);
  if (!text.ok()) return text.status().withContext("cannot read public key");
  return fromPem(*text, path.string());
}

Result<PublicKey> PublicKey::fromPem(std::string_view pem, std::string_view source) {
  BioPointer bio = memoryBioOf(pem);
  EVP_PKEY* key = bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, noPassphrase, nullptr) : nullptr;
  ERR_clear_error();
  if (key == nullptr) {
    return Status(StatusCode::kInvalidArgument,
                  "'" + std::string(source) +
                      "' does not contain a PEM public key; create one with "
                      "'odscan-pattern keygen'");
  }
  auto handle = std::make_shared<KeyHandle>(key);
  if (!isEd25519(key)) {
    return Status(StatusCode::kInvalidArgument, "'" + std::string(source) +
                                                    "' holds a public key of another type; pattern "
                                                    "files are signed with Ed25519 keys");
  }
  return PublicKey(std::move(handle), fingerprintOf(key));
}

bool PublicKey::verify(std::span<const std::uint8_t> message,
                       std::span<const std::uint8_t> signature) const {
  if (signature.size() != kEd25519SignatureLength) return false;
  DigestContextPointer context(EVP_MD_CTX_new());
  if (!context) return false;
  // Ed25519 signs the message itself (no separate digest), so the digest name is null.
  bool valid = EVP_DigestVerifyInit(context.get(), nullptr, nullptr, nullptr, handle_->key) == 1 &&
               EVP_DigestVerify(context.get(), signature.data(), signature.size(), message.data(),
                                message.size()) == 1;
  ERR_clear_error();
  return valid;
}

std::string PublicKey::fingerprint() const {
  Digest digest;
  digest.kind = DigestKind::kSha256;
  std::copy(fingerprint_.begin(), fingerprint_.end(), digest.bytes.begin());
  return digest.toHex();
}

std::string PublicKey::toPem() const {
  BioPointer bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), handle_->key) != 1) return std::string();
  return bioText(bio.get());
}

Status PublicKey::writeFile(const std::filesystem::path& path, bool overwrite) const {
  const std::string pem = toPem();
  if (pem.empty()) return Status(StatusCode::kInternal, "cannot encode the public key as PEM");
  return pattern_detail::writeFileAtomically(
      path, std::span(reinterpret_cast<const std::uint8_t*>(pem.data()), pem.size()), 0644,
      overwrite);
}

Result<PrivateKey> PrivateKey::generate() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  ERR_clear_error();
  if (key == nullptr) {
    return Status(StatusCode::kInternal,
                  "OpenSSL cannot generate an Ed25519 key; check that its default provider "
                  "is available");
  }
  return PrivateKey(std::make_shared<KeyHandle>(key));
}

Result<PrivateKey> PrivateKey::readFile(const std::filesystem::path& path) {
  auto text = readKeyText(path);
  if (!text.ok()) return text.status().withContext("cannot read private key");
  return fromPem(*text, path.string());
}

Result<PrivateKey> PrivateKey::fromPem(std::string_view pem, std::string_view source) {
  BioPointer bio = memoryBioOf(pem);
  EVP_PKEY* key =
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, noPassphrase, nullptr) : nullptr;
  ERR_clear_error();
  if (key == nullptr) {
    return Status(StatusCode::kInvalidArgument,
                  "'" + std::string(source) +
                      "' does not contain an unencrypted PEM private key; create one with "
                      "'odscan-pattern keygen'");
  }
  auto handle = std::make_shared<KeyHandle>(key);
  if (!isEd25519(key)) {
    return Status(StatusCode::kInvalidArgument,
                  "'" + std::string(source) +
                      "' holds a private key of another type; pattern "
                      "files are signed with Ed25519 keys");
  }
  return PrivateKey(std::move(handle));
}

Status PrivateKey::writeFile(const std::filesystem::path& path, bool overwrite) const {
  const std::string pem = toPem();
  if (pem.empty()) return Status(StatusCode::kInternal, "cannot encode the private key as PEM");
  return pattern_detail::writeFileAtomically(
      path, std::span(reinterpret_cast<const std::uint8_t*>(pem.data()), pem.size()), 0600,
      overwrite);
}

PublicKey PrivateKey::publicKey() const { return PublicKey(handle_, fingerprintOf(handle_->key)); }

Result<Ed25519Signature> PrivateKey::sign(std::span<const std::uint8_t> message) const {
  DigestContextPointer context(EVP_MD_CTX_new());
  Ed25519Signature signature{};
  std::size_t length = signature.size();
  const bool signedOk =
      context && EVP_DigestSignInit(context.get(), nullptr, nullptr, nullptr, handle_->key) == 1 &&
      EVP_DigestSign(context.get(), signature.data(), &length, message.data(), message.size()) ==
          1 &&
      length == signature.size();
  ERR_clear_error();
  if (!signedOk) return Status(StatusCode::kInternal, "OpenSSL failed to sign with Ed25519");
  return signature;
}

std::string PrivateKey::toPem() const {
  BioPointer bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), handle_->key, nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    return std::string();
  }
  return bioText(bio.get());
}

}  // namespace odscan
