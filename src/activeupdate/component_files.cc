#include "component_files.h"

#include <algorithm>
#include <charconv>
#include <system_error>
#include <utility>

namespace odscan::activeupdate {
namespace {

constexpr std::size_t kMaxExtensionLength = 16;

bool isAlphanumeric(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Returns true for "" and for '.' followed by 1 to kMaxExtensionLength letters and
// digits.
bool isExtension(std::string_view text) {
  if (text.empty()) return true;
  if (text.front() != '.' || text.size() < 2 || text.size() > kMaxExtensionLength + 1) {
    return false;
  }
  return std::all_of(text.begin() + 1, text.end(), isAlphanumeric);
}

struct VersionFile {
  std::uint64_t version = 0;
  std::string name;
};

// Lists the regular files of the versions of `component` in `folder` other than
// `current`, newest first.
std::vector<VersionFile> otherVersionFiles(const std::filesystem::path& folder,
                                           std::string_view component, std::string_view current,
                                           std::vector<std::string>& warnings) {
  std::vector<VersionFile> files;
  std::error_code error;
  std::filesystem::directory_iterator entries(folder, error);
  for (; !error && entries != std::filesystem::directory_iterator(); entries.increment(error)) {
    const std::string name = entries->path().filename().string();
    const auto version = componentFileVersion(name, component);
    if (!version || name == current) continue;
    std::error_code statusError;
    if (!entries->is_regular_file(statusError) || entries->is_symlink(statusError)) continue;
    files.push_back({*version, name});
  }
  if (error) {
    warnings.push_back("cannot list '" + folder.string() + "' to remove old versions of '" +
                       std::string(component) + "': " + error.message());
  }
  std::sort(files.begin(), files.end(), [](const VersionFile& left, const VersionFile& right) {
    return left.version > right.version;
  });
  return files;
}

}  // namespace

std::string componentFileName(std::string_view component, std::uint64_t version,
                              std::string_view extension) {
  return std::string(component) + "-" + std::to_string(version) + std::string(extension);
}

std::string publishedExtension(const std::filesystem::path& path) {
  const std::string extension = path.extension().string();
  return extension.size() >= 2 && isExtension(extension) ? extension : std::string();
}

std::optional<std::uint64_t> componentFileVersion(std::string_view fileName,
                                                  std::string_view component) {
  if (fileName.size() <= component.size() + 1 ||
      fileName.substr(0, component.size()) != component || fileName[component.size()] != '-') {
    return std::nullopt;
  }
  const std::string_view rest = fileName.substr(component.size() + 1);
  std::uint64_t version = 0;
  const auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), version);
  if (error != std::errc() || end == rest.data()) return std::nullopt;
  // from_chars accepts leading zeros, but componentFileName() never writes them.
  if (rest.front() == '0' && end - rest.data() > 1) return std::nullopt;
  if (!isExtension(rest.substr(static_cast<std::size_t>(end - rest.data())))) return std::nullopt;
  return version;
}

RemovalResult removeOldVersions(const std::filesystem::path& folder, const Manifest& manifest,
                                std::size_t keep) {
  RemovalResult result;
  const std::size_t keptOthers = keep > 0 ? keep - 1 : 0;
  for (const ManifestEntry& entry : manifest.components) {
    const auto files = otherVersionFiles(folder, entry.name, entry.file, result.warnings);
    for (std::size_t i = keptOthers; i < files.size(); ++i) {
      std::error_code error;
      if (std::filesystem::remove(folder / files[i].name, error)) {
        result.removed.push_back(files[i].name);
      } else if (error) {
        result.warnings.push_back("cannot remove the old file '" +
                                  (folder / files[i].name).string() + "': " + error.message());
      }
    }
  }
  return result;
}

}  // namespace odscan::activeupdate
