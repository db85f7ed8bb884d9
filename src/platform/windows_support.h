// Helpers shared by the Windows sources of the platform layer: UTF-8 and UTF-16
// conversion, long-path prefixes, and classified errors from GetLastError().
//
// NOTE: not yet compiled for a Windows target in CI; checked with
// i686-w64-mingw32-g++ -std=c++20 -fsyntax-only only.
#pragma once

#include <windows.h>

#include <string>
#include <string_view>

#include "odscan/platform/file_info.h"
#include "odscan/platform/io_error.h"

namespace odscan::platform {

std::wstring widen(std::string_view utf8);
std::string narrow(std::wstring_view utf16);

// Returns `utf8` as UTF-16 with the "\\?\" prefix on absolute paths, so paths
// longer than MAX_PATH (260 characters) open too. Forward slashes become
// backslashes, because the prefix turns off that translation.
std::wstring toWindowsPath(std::string_view utf8);

IoError errorFromWindows(DWORD code, const char* operation, const std::string& path);

// Returns true for the reparse tags that make a file or folder a link: symbolic
// links and junctions. Other tags (deduplication, cloud placeholders) are data.
bool isLinkReparseTag(DWORD tag);

// Describes an open handle. A handle opened with FILE_FLAG_OPEN_REPARSE_POINT on
// a symbolic link or junction is described as FileType::kSymlink.
IoResult<FileInfo> describeHandle(HANDLE handle, const std::string& path);

}  // namespace odscan::platform
