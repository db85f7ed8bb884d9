// A fixed Ed25519 key for the fuzzers, derived from a constant seed so that seed
// files signed by odscan-pattern-fuzz-seeds verify in every fuzzer process.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <array>
#include <cstdlib>
#include <string>

#include "odscan/pattern/signing_key.h"

namespace odscan::fuzz {

// Returns the fuzzing key. Aborts if OpenSSL cannot create it, because a fuzzer
// without its key would silently test nothing.
inline const PrivateKey& fuzzKey() {
  static const PrivateKey key = [] {
    std::array<unsigned char, 32> seed{};
    for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<unsigned char>(i * 7 + 1);
    EVP_PKEY* raw =
        EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size());
    BIO* bio = BIO_new(BIO_s_mem());
    if (raw == nullptr || bio == nullptr ||
        PEM_write_bio_PrivateKey(bio, raw, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
      std::abort();
    }
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    const std::string pem(data, static_cast<std::size_t>(length));
    BIO_free(bio);
    EVP_PKEY_free(raw);
    auto parsed = PrivateKey::fromPem(pem, "fuzz key");
    if (!parsed.ok()) std::abort();
    return std::move(parsed).value();
  }();
  return key;
}

}  // namespace odscan::fuzz
