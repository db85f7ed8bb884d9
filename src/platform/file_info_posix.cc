#include "file_info_posix.h"

#include <sys/stat.h>

#include <cerrno>

#include "odscan/platform/file_info.h"
#include "posix_error.h"

namespace odscan::platform {

FileInfo fileInfoFromStat(const struct stat& status) {
  FileInfo info;
  if (S_ISREG(status.st_mode)) {
    info.type = FileType::kRegular;
  } else if (S_ISDIR(status.st_mode)) {
    info.type = FileType::kDirectory;
  } else if (S_ISLNK(status.st_mode)) {
    info.type = FileType::kSymlink;
  } else {
    info.type = FileType::kSpecial;
  }
  info.size = status.st_size > 0 ? static_cast<std::uint64_t>(status.st_size) : 0;
  info.id.device = static_cast<std::uint64_t>(status.st_dev);
  info.id.index = static_cast<std::uint64_t>(status.st_ino);
  return info;
}

IoResult<FileInfo> statPath(const std::string& path, bool followSymlink) {
  struct stat status {};
  const int rc = followSymlink ? ::stat(path.c_str(), &status) : ::lstat(path.c_str(), &status);
  if (rc != 0) return errorFromErrno(errno, "cannot read the attributes of", path);
  return fileInfoFromStat(status);
}

}  // namespace odscan::platform
