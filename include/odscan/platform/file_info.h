// FileInfo and FileId: the type, size and identity of a file or folder. The
// identity detects directory loops (device and inode on POSIX, volume
// serial number and file index on Windows).
//
// Paths passed to the platform layer are UTF-8 strings; the Windows implementation
// converts them to UTF-16.
//
// Thread safety: plain values; statPath() may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "odscan/platform/io_error.h"

namespace odscan::platform {

#ifdef _WIN32
inline constexpr char kPathSeparator = '\\';
#else
inline constexpr char kPathSeparator = '/';
#endif

enum class FileType : std::uint8_t {
  kUnknown,  // the directory listing left the type out; call statEntry()
  kRegular,
  kDirectory,
  kSymlink,  // a symbolic link, or on Windows a junction
  kSpecial,  // a device, FIFO or socket: never opened by the scanner
};

struct FileId {
  std::uint64_t device = 0;
  std::uint64_t index = 0;

  bool operator==(const FileId&) const = default;
};

struct FileIdHash {
  std::size_t operator()(const FileId& id) const noexcept {
    return static_cast<std::size_t>(id.index * 0x9E3779B97F4A7C15ull ^ id.device);
  }
};

struct FileInfo {
  FileType type = FileType::kUnknown;
  std::uint64_t size = 0;  // bytes; meaningful for regular files
  // Set for every file on POSIX. On Windows it is set for folders only: loop
  // detection needs no other, and reading it costs a volume query per file.
  FileId id;
};

// Returns the type, size and ID of `path`. With followSymlink false a symbolic link
// is described itself (type kSymlink) instead of its target.
IoResult<FileInfo> statPath(const std::string& path, bool followSymlink);

}  // namespace odscan::platform
