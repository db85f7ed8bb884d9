// ReadOnlyFile: a file opened for reading only, without taking any lock and, where
// the operating system allows it, without updating its access time. The scanner
// must never get in the way of other programs (security software included) that
// use the same files.
//
// POSIX: open(O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK), plus O_NOFOLLOW when
// links are not followed and O_NOATIME when the kernel permits it (the file's owner
// or CAP_FOWNER). O_NONBLOCK keeps a FIFO that replaced a listed file from blocking
// the open; it has no effect on reads of regular files.
// Windows: CreateFileW(GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE |
// FILE_SHARE_DELETE), plus FILE_FLAG_OPEN_REPARSE_POINT when links are not followed.
//
// Thread safety: one thread at a time per object.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "odscan/platform/file_info.h"
#include "odscan/platform/io_error.h"

namespace odscan::platform {

enum class SeekOrigin { kBegin, kCurrent, kEnd };

class ReadOnlyFile {
 public:
  // Opens `path`. With followSymlink false, a path whose last component is a
  // symbolic link fails with IoErrorKind::kSymlink.
  static IoResult<ReadOnlyFile> open(const std::string& path, bool followSymlink);

  ReadOnlyFile(ReadOnlyFile&& other) noexcept;
  ReadOnlyFile& operator=(ReadOnlyFile&& other) noexcept;
  ReadOnlyFile(const ReadOnlyFile&) = delete;
  ReadOnlyFile& operator=(const ReadOnlyFile&) = delete;
  ~ReadOnlyFile();

  // Describes the opened file itself (fstat), so no other process can swap the file
  // between this call and the reads.
  IoResult<FileInfo> info() const;

  // Reads up to buffer.size() bytes at the current position. Returns 0 at the end
  // of the file. Retries reads interrupted by signals.
  IoResult<std::size_t> read(std::span<std::uint8_t> buffer);

  // Moves the read position and returns the new offset from the beginning.
  IoResult<std::uint64_t> seek(std::int64_t offset, SeekOrigin origin);

 private:
  friend class FileView;  // maps the file through handle_

  explicit ReadOnlyFile(std::intptr_t handle) : handle_(handle) {}
  void close();

  // A file descriptor on POSIX, a HANDLE on Windows; -1 is "none" on both
  // (INVALID_HANDLE_VALUE is -1).
  std::intptr_t handle_ = -1;
};

}  // namespace odscan::platform
