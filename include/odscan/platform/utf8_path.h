// Conversions between std::filesystem::path and the UTF-8 strings that the engine
// and the platform layer pass around. Constructing a path from a plain std::string
// would use the ANSI code page on Windows and garble non-ASCII names. These
// functions always go through char8_t.
//
// Thread safety: pure functions.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace odscan::platform {

inline std::string toUtf8(const std::filesystem::path& path) {
  const std::u8string text = path.u8string();
  return std::string(text.begin(), text.end());
}

inline std::filesystem::path fromUtf8(std::string_view text) {
  return std::filesystem::path(
      std::u8string_view(reinterpret_cast<const char8_t*>(text.data()), text.size()));
}

}  // namespace odscan::platform
