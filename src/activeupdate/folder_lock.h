// FolderLock: an exclusive advisory lock (flock) on the lock file of an
// ActiveUpdate folder, so that two publishers never interleave their writes.
// Private to odscan_activeupdate; POSIX only, like the publishing tools.
//
// Ownership: owns the open lock file; closing it releases the lock. The file
// stays in the folder, because deleting it would let a third publisher lock a new
// file while a second still holds the old one.
// Thread safety: one thread per object.
#pragma once

#include <filesystem>

#include "odscan/common/status.h"

namespace odscan::activeupdate {

class FolderLock {
 public:
  // Locks `lockFile`, creating it when missing. Fails at once with kAlreadyExists
  // when another process or object holds the lock, instead of waiting.
  static Result<FolderLock> acquire(const std::filesystem::path& lockFile);

  FolderLock(FolderLock&& other) noexcept;
  FolderLock& operator=(FolderLock&& other) noexcept;
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;
  ~FolderLock();

 private:
  explicit FolderLock(int descriptor) : descriptor_(descriptor) {}

  int descriptor_ = -1;
};

}  // namespace odscan::activeupdate
