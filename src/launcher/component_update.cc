#include "odscan/launcher/component_update.h"

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <system_error>

#include "file_io.h"
#include "odscan/common/digest.h"
#include "odscan/common/hasher.h"
#include "odscan/pattern/agent_pattern.h"
#include "odscan/platform/utf8_path.h"
#include "odscan/scanner/disk_space.h"
#include "odscan/scanner/formatting.h"

#ifdef _WIN32
#include "odscan/platform/windows_files.h"
#endif

namespace odscan::launcher {
namespace {

using activeupdate::ManifestEntry;
using Sha256 = std::array<std::uint8_t, 32>;

constexpr unsigned kPrivateFileMode = 0600;
constexpr unsigned kProgramFileMode = 0700;
constexpr std::string_view kInstalledRecordFormat = "odscan-installed-components";

std::string inQuotes(const std::filesystem::path& path) {
  return "'" + platform::toUtf8(path) + "'";
}

std::string hexOf(const Sha256& sha256) {
  Digest digest;
  digest.kind = DigestKind::kSha256;
  std::copy(sha256.begin(), sha256.end(), digest.bytes.begin());
  return digest.toHex();
}

std::span<const std::uint8_t> bytesOf(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// Returns the message start that names a component and where it came from.
std::string describe(const ComponentState& state, const ComponentUpdateOptions& options) {
  return "component " + state.component.name + " version " + std::to_string(state.entry.version) +
         " from " + options.consoleUrl + "components/" + state.entry.file;
}

Status rejected(const ComponentState& state, const ComponentUpdateOptions& options,
                const Status& reason) {
  return Status(reason.code(),
                describe(state, options) + " was rejected and not installed: " + reason.message() +
                    ". The scanner was not started. Run the launcher again; if this repeats, ask "
                    "the console administrator to publish the component again");
}

// Moves a finished temporary file over the installed one.
Status moveIntoPlace(const std::filesystem::path& temporary, const std::filesystem::path& target) {
#ifdef _WIN32
  // MoveFileExW replaces the target; std::filesystem::rename of MinGW may not.
  Status moved = platform::moveFile(temporary, target, true);
  if (!moved.ok()) {
    return moved.withContext("cannot replace " + inQuotes(target) +
                             "; close a scanner that is still running from it and try again");
  }
  return moved;
#else
  return pattern_detail::replaceFile(temporary, target);
#endif
}

// Writes `contents` to `target` through a temporary file in the same folder, whose
// SHA-256 is checked against `expected` before the rename.
Status writeChecked(const std::filesystem::path& target, std::span<const std::uint8_t> contents,
                    const Sha256& expected, unsigned mode) {
  const std::string prefix = "." + platform::toUtf8(target.filename()) + ".download";
  Result<std::filesystem::path> temporary =
      pattern_detail::writeTemporaryFile(target.parent_path(), prefix, contents, mode);
  if (!temporary.ok()) return temporary.status();

  Result<Sha256> written = fileSha256(*temporary);
  Status status = written.status();
  if (status.ok() && *written != expected) {
    status = Status(StatusCode::kIoError, "the copy written to " + inQuotes(*temporary) +
                                              " differs from the download; check the disk");
  }
  if (status.ok()) status = moveIntoPlace(*temporary, target);

  if (!status.ok()) {
    std::error_code ignored;
    std::filesystem::remove(*temporary, ignored);
  }
  return status;
}

Status checkSettings(std::span<const std::uint8_t> bytes) {
  const nlohmann::json json = nlohmann::json::parse(bytes.begin(), bytes.end(), nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return Status(StatusCode::kCorrupt, "the settings are not a JSON object");
  }
  const auto format = json.find("format");
  if (format == json.end() || !format->is_string() ||
      format->get<std::string>() != kSettingsFormat) {
    return Status(StatusCode::kCorrupt,
                  "the settings have no \"format\": \"" + std::string(kSettingsFormat) + "\"");
  }
  return Status::success();
}

// Checks what a component's bytes must be beyond the manifest's SHA-256.
Status checkContents(const ComponentState& state, std::span<const std::uint8_t> bytes,
                     const PublicKey& key) {
  if (state.component.name == kAgentPatternComponent) {
    Result<AgentPattern> pattern = AgentPattern::loadFromBytes(bytes, key, state.entry.file);
    return pattern.status();
  }
  if (state.component.name == kSettingsComponent) return checkSettings(bytes);
  return Status::success();
}

Status download(activeupdate::UpdateSource& source, const ComponentState& state,
                const ComponentUpdateOptions& options) {
  if (options.progress) {
    options.progress("downloading " + state.component.name + " version " +
                     std::to_string(state.entry.version) + " (" +
                     scanner::formatBytes(state.entry.size) + ")");
  }
  Result<std::vector<std::uint8_t>> bytes = source.fetchComponent(state.entry);
  if (!bytes.ok()) return rejected(state, options, bytes.status());
  if (Status checked = checkContents(state, *bytes, options.publicKey); !checked.ok()) {
    return rejected(state, options, checked);
  }

  const unsigned mode = state.component.executable ? kProgramFileMode : kPrivateFileMode;
  Status written = writeChecked(state.installedPath, *bytes, state.entry.sha256, mode);
  if (!written.ok()) return written.withContext("cannot install " + describe(state, options));
  return Status::success();
}

// Returns the state of each component, with `downloaded` set for those whose
// installed file is missing or differs from the manifest.
Result<std::vector<ComponentState>> planUpdate(const activeupdate::Manifest& manifest,
                                               const scanner::HomeFolder& home,
                                               const ComponentUpdateOptions& options) {
  std::vector<ComponentState> states;
  for (const LauncherComponent& component : platformComponents()) {
    const ManifestEntry* entry = manifest.find(component.name);
    if (entry == nullptr) {
      return Status(StatusCode::kNotFound,
                    "the console's component store " + options.consoleUrl +
                        "components/ lists no component '" + component.name +
                        "', so the scan cannot start; ask the console administrator to publish it");
    }
    ComponentState state{component, *entry, home.components() / component.installedName, false};
    Result<Sha256> installed = fileSha256(state.installedPath);
    state.downloaded = !installed.ok() || *installed != entry->sha256;
    states.push_back(std::move(state));
  }
  return states;
}

Status checkSpaceFor(const std::vector<ComponentState>& states, const scanner::HomeFolder& home,
                     const ComponentUpdateOptions& options) {
  std::uint64_t needed = options.minFreeSpace;
  for (const ComponentState& state : states) {
    if (state.downloaded) needed += state.entry.size;
  }
  return scanner::checkFreeSpace(home.root(), needed);
}

Status writePublicKey(const scanner::HomeFolder& home, const PublicKey& key) {
  const std::string pem = key.toPem();
  const Sha256 expected = MultiHasher::digestOf(DigestKind::kSha256, bytesOf(pem)).bytes;
  Result<Sha256> installed = fileSha256(home.defaultPublicKeyPath());
  if (installed.ok() && *installed == expected) return Status::success();
  return writeChecked(home.defaultPublicKeyPath(), bytesOf(pem), expected, kPrivateFileMode)
      .withContext("cannot install the publisher's public key");
}

Status writeInstalledRecord(const std::vector<ComponentState>& states,
                            const scanner::HomeFolder& home,
                            const ComponentUpdateOptions& options) {
  nlohmann::ordered_json record;
  record["format"] = kInstalledRecordFormat;
  record["format_version"] = 1;
  record["console_url"] = options.consoleUrl;
  record["updated_at"] = scanner::formatUtcTimestamp(std::chrono::system_clock::now());
  record["components"] = nlohmann::ordered_json::array();
  for (const ComponentState& state : states) {
    nlohmann::ordered_json entry;
    entry["name"] = state.entry.name;
    entry["version"] = state.entry.version;
    entry["file"] = state.component.installedName;
    entry["source_file"] = state.entry.file;
    entry["size"] = state.entry.size;
    entry["sha256"] = hexOf(state.entry.sha256);
    record["components"].push_back(std::move(entry));
  }
  const std::string text = record.dump(2) + "\n";
  const Sha256 expected = MultiHasher::digestOf(DigestKind::kSha256, bytesOf(text)).bytes;
  const std::filesystem::path path = home.components() / std::string(kInstalledRecordName);
  return writeChecked(path, bytesOf(text), expected, kPrivateFileMode)
      .withContext("cannot write the record of installed components");
}

Status verifyInstalledPattern(const scanner::HomeFolder& home,
                              const ComponentUpdateOptions& options) {
  Result<AgentPattern> pattern = AgentPattern::load(home.defaultPatternPath(), options.publicKey);
  if (pattern.ok()) return Status::success();
  return Status(pattern.status().code(),
                "the installed Smart Scan Agent Pattern " + inQuotes(home.defaultPatternPath()) +
                    " does not load with the console's public key: " + pattern.status().message() +
                    ". The scanner was not started. Delete the file and run the launcher again");
}

}  // namespace

std::vector<LauncherComponent> platformComponents() {
  return {
      {std::string(kAgentPatternComponent), "agent-pattern.ptn", false},
      {std::string(kSettingsComponent), std::string(kSettingsFileName), false},
#ifdef _WIN32
      {std::string(kWindowsScannerComponent), std::string(scannerFileName()), true},
#else
      {std::string(kLinuxScannerComponent), std::string(scannerFileName()), true},
#endif
  };
}

std::string_view scannerFileName() {
#ifdef _WIN32
  return "odscan.exe";
#else
  return "odscan";
#endif
}

Result<Sha256> fileSha256(const std::filesystem::path& path) {
#ifdef _WIN32
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(_wfopen(path.c_str(), L"rb"), &std::fclose);
#else
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
#endif
  if (!file) {
    std::error_code error;
    const bool missing = !std::filesystem::exists(path, error);
    return Status(missing ? StatusCode::kNotFound : StatusCode::kIoError,
                  "cannot open " + inQuotes(path) + (missing ? ": it does not exist" : ""));
  }

  DigestKindSet kinds;
  kinds.insert(DigestKind::kSha256);
  MultiHasher hasher(kinds);
  hasher.reset();
  std::vector<std::uint8_t> buffer(1 << 16);
  for (;;) {
    const std::size_t count = std::fread(buffer.data(), 1, buffer.size(), file.get());
    hasher.update(std::span<const std::uint8_t>(buffer.data(), count));
    if (count < buffer.size()) break;
  }
  if (std::ferror(file.get())) return Status(StatusCode::kIoError, "cannot read " + inQuotes(path));

  Sha256 sha256{};
  const Digest digest = *hasher.finish().get(DigestKind::kSha256);
  std::copy(digest.bytes.begin(), digest.bytes.begin() + 32, sha256.begin());
  return sha256;
}

Result<ComponentUpdateReport> updateComponents(activeupdate::UpdateSource& source,
                                               const activeupdate::Manifest& manifest,
                                               const scanner::HomeFolder& home,
                                               const ComponentUpdateOptions& options) {
  Result<std::vector<ComponentState>> states = planUpdate(manifest, home, options);
  if (!states.ok()) return states.status();
  if (Status space = checkSpaceFor(*states, home, options); !space.ok()) return space;

  for (const ComponentState& state : *states) {
    if (!state.downloaded) {
      if (options.progress) {
        options.progress(state.component.name + " is up to date (version " +
                         std::to_string(state.entry.version) + ")");
      }
      continue;
    }
    if (Status downloaded = download(source, state, options); !downloaded.ok()) return downloaded;
  }

  if (Status key = writePublicKey(home, options.publicKey); !key.ok()) return key;
  if (Status record = writeInstalledRecord(*states, home, options); !record.ok()) return record;
  if (Status pattern = verifyInstalledPattern(home, options); !pattern.ok()) return pattern;
  return ComponentUpdateReport{std::move(*states)};
}

}  // namespace odscan::launcher
