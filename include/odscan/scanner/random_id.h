// Random identifiers for sessions and quarantine entries.
//
// Thread safety: may be called from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace odscan::scanner {

// Returns `byteCount` random bytes from the operating system's generator as
// lower-case hex (two digits per byte).
std::string randomHexId(std::size_t byteCount);

// Returns true when `text` is non-empty and only lower-case hex digits, which keeps
// a user-supplied id from naming a path outside its folder.
bool isHexId(std::string_view text);

}  // namespace odscan::scanner
