// Names of component files in an ActiveUpdate folder and the removal of old
// versions. A component file is named COMPONENT-VERSION.EXT (or COMPONENT-VERSION
// without an extension), and EXT is 1 to 16 letters and digits. The last '-' of
// such a name is therefore the one after the component name, so a file name
// belongs to at most one component. Private to odscan_activeupdate.
//
// Thread safety: free functions; callers hold the folder lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "odscan/activeupdate/manifest.h"

namespace odscan::activeupdate {

// Returns COMPONENT-VERSION followed by `extension` (empty or ".EXT").
std::string componentFileName(std::string_view component, std::uint64_t version,
                              std::string_view extension);

// Returns the extension of `path` (".exe") when it is 1 to 16 letters and digits
// after the dot. Otherwise returns an empty string, so the file is published
// without an extension.
std::string publishedExtension(const std::filesystem::path& path);

// Returns the version in `fileName` when it is a file of `component`, as
// componentFileName() writes it.
std::optional<std::uint64_t> componentFileVersion(std::string_view fileName,
                                                  std::string_view component);

struct RemovalResult {
  std::vector<std::string> removed;
  std::vector<std::string> warnings;  // files that could not be removed, and why
};

// For each component of `manifest`, deletes the regular files of its versions in
// `folder` except the one the manifest lists and the `keep` - 1 newest others.
// Symbolic links and other kinds of file are left alone.
RemovalResult removeOldVersions(const std::filesystem::path& folder, const Manifest& manifest,
                                std::size_t keep);

}  // namespace odscan::activeupdate
