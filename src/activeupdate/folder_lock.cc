#include "folder_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

namespace odscan::activeupdate {

Result<FolderLock> FolderLock::acquire(const std::filesystem::path& lockFile) {
  const std::string path = lockFile.string();
  const int descriptor = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (descriptor < 0) {
    const int error = errno;
    return Status(error == EACCES ? StatusCode::kPermissionDenied : StatusCode::kIoError,
                  "cannot open the lock file '" + path + "': " + std::strerror(error) +
                      "; check that the folder is writable");
  }

  if (::flock(descriptor, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(descriptor);
    if (error == EWOULDBLOCK) {
      return Status(StatusCode::kAlreadyExists, "another publish holds the lock file '" + path +
                                                    "'; wait for it to finish, then try again");
    }
    return Status(StatusCode::kIoError, "cannot lock '" + path + "': " + std::strerror(error));
  }
  return FolderLock(descriptor);
}

FolderLock::FolderLock(FolderLock&& other) noexcept
    : descriptor_(std::exchange(other.descriptor_, -1)) {}

FolderLock& FolderLock::operator=(FolderLock&& other) noexcept {
  if (this != &other) {
    if (descriptor_ >= 0) ::close(descriptor_);
    descriptor_ = std::exchange(other.descriptor_, -1);
  }
  return *this;
}

FolderLock::~FolderLock() {
  if (descriptor_ >= 0) ::close(descriptor_);
}

}  // namespace odscan::activeupdate
