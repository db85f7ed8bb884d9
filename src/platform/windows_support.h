// Helpers shared by the Windows sources of the platform layer: UTF-8 and UTF-16
// conversion, extended-length paths, and classified errors from GetLastError().
//
// Thread safety: pure functions. toWindowsPath() reads the process's current
// folder for relative paths, as every Windows file call does.
#pragma once

#include <windows.h>

#include <string>
#include <string_view>

#include "odscan/platform/file_info.h"
#include "odscan/platform/io_error.h"
#include "odscan/platform/windows_files.h"  // windowsErrorText()

namespace odscan::platform {

// Converts between WTF-8 and UTF-16 (see utf8_path.h). Unpaired surrogates in
// NTFS names survive the round trip, and bytes that are not UTF-8 become U+FFFD.
// Defined in utf8_path_windows.cc.
std::wstring widen(std::string_view utf8);
std::string narrow(std::wstring_view utf16);

// Returns `utf8` as a UTF-16 extended-length path, which Windows file calls
// accept at any length. A drive path becomes "\\?\C:\dir\file" and a network path
// "\\?\UNC\server\share\file". The "\\?\" prefix turns off Windows' own path
// parsing, so this function does that parsing first. Forward slashes become
// backslashes, repeated separators collapse, and "." and ".." components are
// resolved. A relative path is made absolute with GetFullPathNameW. Paths that
// already start with "\\?\" or "\\.\" are returned with only the slashes changed.
std::wstring toWindowsPath(std::string_view utf8);

// Same as toWindowsPath() for a UTF-16 path.
std::wstring toExtendedPath(std::wstring path);

// Returns an IoError whose kind classifies `code` and whose message reads
// "<operation> '<path>': <system message>".
IoError errorFromWindows(DWORD code, const char* operation, const std::string& path);

// Returns true for the reparse tags that make a file or folder a link: symbolic
// links and junctions. Other tags (deduplication, cloud placeholders) are data.
bool isLinkReparseTag(DWORD tag);

// Describes an open handle. A handle opened with FILE_FLAG_OPEN_REPARSE_POINT on
// a symbolic link or junction is described as FileType::kSymlink.
IoResult<FileInfo> describeHandle(HANDLE handle, const std::string& path);

}  // namespace odscan::platform
