#include "odscan/common/hasher.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <cstring>

namespace odscan {
namespace {

// OpenSSL 3 looks up an algorithm by name on every implicit fetch, which can cost
// more than hashing a small file. So each algorithm is fetched once per process.
const EVP_MD* fetchedAlgorithm(DigestKind kind) {
  static EVP_MD* const md5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
  static EVP_MD* const sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  switch (kind) {
    case DigestKind::kMd5:
      return md5;
    case DigestKind::kSha1:
      return sha1;
    case DigestKind::kSha256:
      return sha256;
  }
  return nullptr;
}

constexpr std::array<DigestKind, kDigestKindCount> kAllKinds = {DigestKind::kMd5, DigestKind::kSha1,
                                                                DigestKind::kSha256};

}  // namespace

struct MultiHasher::Contexts {
  std::array<EVP_MD_CTX*, kDigestKindCount> byKind{};

  ~Contexts() {
    for (EVP_MD_CTX* context : byKind) EVP_MD_CTX_free(context);
  }
};

MultiHasher::MultiHasher(DigestKindSet kinds)
    : kinds_(kinds), contexts_(std::make_unique<Contexts>()) {
  for (DigestKind kind : kAllKinds) {
    if (!kinds_.contains(kind)) continue;
    EVP_MD_CTX* context = EVP_MD_CTX_new();
    // Allocation failure or a missing default provider leaves the process unable to
    // hash anything; there is no useful degraded mode.
    if (context == nullptr || fetchedAlgorithm(kind) == nullptr) std::abort();
    contexts_->byKind[digestKindIndex(kind)] = context;
  }
  reset();
}

MultiHasher::~MultiHasher() = default;
MultiHasher::MultiHasher(MultiHasher&&) noexcept = default;
MultiHasher& MultiHasher::operator=(MultiHasher&&) noexcept = default;

void MultiHasher::reset() {
  for (DigestKind kind : kAllKinds) {
    EVP_MD_CTX* context = contexts_->byKind[digestKindIndex(kind)];
    if (context != nullptr) EVP_DigestInit_ex(context, fetchedAlgorithm(kind), nullptr);
  }
}

void MultiHasher::update(std::span<const std::uint8_t> data) {
  for (EVP_MD_CTX* context : contexts_->byKind) {
    if (context != nullptr) EVP_DigestUpdate(context, data.data(), data.size());
  }
}

FileDigests MultiHasher::finish() {
  FileDigests digests;
  for (DigestKind kind : kAllKinds) {
    EVP_MD_CTX* context = contexts_->byKind[digestKindIndex(kind)];
    if (context == nullptr) continue;
    Digest digest;
    digest.kind = kind;
    unsigned int length = 0;
    EVP_DigestFinal_ex(context, digest.bytes.data(), &length);
    digests.byKind[digestKindIndex(kind)] = digest;
  }
  return digests;
}

Digest MultiHasher::digestOf(DigestKind kind, std::span<const std::uint8_t> data) {
  DigestKindSet kinds;
  kinds.insert(kind);
  MultiHasher hasher(kinds);
  hasher.update(data);
  return *hasher.finish().get(kind);
}

}  // namespace odscan
