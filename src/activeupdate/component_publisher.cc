#include "odscan/activeupdate/component_publisher.h"

#include <algorithm>
#include <ctime>
#include <set>
#include <system_error>
#include <utility>

#include "component_files.h"
#include "file_io.h"
#include "folder_lock.h"
#include "odscan/activeupdate/update_source.h"
#include "odscan/common/hasher.h"
#include "odscan/pattern/agent_pattern.h"
#include "odscan/pattern/smart_scan_pattern.h"

namespace odscan::activeupdate {
namespace {

// Served by any web server, so readable by everyone.
constexpr unsigned kPublishedFileMode = 0644;

// One input after its checks, ready to be written.
struct LoadedInput {
  std::string name;
  std::uint64_t version = 0;
  std::string extension;
  std::vector<std::uint8_t> bytes;
  std::filesystem::path source;
};

// The folder's manifest before this publish, already verified.
struct CurrentManifest {
  Manifest manifest;
  std::vector<std::uint8_t> bytes;
};

std::string quoted(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

std::array<std::uint8_t, 32> sha256Of(std::span<const std::uint8_t> bytes) {
  const Digest digest = MultiHasher::digestOf(DigestKind::kSha256, bytes);
  std::array<std::uint8_t, 32> result{};
  std::copy_n(digest.bytes.begin(), result.size(), result.begin());
  return result;
}

std::string utcTimestamp(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32] = "";
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

bool isReservedName(std::string_view name) {
  return name == kSmartScanPatternComponent || name == kAgentPatternComponent;
}

Status checkOptions(const PublishOptions& options) {
  if (options.patternFiles.empty() && options.otherComponents.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  "nothing to publish; give pattern files or other components");
  }
  if (options.keep == 0) {
    return Status(StatusCode::kInvalidArgument,
                  "keep is 0, but the folder must keep at least the current version of each "
                  "component; give 1 or more");
  }
  std::set<std::string> names;
  for (const ComponentFile& component : options.otherComponents) {
    if (!isValidComponentName(component.name)) {
      return Status(StatusCode::kInvalidArgument,
                    "component name '" + component.name +
                        "' is invalid; use 1 to 64 characters of a-z, 0-9 and '-', starting "
                        "with a letter or digit");
    }
    if (isReservedName(component.name)) {
      return Status(StatusCode::kInvalidArgument,
                    "component name '" + component.name +
                        "' is reserved for pattern files; pass the pattern file itself");
    }
    if (!names.insert(component.name).second) {
      return Status(StatusCode::kInvalidArgument,
                    "component '" + component.name + "' is given twice; publish one file for it");
    }
  }
  return Status::success();
}

// Reads a pattern file and runs every check `odscan-pattern verify` runs, so that
// no damaged or foreign pattern reaches the folder.
Result<LoadedInput> loadPattern(const std::filesystem::path& path, const PublicKey& key) {
  auto bytes = pattern_detail::readWholeFile(path, kMaxPatternFileSize);
  if (!bytes.ok()) return bytes.status().withContext("cannot read pattern file");
  auto contents = openPatternFile(*bytes, &key, std::nullopt, path.string());
  if (!contents.ok()) return contents.status();

  const PatternHeader header = contents->header;
  const Status payload =
      header.kind == PatternKind::kAgent
          ? AgentPattern::fromPayload(std::move(contents->payload), header).status()
          : SmartScanPattern::fromPayload(std::move(contents->payload), header).status();
  if (!payload.ok()) return payload.withContext("pattern file " + quoted(path));

  return LoadedInput{std::string(componentNameOf(header.kind)), header.version, ".ptn",
                     std::move(bytes).value(), path};
}

Result<LoadedInput> loadOther(const ComponentFile& component) {
  auto bytes = pattern_detail::readWholeFile(component.path, kDefaultMaxComponentSize);
  if (!bytes.ok()) {
    return bytes.status().withContext("cannot read the file of component '" + component.name + "'");
  }
  return LoadedInput{component.name, component.version, publishedExtension(component.path),
                     std::move(bytes).value(), component.path};
}

// Reads and verifies the folder's manifest. Returns nothing for a folder without
// one.
Result<std::optional<CurrentManifest>> loadCurrentManifest(const std::filesystem::path& folder,
                                                           const PublicKey& key) {
  const auto manifestPath = folder / kManifestFileName;
  std::error_code error;
  if (!std::filesystem::exists(std::filesystem::symlink_status(manifestPath, error))) {
    return std::optional<CurrentManifest>();
  }
  auto bytes = pattern_detail::readWholeFile(manifestPath, kMaxManifestSize);
  if (!bytes.ok()) return bytes.status().withContext("cannot read the current manifest");
  auto signature = pattern_detail::readWholeFile(folder / kManifestSignatureFileName,
                                                 kMaxManifestSignatures * kEd25519SignatureLength);
  if (!signature.ok()) {
    return Status(StatusCode::kBadSignature,
                  "the current manifest " + quoted(manifestPath) +
                      " has no valid signature file (" + signature.status().message() +
                      "); publish into a new folder, or delete manifest.json to start this one "
                      "over");
  }

  auto manifest = verifyManifest(*bytes, *signature, key);
  if (!manifest.ok()) {
    const std::string_view advice =
        manifest.status().code() == StatusCode::kBadSignature
            ? "publish with the key that signed it or into a new folder"
            : "publish with the odscan-pattern that wrote it or into a new folder";
    return Status(manifest.status().code(),
                  "the current manifest " + quoted(manifestPath) + " cannot be used: " +
                      manifest.status().message() + "; " + std::string(advice) +
                      ", or delete manifest.json and manifest.json.sig to start this one over");
  }
  return std::optional<CurrentManifest>(
      CurrentManifest{std::move(manifest).value(), std::move(bytes).value()});
}

// Decides how `entry` changes the published component, or why it must not.
Result<ComponentChange> classifyChange(const ManifestEntry& entry, const ManifestEntry* published,
                                       bool allowDowngrade) {
  if (published == nullptr) return ComponentChange::kAdded;
  const std::string component = "component '" + entry.name + "'";
  if (entry.version > published->version) return ComponentChange::kUpgraded;
  if (entry.version == published->version) {
    if (entry.sha256 == published->sha256 && entry.size == published->size) {
      return ComponentChange::kUnchanged;
    }
    return Status(StatusCode::kInvalidArgument,
                  component + " version " + std::to_string(entry.version) +
                      " is already published with other contents; give the new file a new "
                      "version");
  }
  if (allowDowngrade) return ComponentChange::kDowngraded;
  return Status(StatusCode::kInvalidArgument,
                component + " version " + std::to_string(entry.version) +
                    " is older than the published version " + std::to_string(published->version) +
                    "; pass --allow-downgrade to publish it anyway");
}

// Returns true when `path` already contains exactly `bytes`.
bool containsBytes(const std::filesystem::path& path, std::span<const std::uint8_t> bytes) {
  auto existing = pattern_detail::readWholeFile(path, bytes.size());
  return existing.ok() &&
         std::equal(existing->begin(), existing->end(), bytes.begin(), bytes.end());
}

// Adds inputs to the next manifest and writes their files. It remembers the files
// it created, so that undo() can delete them.
class FolderUpdate {
 public:
  FolderUpdate(std::filesystem::path folder, const PublishOptions& options,
               const CurrentManifest* current)
      : folder_(std::move(folder)), options_(options), current_(current) {
    if (current_ != nullptr) next_ = current_->manifest;
  }

  Status add(LoadedInput input);

  // Deletes the component files this object created.
  void undo();

  bool changed() const { return changed_; }
  Manifest& next() { return next_; }
  std::vector<PublishedComponent>& published() { return published_; }

 private:
  Status writeComponentFile(const ManifestEntry& entry, std::span<const std::uint8_t> bytes);

  std::filesystem::path folder_;
  const PublishOptions& options_;
  const CurrentManifest* current_;
  Manifest next_;
  bool changed_ = false;
  std::set<std::string> names_;
  std::vector<std::filesystem::path> createdFiles_;
  std::vector<PublishedComponent> published_;
};

Status FolderUpdate::add(LoadedInput input) {
  if (!names_.insert(input.name).second) {
    return Status(StatusCode::kInvalidArgument, "two inputs are for component '" + input.name +
                                                    "', the second being " + quoted(input.source) +
                                                    "; publish one file per component");
  }
  ManifestEntry entry{input.name, input.version,
                      componentFileName(input.name, input.version, input.extension),
                      input.bytes.size(), sha256Of(input.bytes)};
  const ManifestEntry* published = current_ ? current_->manifest.find(entry.name) : nullptr;
  auto change = classifyChange(entry, published, options_.allowDowngrade);
  if (!change.ok()) return change.status();
  // An unchanged component keeps its entry, including the file name it has.
  if (*change == ComponentChange::kUnchanged) entry.file = published->file;

  Status written = writeComponentFile(entry, input.bytes);
  if (!written.ok()) return written;

  PublishedComponent result{entry, *change, std::nullopt, input.source};
  if (published != nullptr) result.previousVersion = published->version;
  published_.push_back(std::move(result));
  if (*change == ComponentChange::kUnchanged) return Status::success();

  changed_ = true;
  auto& components = next_.components;
  components.erase(
      std::remove_if(components.begin(), components.end(),
                     [&entry](const ManifestEntry& old) { return old.name == entry.name; }),
      components.end());
  components.push_back(std::move(entry));
  return Status::success();
}

Status FolderUpdate::writeComponentFile(const ManifestEntry& entry,
                                        std::span<const std::uint8_t> bytes) {
  const auto path = folder_ / entry.file;
  std::error_code error;
  const bool existed = std::filesystem::exists(std::filesystem::symlink_status(path, error));
  // A file with these bytes may be listed by a manifest that a reader has, so it
  // stays as it is. Any other file at this name is not listed by the current
  // manifest and is replaced.
  if (existed && containsBytes(path, bytes)) return Status::success();

  auto temporary =
      pattern_detail::writeTemporaryFile(folder_, entry.file, bytes, kPublishedFileMode);
  if (!temporary.ok()) return temporary.status();
  Status renamed = pattern_detail::replaceFile(*temporary, path);
  if (!renamed.ok()) {
    std::filesystem::remove(*temporary, error);
    return renamed;
  }
  if (!existed) createdFiles_.push_back(path);
  return Status::success();
}

void FolderUpdate::undo() {
  for (const auto& path : createdFiles_) {
    std::error_code error;
    std::filesystem::remove(path, error);
  }
  createdFiles_.clear();
}

// Writes the signature file and then the manifest, in the order the header explains.
Status writeManifestPair(const std::filesystem::path& folder, const Manifest& manifest,
                         const PrivateKey& key, const CurrentManifest* current) {
  const std::string text = serializeManifest(manifest);
  const auto textBytes = std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
  auto signature = key.sign(textBytes);
  if (!signature.ok()) return signature.status();
  std::vector<std::uint8_t> signatureFile(signature->begin(), signature->end());

  // Ed25519 signatures are deterministic, and the current manifest verified with
  // this key, so signing it again reproduces its signature.
  if (current != nullptr) {
    auto previous = key.sign(current->bytes);
    if (!previous.ok()) return previous.status();
    signatureFile.insert(signatureFile.end(), previous->begin(), previous->end());
  }

  Status signatureWritten = pattern_detail::writeFileAtomically(
      folder / kManifestSignatureFileName, signatureFile, kPublishedFileMode, true);
  if (!signatureWritten.ok()) return signatureWritten;
  return pattern_detail::writeFileAtomically(folder / kManifestFileName, textBytes,
                                             kPublishedFileMode, true);
}

Status prepareFolder(const std::filesystem::path& folder) {
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error || !std::filesystem::is_directory(folder, error)) {
    return Status(StatusCode::kIoError,
                  "cannot create the folder " + quoted(folder) + ": " +
                      (error ? error.message() : std::string("a file has that name")));
  }
  return Status::success();
}

// Loads each input, one at a time so that only one file is in memory, and adds it.
Status addInputs(const PublishOptions& options, const PublicKey& key, FolderUpdate& update) {
  for (const auto& path : options.patternFiles) {
    auto input = loadPattern(path, key);
    if (!input.ok()) return input.status();
    Status added = update.add(std::move(input).value());
    if (!added.ok()) return added;
  }
  for (const ComponentFile& component : options.otherComponents) {
    auto input = loadOther(component);
    if (!input.ok()) return input.status();
    Status added = update.add(std::move(input).value());
    if (!added.ok()) return added;
  }
  return Status::success();
}

}  // namespace

std::string_view componentNameOf(PatternKind kind) {
  return kind == PatternKind::kAgent ? kAgentPatternComponent : kSmartScanPatternComponent;
}

Result<PublishReport> publishComponents(const PublishOptions& options, const PrivateKey& key) {
  const Status valid = checkOptions(options);
  if (!valid.ok()) return valid;
  const auto& folder = options.outputDirectory;
  const Status prepared = prepareFolder(folder);
  if (!prepared.ok()) return prepared;
  auto lock = FolderLock::acquire(folder / kPublishLockFileName);
  if (!lock.ok()) return lock.status();

  const PublicKey publicKey = key.publicKey();
  auto current = loadCurrentManifest(folder, publicKey);
  if (!current.ok()) return current.status();
  const CurrentManifest* currentManifest = current->has_value() ? &current->value() : nullptr;

  FolderUpdate update(folder, options, currentManifest);
  Status added = addInputs(options, publicKey, update);
  if (!added.ok()) {
    update.undo();
    return added;
  }

  PublishReport report;
  report.published = std::move(update.published());
  Manifest& next = update.next();
  if (update.changed()) {
    next.format = kManifestFormat;
    next.created = utcTimestamp(options.publishTime);
    std::sort(next.components.begin(), next.components.end(),
              [](const ManifestEntry& left, const ManifestEntry& right) {
                return left.name < right.name;
              });
    Status written = writeManifestPair(folder, next, key, currentManifest);
    if (!written.ok()) return written;
    report.manifestWritten = true;
  }

  RemovalResult removal = removeOldVersions(folder, next, options.keep);
  report.removedFiles = std::move(removal.removed);
  report.warnings = std::move(removal.warnings);
  report.manifest = std::move(next);
  return report;
}

}  // namespace odscan::activeupdate
