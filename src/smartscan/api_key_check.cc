#include "odscan/smartscan/api_key_check.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <span>

#include "odscan/common/hasher.h"
#include "odscan/http/request.h"

namespace odscan::smartscan {
namespace {

std::array<std::uint8_t, 32> hashOf(std::string_view text) {
  const Digest digest = MultiHasher::digestOf(
      DigestKind::kSha256,
      std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  std::array<std::uint8_t, 32> hash{};
  std::copy_n(digest.bytes.begin(), hash.size(), hash.begin());
  return hash;
}

}  // namespace

ApiKeyCheck::ApiKeyCheck(const std::vector<ApiKey>& keys) {
  for (const ApiKey& key : keys) entries_.push_back(Entry{key.name, hashOf(key.key)});
}

std::optional<std::string_view> ApiKeyCheck::authenticate(
    std::optional<std::string_view> authorization) const {
  constexpr std::string_view kScheme = "Bearer ";
  if (!authorization || authorization->size() <= kScheme.size() ||
      !http::equalsIgnoringCase(authorization->substr(0, kScheme.size()), kScheme)) {
    return std::nullopt;
  }
  std::string_view token = authorization->substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);

  const auto presented = hashOf(token);
  const Entry* match = nullptr;
  // Every entry is compared, so the time taken does not tell which one matched.
  for (const Entry& entry : entries_) {
    if (CRYPTO_memcmp(entry.hash.data(), presented.data(), presented.size()) == 0) match = &entry;
  }
  if (match == nullptr) return std::nullopt;
  return std::string_view(match->name);
}

}  // namespace odscan::smartscan
