#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "file_info_posix.h"
#include "odscan/platform/read_only_file.h"
#include "posix_error.h"

namespace odscan::platform {
namespace {

int openFlags(bool followSymlink) {
  int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  if (!followSymlink) flags |= O_NOFOLLOW;
  return flags;
}

// Opens with O_NOATIME first. The kernel rejects that flag with EPERM unless the
// caller owns the file or has CAP_FOWNER, so EPERM means "retry without it", not
// "access denied".
int openWithoutAtime(const char* path, int flags) {
#ifdef O_NOATIME
  int fd = ::open(path, flags | O_NOATIME);
  if (fd >= 0 || errno != EPERM) return fd;
#endif
  return ::open(path, flags);
}

}  // namespace

IoResult<ReadOnlyFile> ReadOnlyFile::open(const std::string& path, bool followSymlink) {
  const int fd = openWithoutAtime(path.c_str(), openFlags(followSymlink));
  if (fd < 0) {
    const int code = errno;
    IoError error = errorFromErrno(code, "cannot open", path);
    // O_NOFOLLOW reports a final symbolic link as ELOOP.
    if (code == ELOOP && !followSymlink) error.kind = IoErrorKind::kSymlink;
    return error;
  }
  return ReadOnlyFile(fd);
}

ReadOnlyFile::ReadOnlyFile(ReadOnlyFile&& other) noexcept
    : handle_(std::exchange(other.handle_, -1)) {}

ReadOnlyFile& ReadOnlyFile::operator=(ReadOnlyFile&& other) noexcept {
  if (this != &other) {
    close();
    handle_ = std::exchange(other.handle_, -1);
  }
  return *this;
}

ReadOnlyFile::~ReadOnlyFile() { close(); }

void ReadOnlyFile::close() {
  // Nothing was written, so an error from close() cannot lose data.
  if (handle_ >= 0) ::close(static_cast<int>(handle_));
  handle_ = -1;
}

IoResult<FileInfo> ReadOnlyFile::info() const {
  struct stat status {};
  if (::fstat(static_cast<int>(handle_), &status) != 0) {
    return errorFromErrno(errno, "cannot read the attributes of", "(open file)");
  }
  return fileInfoFromStat(status);
}

IoResult<std::size_t> ReadOnlyFile::read(std::span<std::uint8_t> buffer) {
  while (true) {
    const ssize_t count = ::read(static_cast<int>(handle_), buffer.data(), buffer.size());
    if (count >= 0) return static_cast<std::size_t>(count);
    if (errno != EINTR) return errorFromErrno(errno, "cannot read", "(open file)");
  }
}

IoResult<std::uint64_t> ReadOnlyFile::seek(std::int64_t offset, SeekOrigin origin) {
  int whence = SEEK_SET;
  if (origin == SeekOrigin::kCurrent) whence = SEEK_CUR;
  if (origin == SeekOrigin::kEnd) whence = SEEK_END;
  const off_t position = ::lseek(static_cast<int>(handle_), static_cast<off_t>(offset), whence);
  if (position < 0) return errorFromErrno(errno, "cannot seek in", "(open file)");
  return static_cast<std::uint64_t>(position);
}

}  // namespace odscan::platform
