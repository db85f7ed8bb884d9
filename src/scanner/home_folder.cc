#include "odscan/scanner/home_folder.h"

#include <system_error>

#include "odscan/platform/system.h"

#ifndef _WIN32
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace odscan::scanner {
namespace {

#ifndef _WIN32
// Checks that `root` is a real folder owned by the current user.
Status checkOwnership(const std::filesystem::path& root) {
  struct stat info {};
  if (::lstat(root.c_str(), &info) != 0) {
    return Status(StatusCode::kIoError, "cannot read the HCEXEC folder '" + root.string() + "'");
  }
  if (S_ISLNK(info.st_mode)) {
    return Status(StatusCode::kPermissionDenied,
                  "the HCEXEC folder '" + root.string() +
                      "' is a symbolic link; remove it, or choose another folder with --home");
  }
  if (info.st_uid != ::geteuid()) {
    return Status(StatusCode::kPermissionDenied,
                  "the HCEXEC folder '" + root.string() +
                      "' belongs to another user; choose another folder with --home or TMPDIR");
  }
  return Status::success();
}
#endif

Status createFolder(const std::filesystem::path& folder) {
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) {
    return Status(StatusCode::kIoError, "cannot create the folder '" + folder.string() +
                                            "': " + error.message() +
                                            "; check its permissions, or choose another "
                                            "HCEXEC folder with --home");
  }
  if (!std::filesystem::is_directory(folder, error)) {
    return Status(StatusCode::kIoError, "'" + folder.string() +
                                            "' exists but is not a folder; move it away, or "
                                            "choose another HCEXEC folder with --home");
  }
  return Status::success();
}

}  // namespace

HomeFolder::HomeFolder(const std::filesystem::path& root) {
  std::error_code error;
  root_ = std::filesystem::absolute(root, error);
  if (error) root_ = root;
}

std::filesystem::path HomeFolder::defaultRoot() { return platform::tempDirectory() / "HCEXEC"; }

Status HomeFolder::createLayout() const {
  std::error_code error;
  const bool existed = std::filesystem::symlink_status(root_, error).type() !=
                       std::filesystem::file_type::not_found;
  if (!existed) {
    if (Status created = createFolder(root_); !created.ok()) return created;
    // Session logs name the user's files, so only the owner may read them.
    std::filesystem::permissions(root_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, error);
  }

#ifndef _WIN32
  if (Status owned = checkOwnership(root_); !owned.ok()) return owned;
#endif

  for (const auto& folder : {components(), sessions(), quarantine()}) {
    if (Status created = createFolder(folder); !created.ok()) return created;
  }
  return Status::success();
}

}  // namespace odscan::scanner
