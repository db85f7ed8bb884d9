#include "odscan/gui/home_removal.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <system_error>
#include <vector>

#include "odscan/platform/utf8_path.h"

namespace odscan::gui {
namespace {

namespace fs = std::filesystem;

// The number of entries an error names before it only counts the rest.
constexpr std::size_t kNamedLeftovers = 5;

bool isHomeFolderName(const fs::path& name) {
  std::string text = platform::toUtf8(name);
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text == "hcexec";
}

Status checkRemovable(const fs::path& root, const fs::file_status& status) {
  const std::string displayed = platform::toUtf8(root);
  if (!isHomeFolderName(root.filename())) {
    return Status(StatusCode::kInvalidArgument,
                  "not removing '" + displayed +
                      "': only a folder named HCEXEC is removed. Delete it by hand if it holds "
                      "nothing but odscan's data");
  }
  if (fs::is_symlink(status)) {
    return Status(StatusCode::kInvalidArgument,
                  "not removing '" + displayed +
                      "': it is a symbolic link. Delete the link, or its target, by hand");
  }
  if (!fs::is_directory(status)) {
    return Status(StatusCode::kInvalidArgument,
                  "not removing '" + displayed + "': it is not a folder. Delete it by hand");
  }
  return Status::success();
}

std::string leftoverList(const std::vector<std::string>& leftovers) {
  std::string list;
  for (std::size_t i = 0; i < leftovers.size() && i < kNamedLeftovers; ++i) {
    if (!list.empty()) list += ", ";
    list += leftovers[i];
  }
  if (leftovers.size() > kNamedLeftovers) {
    list += " and " + std::to_string(leftovers.size() - kNamedLeftovers) + " more";
  }
  return list;
}

}  // namespace

Status removeHomeFolder(const fs::path& root) {
  // "C:\...\HCEXEC\" has an empty filename(); the folder is its parent path.
  const fs::path folder = root.has_filename() ? root : root.parent_path();
  const std::string displayed = platform::toUtf8(folder);

  std::error_code error;
  const fs::file_status status = fs::symlink_status(folder, error);
  if (status.type() == fs::file_type::not_found) return Status::success();
  if (error) {
    return Status(StatusCode::kIoError,
                  "cannot read '" + displayed + "': " + error.message() + ". Delete it by hand");
  }
  if (Status removable = checkRemovable(folder, status); !removable.ok()) return removable;

  // The entries are listed first, because removing them while iterating would
  // change the listing under the iterator.
  std::vector<fs::path> entries;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    entries.push_back(it->path());
  }
  if (error) {
    return Status(StatusCode::kIoError,
                  "cannot list '" + displayed + "': " + error.message() + ". Delete it by hand");
  }

  std::vector<std::string> leftovers;
  for (const fs::path& entry : entries) {
    std::error_code removeError;
    fs::remove_all(entry, removeError);
    if (removeError) {
      leftovers.push_back("'" + platform::toUtf8(entry.filename()) + "' (" + removeError.message() +
                          ")");
    }
  }
  if (!leftovers.empty()) {
    return Status(StatusCode::kIoError,
                  "could not remove everything in '" + displayed + "': " + leftoverList(leftovers) +
                      " remain. Close the programs that use them, such as this scanner, and "
                      "delete the folder by hand");
  }

  fs::remove(folder, error);
  if (error) {
    return Status(StatusCode::kIoError, "emptied '" + displayed + "' but could not remove it: " +
                                            error.message() + ". Delete it by hand");
  }
  return Status::success();
}

}  // namespace odscan::gui
