// Signature: one entry of a pattern, a file digest (optionally with the file size)
// mapped to a threat name.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include "odscan/common/digest.h"

namespace odscan {

// Size value meaning "matches a file of any size" (ClamAV's `*`).
inline constexpr std::uint64_t kAnySize = std::numeric_limits<std::uint64_t>::max();

struct Signature {
  Digest digest;
  std::uint64_t size = kAnySize;
  std::string threatName;
};

}  // namespace odscan
