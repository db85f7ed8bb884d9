// Conversions between std::filesystem::path and the UTF-8 strings that the engine
// and the platform layer pass around. Constructing a path from a plain std::string
// would use the ANSI code page on Windows and garble non-ASCII names.
//
// POSIX: the bytes pass through unchanged (via char8_t), so a name that is not
// valid UTF-8 survives the round trip.
// Windows: the UTF-16 name is converted to WTF-8, which is UTF-8 except that an
// unpaired surrogate (NTFS allows them in names) is encoded like any other code
// point instead of raising an exception, as path::u8string() would. fromUtf8()
// decodes it back, so every name survives the round trip there too. Bytes that
// are not UTF-8 become U+FFFD.
//
// Thread safety: pure functions.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace odscan::platform {

#ifdef _WIN32

std::string toUtf8(const std::filesystem::path& path);
std::filesystem::path fromUtf8(std::string_view text);

#else

inline std::string toUtf8(const std::filesystem::path& path) {
  const std::u8string text = path.u8string();
  return std::string(text.begin(), text.end());
}

inline std::filesystem::path fromUtf8(std::string_view text) {
  return std::filesystem::path(
      std::u8string_view(reinterpret_cast<const char8_t*>(text.data()), text.size()));
}

#endif

}  // namespace odscan::platform
