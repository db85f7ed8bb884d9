// Windows file operations for the files the scanner writes itself (HCEXEC,
// quarantine entries, restored files), where std::filesystem falls short on
// MinGW: its calls go through MSVCRT, which is limited to MAX_PATH (260
// characters) and whose stat() rejects the "?" of the "\\?\" prefix. These
// functions call the Win32 API with extended-length paths instead, and their
// errors name the path and carry the system's message.
//
// Paths are std::filesystem::path, which is UTF-16 on Windows, so any name
// works. Messages are UTF-8.
//
// Thread safety: free functions; calls on different paths may run at once.
#pragma once

#ifdef _WIN32

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "odscan/common/status.h"

namespace odscan::platform {

// Returns `path` absolute, normalized and with the "\\?\" prefix ("\\?\UNC\" for
// a network share), for Win32 calls such as CreateFileW and MoveFileExW. Never
// pass the result to std::filesystem, because MSVCRT's stat() rejects it.
std::filesystem::path extendedLengthPath(const std::filesystem::path& path);

// Returns the system's message for a GetLastError() code in UTF-8, without the
// trailing period, or "Windows error N" when the system has none.
std::string windowsErrorText(std::uint32_t code);

// Returns a Status for a failed Win32 call with the message "<action> '<path>'
// failed: <system message>" and the matching code (kAlreadyExists, kNotFound,
// kPermissionDenied for access denied and for sharing and lock violations,
// kNoSpace, or kIoError).
Status windowsStatus(std::uint32_t code, std::string_view action,
                     const std::filesystem::path& path);

// Renames `from` to `to` on the same volume with MoveFileExW and
// MOVEFILE_WRITE_THROUGH, so the call returns only once the rename is on disk.
// Without `replaceExisting` it fails with kAlreadyExists when `to` exists, and it
// never copies across volumes.
Status moveFile(const std::filesystem::path& from, const std::filesystem::path& to,
                bool replaceExisting);

// Deletes the file `path`. A read-only file loses its read-only attribute first,
// as `del /f` does, and gets it back when the deletion still fails.
Status removeFile(const std::filesystem::path& path);

}  // namespace odscan::platform

#endif  // _WIN32
