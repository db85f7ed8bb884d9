#include "odscan/scanner/home_folder.h"

#include <system_error>

#include "odscan/platform/system.h"
#include "odscan/platform/utf8_path.h"
#include "private_folder.h"

namespace odscan::scanner {
namespace {

constexpr std::string_view kRootName = "the HCEXEC folder";
constexpr std::string_view kSubFolderName = "the HCEXEC sub-folder";

// Creates `folder` for its owner only, or restricts the existing one. Returns true
// when an existing folder's mode was changed.
Result<bool> makePrivateFolder(const std::filesystem::path& folder, std::string_view label) {
  Result<bool> created = createPrivateFolder(folder);
  if (!created.ok()) return created.status();
  if (*created) return false;
  return restrictFolderToOwner(folder, label);
}

}  // namespace

std::string restrictedFolderMessage(const std::filesystem::path& folder) {
#ifdef _WIN32
  return "other users had access to '" + platform::toUtf8(folder) +
         "'; its access list now lets in only its owner, SYSTEM and Administrators";
#else
  return "other users had access to '" + folder.string() +
         "'; its mode is now 0700, so only its owner can use it";
#endif
}

HomeFolder::HomeFolder(const std::filesystem::path& root) {
  if (root.empty()) return;
  std::error_code error;
  root_ = std::filesystem::absolute(root, error);
  if (error) root_ = root;
  // "HCEXEC/" would name the same folder as "HCEXEC" but give it an empty file name.
  if (!root_.has_filename() && root_.has_relative_path()) root_ = root_.parent_path();
}

std::filesystem::path HomeFolder::defaultRoot() { return platform::tempDirectory() / "HCEXEC"; }

Status HomeFolder::checkRootPath() const {
  if (!root_.empty()) return Status::success();
  return Status(StatusCode::kInvalidArgument,
                "the HCEXEC folder path is empty; pass a folder with --home, or leave the "
                "option out to use HCEXEC in the temporary folder");
}

Result<LayoutChanges> HomeFolder::createLayout() const {
  if (Status valid = checkRootPath(); !valid.ok()) return valid;

  // Parents of the root are ordinary folders (for example a --home below $HOME).
  std::error_code error;
  std::filesystem::create_directories(root_.parent_path(), error);
  if (error) {
    return Status(StatusCode::kIoError, "cannot create the folder '" +
                                            root_.parent_path().string() + "': " + error.message() +
                                            "; check its permissions, or choose another HCEXEC "
                                            "folder with --home");
  }

  LayoutChanges changes;
  Result<bool> root = makePrivateFolder(root_, kRootName);
  if (!root.ok()) return root.status();
  if (*root) changes.restricted.push_back(root_);

  for (const auto& folder : {components(), sessions(), quarantine()}) {
    Result<bool> restricted = makePrivateFolder(folder, kSubFolderName);
    if (!restricted.ok()) return restricted.status();
    if (*restricted) changes.restricted.push_back(folder);
  }
  return changes;
}

Status HomeFolder::checkExisting(const std::filesystem::path& folder) const {
  if (Status valid = checkRootPath(); !valid.ok()) return valid;
  if (Status root = checkOwnFolder(root_, kRootName); !root.ok() || folder == root_) return root;
  return checkOwnFolder(folder, kSubFolderName);
}

}  // namespace odscan::scanner
