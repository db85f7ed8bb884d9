#include "odscan/console/component_store.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <iterator>
#include <map>

#include "odscan/activeupdate/component_publisher.h"
#include "odscan/console/credentials.h"
#include "odscan/pattern/pattern_file.h"

namespace odscan::console {
namespace {

namespace fs = std::filesystem;
using activeupdate::Manifest;
using activeupdate::ManifestEntry;

constexpr std::string_view kStagingFolder = ".staging";

Result<std::string> readWholeFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status(StatusCode::kNotFound, "'" + path.string() + "' cannot be opened");
  }
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Status(StatusCode::kIoError, "reading '" + path.string() + "' failed");
  return bytes;
}

// Returns the version in `fileName` when it is NAME-VERSION or NAME-VERSION.EXT
// of component `name`.
std::optional<std::uint64_t> versionOfFile(std::string_view fileName, std::string_view name) {
  if (fileName.size() <= name.size() + 1 || fileName.substr(0, name.size()) != name ||
      fileName[name.size()] != '-') {
    return std::nullopt;
  }
  const std::string_view rest = fileName.substr(name.size() + 1);
  std::uint64_t version = 0;
  const auto parsed = std::from_chars(rest.data(), rest.data() + rest.size(), version);
  if (parsed.ec != std::errc() || parsed.ptr == rest.data()) return std::nullopt;
  const std::string_view tail(parsed.ptr,
                              static_cast<std::size_t>(rest.data() + rest.size() - parsed.ptr));
  if (!tail.empty() && (tail[0] != '.' || tail.find_first_of("-.", 1) != std::string_view::npos)) {
    return std::nullopt;
  }
  return version;
}

std::optional<fs::path> fileOfVersion(const fs::path& folder, std::string_view name,
                                      std::uint64_t version) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(folder, error)) {
    const std::string fileName = entry.path().filename().string();
    if (entry.is_regular_file(error) && versionOfFile(fileName, name) == version) {
      return entry.path();
    }
  }
  return std::nullopt;
}

}  // namespace

bool isStoreComponent(std::string_view name) {
  return name == activeupdate::kAgentPatternComponent || name == kScannerWindowsComponent ||
         name == kScannerLinuxComponent || name == kSettingsComponent;
}

ComponentStore::ComponentStore(fs::path folder, PrivateKey key)
    : folder_(std::move(folder)), key_(std::move(key)), publicKey_(key_.publicKey()) {}

Result<std::unique_ptr<ComponentStore>> ComponentStore::open(fs::path folder, PrivateKey key) {
  std::error_code error;
  fs::create_directories(folder / kStagingFolder, error);
  if (error) {
    return Status(StatusCode::kIoError, "cannot create the component store '" + folder.string() +
                                            "': " + error.message() +
                                            "; check the data folder's permissions");
  }
  std::unique_ptr<ComponentStore> store(new ComponentStore(std::move(folder), std::move(key)));
  // A manifest signed by another key would make every launcher reject the store.
  if (auto current = store->manifest(); !current.ok()) {
    return current.status().withContext("the component store '" + store->folder_.string() +
                                        "' cannot be used with this publisher key");
  }
  return store;
}

Result<Manifest> ComponentStore::manifest() const {
  std::error_code error;
  const fs::path manifestFile = folder_ / activeupdate::kManifestFileName;
  if (!fs::exists(manifestFile, error)) return Manifest{};
  auto bytes = readWholeFile(manifestFile);
  if (!bytes.ok()) return bytes.status();
  auto signatures = readWholeFile(folder_ / activeupdate::kManifestSignatureFileName);
  if (!signatures.ok()) return signatures.status();
  return activeupdate::verifyManifest(
      std::span(reinterpret_cast<const std::uint8_t*>(bytes->data()), bytes->size()),
      std::span(reinterpret_cast<const std::uint8_t*>(signatures->data()), signatures->size()),
      publicKey_, "the publisher key");
}

Result<std::vector<ComponentVersions>> ComponentStore::versions() const {
  auto current = manifest();
  if (!current.ok()) return current.status();
  std::vector<ComponentVersions> result;
  for (std::string_view name : {activeupdate::kAgentPatternComponent, kScannerWindowsComponent,
                                kScannerLinuxComponent, kSettingsComponent}) {
    ComponentVersions component;
    component.name = std::string(name);
    if (const ManifestEntry* entry = current->find(name)) component.current = *entry;
    std::error_code error;
    for (const auto& file : fs::directory_iterator(folder_, error)) {
      if (auto version = versionOfFile(file.path().filename().string(), name)) {
        component.available.push_back(*version);
      }
    }
    std::sort(component.available.rbegin(), component.available.rend());
    result.push_back(std::move(component));
  }
  return result;
}

Result<ManifestEntry> ComponentStore::publish(std::string_view name, const fs::path& file,
                                              std::optional<std::uint64_t> version) {
  std::lock_guard<std::mutex> guard(publishMutex_);
  return publishLocked(name, file, version, false);
}

Result<ManifestEntry> ComponentStore::publishBytes(std::string_view name, std::string_view bytes,
                                                   std::string_view extension,
                                                   std::optional<std::uint64_t> version) {
  std::lock_guard<std::mutex> guard(publishMutex_);
  const fs::path staged = folder_ / kStagingFolder /
                          (std::string(name) + "-" + randomToken(8) + std::string(extension));
  {
    std::ofstream out(staged, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out.good()) {
      return Status(StatusCode::kIoError,
                    "cannot write '" + staged.string() + "'; check free space in the data folder");
    }
  }
  auto published = publishLocked(name, staged, version, false);
  std::error_code error;
  fs::remove(staged, error);
  return published;
}

Result<ManifestEntry> ComponentStore::rollback(std::string_view name) {
  std::lock_guard<std::mutex> guard(publishMutex_);
  auto current = manifest();
  if (!current.ok()) return current.status();
  const ManifestEntry* entry = current->find(name);
  if (entry == nullptr) {
    return Status(StatusCode::kNotFound,
                  "the component '" + std::string(name) + "' is not published; upload it first");
  }

  std::optional<std::uint64_t> previous;
  std::error_code error;
  for (const auto& file : fs::directory_iterator(folder_, error)) {
    const auto version = versionOfFile(file.path().filename().string(), name);
    if (version && *version < entry->version && (!previous || *version > *previous)) {
      previous = version;
    }
  }
  if (!previous) {
    return Status(StatusCode::kNotFound, "no version of '" + std::string(name) + "' older than " +
                                             std::to_string(entry->version) +
                                             " is kept; upload the version you want instead");
  }

  const auto source = fileOfVersion(folder_, name, *previous);
  if (!source) return Status(StatusCode::kNotFound, "the older version's file vanished");
  // The publisher writes into the folder it reads from, so it gets a copy.
  const fs::path staged = folder_ / kStagingFolder /
                          (std::string(name) + "-" + randomToken(8) + source->extension().string());
  fs::copy_file(*source, staged, fs::copy_options::overwrite_existing, error);
  if (error) {
    return Status(StatusCode::kIoError,
                  "cannot copy '" + source->string() + "' for the rollback: " + error.message());
  }
  auto published = publishLocked(name, staged, *previous, true);
  fs::remove(staged, error);
  return published;
}

Result<ManifestEntry> ComponentStore::publishLocked(std::string_view name, const fs::path& file,
                                                    std::optional<std::uint64_t> version,
                                                    bool allowDowngrade) {
  if (!isStoreComponent(name)) {
    return Status(StatusCode::kInvalidArgument,
                  "'" + std::string(name) +
                      "' is not a component of the store; use agent-pattern, scanner-windows, "
                      "scanner-linux or ondemand-settings");
  }
  activeupdate::PublishOptions options;
  options.outputDirectory = folder_;
  options.allowDowngrade = allowDowngrade;
  if (name == activeupdate::kAgentPatternComponent) {
    // Checked before publishing: a Smart Scan Pattern would otherwise be listed
    // under its own name, and a launcher would never receive it.
    auto pattern = readPatternFile(file, &publicKey_, PatternKind::kAgent);
    if (!pattern.ok()) {
      return pattern.status().withContext("the agent pattern is rejected");
    }
    options.patternFiles.push_back(file);
  } else {
    std::uint64_t chosen = 1;
    if (version) {
      chosen = *version;
    } else {
      auto current = manifest();
      if (!current.ok()) return current.status();
      if (const ManifestEntry* entry = current->find(name)) chosen = entry->version + 1;
    }
    options.otherComponents.push_back({std::string(name), chosen, file});
  }
  auto report = activeupdate::publishComponents(options, key_);
  if (!report.ok()) {
    return report.status().withContext("cannot publish '" + file.filename().string() + "' as " +
                                       std::string(name));
  }
  if (report->published.empty()) {
    return Status(StatusCode::kInternal, "the publisher reported no component");
  }
  return report->published.front().entry;
}

Result<std::string> ComponentStore::readServedFile(std::string_view name) const {
  const bool manifestFile =
      name == activeupdate::kManifestFileName || name == activeupdate::kManifestSignatureFileName;
  if (!manifestFile) {
    auto current = manifest();
    if (!current.ok()) return current.status();
    // Only files the manifest lists, or kept earlier versions, are served; the
    // name check keeps the path inside the folder.
    bool known = false;
    for (const ManifestEntry& entry : current->components) known = known || entry.file == name;
    if (!known) {
      for (std::string_view component :
           {activeupdate::kAgentPatternComponent, kScannerWindowsComponent, kScannerLinuxComponent,
            kSettingsComponent}) {
        known = known || versionOfFile(name, component).has_value();
      }
    }
    if (!known || !activeupdate::isValidComponentFileName(name)) {
      return Status(StatusCode::kNotFound,
                    "'" + std::string(name) + "' is not a file of the component store");
    }
  }
  return readWholeFile(folder_ / std::string(name));
}

}  // namespace odscan::console
