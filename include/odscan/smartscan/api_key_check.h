// ApiKeyCheck: checks the "Authorization: Bearer KEY" header of a request against
// the configured API keys (the Global Smart Scan Server role).
//
// Only SHA-256 hashes of the keys are kept, and a check compares the hash of the
// presented key with every stored hash in constant time, so neither timing nor a
// memory dump reveals a key.
//
// Thread safety: immutable after construction; authenticate() may be called from
// many threads at once.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "odscan/smartscan/server_config.h"

namespace odscan::smartscan {

class ApiKeyCheck {
 public:
  explicit ApiKeyCheck(const std::vector<ApiKey>& keys);

  // True when keys are configured, so requests need one.
  bool enabled() const { return !entries_.empty(); }

  // Returns the name of the key that `authorization` (the header value, if any)
  // presents, or nothing when it presents no valid key.
  std::optional<std::string_view> authenticate(std::optional<std::string_view> authorization) const;

 private:
  struct Entry {
    std::string name;
    std::array<std::uint8_t, 32> hash{};
  };
  std::vector<Entry> entries_;
};

}  // namespace odscan::smartscan
