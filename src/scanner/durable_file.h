// DurableFile: a newly created file whose contents reach the disk before it is
// published by a rename, for quarantine copies and restored files. Private to the
// scanner library.
//
// Ownership: owns the open descriptor and closes it on destruction.
// Thread safety: one thread per object.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>

#include "odscan/common/status.h"

namespace odscan::scanner {

class DurableFile {
 public:
  // Creates `path`, failing with kAlreadyExists when it exists. `mode` is the
  // POSIX permission bits, reduced by the umask. On Windows `mode` is ignored, the
  // file inherits its folder's access list, and paths longer than MAX_PATH work.
  static Result<DurableFile> create(const std::filesystem::path& path, unsigned mode);

  // Same as create() with mode 0600 set after the file is created, so the umask
  // cannot change it. For every file odscan writes into HCEXEC. On Windows it is
  // create(): the owner-only access list of HCEXEC's folders is inherited.
  static Result<DurableFile> createOwnerOnly(const std::filesystem::path& path);

  DurableFile(DurableFile&& other) noexcept;
  DurableFile& operator=(DurableFile&& other) noexcept;
  DurableFile(const DurableFile&) = delete;
  DurableFile& operator=(const DurableFile&) = delete;
  ~DurableFile();

  Status write(std::span<const std::uint8_t> data);
  // Flushes the written data to the disk.
  Status sync();
  Status close();

  const std::filesystem::path& path() const { return path_; }

 private:
  DurableFile(std::filesystem::path path, int descriptor)
      : path_(std::move(path)), descriptor_(descriptor) {}

  std::filesystem::path path_;
  int descriptor_ = -1;
};

// Returns a hidden, randomly named path next to `path` (".NAME.XXXXXXXX.tmp") for
// writing a file that is renamed to `path` when complete. The name is built from
// path components, never from a narrow string, so non-ASCII names survive on
// Windows.
std::filesystem::path temporarySiblingOf(const std::filesystem::path& path);

// Flushes the directory entry of a file created or renamed in `folder`, so the
// rename survives a power loss. Does nothing on Windows, where the rename itself
// is written through (see platform::moveFile).
Status syncFolder(const std::filesystem::path& folder);

}  // namespace odscan::scanner
