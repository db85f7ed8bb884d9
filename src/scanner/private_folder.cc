#include "private_folder.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#ifndef _WIN32
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace odscan::scanner {
namespace {

#ifndef _WIN32
constexpr mode_t kOwnerOnly = 0700;
constexpr mode_t kGroupAndOther = 0077;
#endif

std::string quoted(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

Status notAFolder(const std::filesystem::path& folder, std::string_view label) {
  return Status(StatusCode::kInvalidArgument,
                std::string(label) + " " + quoted(folder) +
                    " is a file, not a folder; move the file away, or choose another HCEXEC "
                    "folder with --home");
}

Status symbolicLink(const std::filesystem::path& folder, std::string_view label) {
  return Status(StatusCode::kPermissionDenied,
                std::string(label) + " " + quoted(folder) +
                    " is a symbolic link; remove it, or choose another HCEXEC folder with --home");
}

}  // namespace

Result<bool> createPrivateFolder(const std::filesystem::path& folder) {
#ifdef _WIN32
  std::error_code error;
  const bool created = std::filesystem::create_directory(folder, error);
  if (error) {
    return Status(StatusCode::kIoError,
                  "cannot create the folder " + quoted(folder) + ": " + error.message());
  }
  return created;
#else
  if (::mkdir(folder.c_str(), kOwnerOnly) != 0) {
    if (errno == EEXIST) return false;
    const StatusCode code = errno == EACCES || errno == EPERM ? StatusCode::kPermissionDenied
                            : errno == ENOSPC                 ? StatusCode::kNoSpace
                                                              : StatusCode::kIoError;
    return Status(code, "cannot create the folder " + quoted(folder) + ": " + std::strerror(errno) +
                            "; check the permissions and free space of its parent folder");
  }
  // mkdir() applies the umask; chmod() does not.
  if (::chmod(folder.c_str(), kOwnerOnly) != 0) {
    return Status(StatusCode::kIoError, "cannot set the permissions of the new folder " +
                                            quoted(folder) + ": " + std::strerror(errno));
  }
  return true;
#endif
}

Status checkOwnFolder(const std::filesystem::path& folder, std::string_view label) {
#ifdef _WIN32
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::symlink_status(folder, error);
  if (status.type() == std::filesystem::file_type::not_found) {
    return Status(StatusCode::kNotFound,
                  std::string(label) + " " + quoted(folder) + " does not exist");
  }
  if (error) {
    return Status(StatusCode::kIoError, "cannot read " + std::string(label) + " " + quoted(folder) +
                                            ": " + error.message());
  }
  if (status.type() == std::filesystem::file_type::symlink) return symbolicLink(folder, label);
  if (status.type() != std::filesystem::file_type::directory) return notAFolder(folder, label);
  return Status::success();
#else
  struct stat info {};
  if (::lstat(folder.c_str(), &info) != 0) {
    if (errno == ENOENT) {
      return Status(StatusCode::kNotFound,
                    std::string(label) + " " + quoted(folder) + " does not exist");
    }
    return Status(StatusCode::kIoError, "cannot read " + std::string(label) + " " + quoted(folder) +
                                            ": " + std::strerror(errno));
  }
  if (S_ISLNK(info.st_mode)) return symbolicLink(folder, label);
  if (!S_ISDIR(info.st_mode)) return notAFolder(folder, label);
  if (info.st_uid != ::geteuid()) {
    return Status(StatusCode::kPermissionDenied,
                  std::string(label) + " " + quoted(folder) +
                      " belongs to another user; choose another HCEXEC folder with --home or "
                      "TMPDIR");
  }
  return Status::success();
#endif
}

Result<bool> restrictFolderToOwner(const std::filesystem::path& folder, std::string_view label) {
  if (Status owned = checkOwnFolder(folder, label); !owned.ok()) return owned;
#ifdef _WIN32
  return false;
#else
  struct stat info {};
  if (::lstat(folder.c_str(), &info) != 0) {
    return Status(StatusCode::kIoError, "cannot read " + std::string(label) + " " + quoted(folder) +
                                            ": " + std::strerror(errno));
  }
  if ((info.st_mode & kGroupAndOther) == 0) return false;
  if (::chmod(folder.c_str(), kOwnerOnly) != 0) {
    return Status(StatusCode::kPermissionDenied,
                  "cannot make " + std::string(label) + " " + quoted(folder) +
                      " private to its owner: " + std::strerror(errno) +
                      "; run 'chmod 700' on it, or choose another HCEXEC folder with --home");
  }
  return true;
#endif
}

}  // namespace odscan::scanner
