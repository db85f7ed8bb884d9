// Conversion between the UTF-8 text of the scanner library and the UTF-16 text
// that the Win32 API takes. Invalid UTF-8 (which the scanner replaces before it
// reports a path, but an error message may still carry) becomes U+FFFD.
//
// Thread safety: pure functions.
#pragma once

#ifdef _WIN32

#include <string>
#include <string_view>

namespace odscan::gui {

std::wstring toUtf16(std::string_view utf8);
std::string toUtf8(std::wstring_view utf16);

// Returns `utf8` in UTF-16 with each "\n" turned into "\r\n", which multi-line
// static controls need to break a line.
std::wstring toControlText(std::string_view utf8);

}  // namespace odscan::gui

#endif  // _WIN32
