#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "file_info_posix.h"
#include "odscan/platform/directory_reader.h"
#include "posix_error.h"

namespace odscan::platform {
namespace {

struct DirCloser {
  void operator()(DIR* dir) const { ::closedir(dir); }
};

FileType typeFromDirent(unsigned char type) {
  switch (type) {
    case DT_REG:
      return FileType::kRegular;
    case DT_DIR:
      return FileType::kDirectory;
    case DT_LNK:
      return FileType::kSymlink;
    case DT_FIFO:
    case DT_SOCK:
    case DT_CHR:
    case DT_BLK:
      return FileType::kSpecial;
    default:
      // DT_UNKNOWN: some file systems (older XFS, some FUSE) leave the type out.
      return FileType::kUnknown;
  }
}

bool isDotOrDotDot(const char* name) {
  return name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'));
}

// Same retry as for files: O_NOATIME is refused with EPERM for folders the caller
// does not own.
int openDirectory(const char* path, bool followSymlink) {
  int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  if (!followSymlink) flags |= O_NOFOLLOW;
#ifdef O_NOATIME
  int fd = ::open(path, flags | O_NOATIME);
  if (fd >= 0 || errno != EPERM) return fd;
#endif
  return ::open(path, flags);
}

// With O_NOFOLLOW a final symbolic link fails with ELOOP, or with ENOTDIR when
// O_DIRECTORY is checked first (Linux does that), so ENOTDIR needs a look at the
// path itself.
bool isSymlink(const std::string& path, int openError) {
  if (openError == ELOOP) return true;
  if (openError != ENOTDIR) return false;
  struct stat status {};
  return ::lstat(path.c_str(), &status) == 0 && S_ISLNK(status.st_mode);
}

}  // namespace

struct DirectoryReader::State {
  std::unique_ptr<DIR, DirCloser> dir;
  FileId id;
  std::string path;
};

DirectoryReader::DirectoryReader(std::unique_ptr<State> state) : state_(std::move(state)) {}
DirectoryReader::DirectoryReader(DirectoryReader&&) noexcept = default;
DirectoryReader& DirectoryReader::operator=(DirectoryReader&&) noexcept = default;
DirectoryReader::~DirectoryReader() = default;

IoResult<DirectoryReader> DirectoryReader::open(const std::string& path, bool followSymlink) {
  const int fd = openDirectory(path.c_str(), followSymlink);
  if (fd < 0) {
    const int code = errno;
    IoError error = errorFromErrno(code, "cannot open the folder", path);
    if (!followSymlink && isSymlink(path, code)) error.kind = IoErrorKind::kSymlink;
    return error;
  }

  struct stat status {};
  if (::fstat(fd, &status) != 0) {
    const int code = errno;
    ::close(fd);
    return errorFromErrno(code, "cannot read the attributes of", path);
  }

  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    const int code = errno;
    ::close(fd);
    return errorFromErrno(code, "cannot list", path);
  }

  auto state = std::make_unique<State>();
  state->dir.reset(dir);
  state->id = fileInfoFromStat(status).id;
  state->path = path;
  return DirectoryReader(std::move(state));
}

const FileId& DirectoryReader::id() const { return state_->id; }

IoResult<std::optional<DirectoryEntry>> DirectoryReader::next() {
  while (true) {
    errno = 0;
    const dirent* entry = ::readdir(state_->dir.get());
    if (entry == nullptr) {
      if (errno != 0) return errorFromErrno(errno, "cannot list", state_->path);
      return std::optional<DirectoryEntry>();
    }
    if (isDotOrDotDot(entry->d_name)) continue;
    return std::optional<DirectoryEntry>(
        DirectoryEntry{entry->d_name, typeFromDirent(entry->d_type)});
  }
}

IoResult<FileInfo> DirectoryReader::statEntry(const std::string& name, bool followSymlink) const {
  struct stat status {};
  const int flags = followSymlink ? 0 : AT_SYMLINK_NOFOLLOW;
  if (::fstatat(::dirfd(state_->dir.get()), name.c_str(), &status, flags) != 0) {
    return errorFromErrno(errno, "cannot read the attributes of", state_->path + "/" + name);
  }
  return fileInfoFromStat(status);
}

}  // namespace odscan::platform
