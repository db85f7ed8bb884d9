#include "odscan/scanner/quarantine_store.h"

#include <openssl/rand.h>

#ifdef _WIN32
#include <windows.h>
#endif

#include <algorithm>
#include <array>
#include <chrono>
#include <fstream>
#include <system_error>
#include <tuple>

#include "durable_file.h"
#include "odscan/common/hasher.h"
#include "odscan/platform/file_info.h"
#include "odscan/platform/utf8_path.h"
#include "odscan/platform/windows_files.h"
#include "odscan/scanner/formatting.h"
#include "odscan/scanner/random_id.h"
#include "quarantine_file.h"

namespace odscan::scanner {
namespace {

constexpr std::size_t kEntryIdBytes = 4;
constexpr std::size_t kChunkSize = 64 * 1024;
constexpr const char* kEntryExtension = ".odq";

struct FileFacts {
  std::uint64_t size = 0;
  FileDigests digests;
};

// The path std::ifstream opens. On Windows that is the extended-length form,
// because MSVCRT's _wfopen is limited to MAX_PATH (260 characters) otherwise.
std::filesystem::path streamPath(const std::filesystem::path& path) {
#ifdef _WIN32
  return platform::extendedLengthPath(path);
#else
  return path;
#endif
}

std::span<const std::uint8_t> bytesOf(const std::vector<char>& buffer, std::size_t count) {
  return {reinterpret_cast<const std::uint8_t*>(buffer.data()), count};
}

// Reads `path` once and returns its size and digests; `consume`, when set, gets
// every chunk as it is read.
Result<FileFacts> readFile(const std::filesystem::path& path, DigestKindSet kinds,
                           const std::function<Status(std::span<const std::uint8_t>)>& consume) {
  std::ifstream input(streamPath(path), std::ios::binary);
  if (!input) {
    return Status(StatusCode::kIoError, "cannot open '" + platform::toUtf8(path) + "' for reading");
  }

  MultiHasher hasher(kinds);
  hasher.reset();
  FileFacts facts;
  std::vector<char> buffer(kChunkSize);
  while (input) {
    input.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto count = static_cast<std::size_t>(input.gcount());
    if (count == 0) break;
    hasher.update(bytesOf(buffer, count));
    facts.size += count;
    if (consume) {
      if (Status consumed = consume(bytesOf(buffer, count)); !consumed.ok()) return consumed;
    }
  }
  if (input.bad())
    return Status(StatusCode::kIoError, "reading '" + platform::toUtf8(path) + "' failed");
  facts.digests = hasher.finish();
  return facts;
}

template <std::size_t N>
void fillRandom(std::array<std::uint8_t, N>& bytes) {
  if (RAND_bytes(bytes.data(), static_cast<int>(N)) != 1) {
    // The key only makes the bytes inert, so a weaker source still serves.
    const std::string hex = randomHexId(N);
    for (std::size_t i = 0; i < N; ++i) bytes[i] = static_cast<std::uint8_t>(hex[i]);
  }
}

// Removes a file that an operation created, ignoring errors, because the caller is
// already returning the error that matters.
void discard(const std::filesystem::path& path) {
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
}

// Removes a temporary file on every early return unless release() was called.
class TemporaryFileGuard {
 public:
  explicit TemporaryFileGuard(std::filesystem::path path) : path_(std::move(path)) {}
  ~TemporaryFileGuard() {
    if (!released_) discard(path_);
  }
  TemporaryFileGuard(const TemporaryFileGuard&) = delete;
  TemporaryFileGuard& operator=(const TemporaryFileGuard&) = delete;
  void release() { released_ = true; }

 private:
  std::filesystem::path path_;
  bool released_ = false;
};

Status filesystemError(std::string_view action, const std::filesystem::path& path,
                       const std::error_code& error) {
  return Status(StatusCode::kIoError, std::string(action) + " '" + platform::toUtf8(path) +
                                          "' failed: " + error.message());
}

// Explains why a symbolic link is not quarantined and names the file it points to,
// because that file contains the threat.
std::string symbolicLinkProblem(const std::filesystem::path& link) {
  std::error_code error;
  const std::filesystem::path target = std::filesystem::canonical(link, error);
  if (error) {
    return "it is a symbolic link whose target cannot be resolved (" + error.message() +
           "); only regular files are quarantined";
  }
  return "it is a symbolic link to '" + platform::toUtf8(target) +
         "', and links are not quarantined; scan '" + platform::toUtf8(target) +
         "' with --action quarantine to quarantine the file itself";
}

// The type of the file to quarantine, without following a final link, and its
// permission bits. Windows has no permission bits, so there the mode records the
// read-only attribute: 0444 when it is set, 0644 when not.
struct OriginalFile {
  std::filesystem::file_type type = std::filesystem::file_type::none;
  std::uint32_t mode = 0;
};

OriginalFile describeOriginal(const std::filesystem::path& file) {
#ifdef _WIN32
  // MSVCRT's stat() is limited to MAX_PATH, so the platform layer describes it.
  auto info = platform::statPath(platform::toUtf8(file), false);
  if (!info.ok()) return {};
  OriginalFile original;
  switch (info->type) {
    case platform::FileType::kRegular:
      original.type = std::filesystem::file_type::regular;
      break;
    case platform::FileType::kSymlink:
      original.type = std::filesystem::file_type::symlink;
      break;
    case platform::FileType::kDirectory:
      original.type = std::filesystem::file_type::directory;
      break;
    default:
      original.type = std::filesystem::file_type::unknown;
      break;
  }
  const DWORD attributes = ::GetFileAttributesW(platform::extendedLengthPath(file).c_str());
  const bool readOnly =
      attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_READONLY) != 0;
  original.mode = readOnly ? 0444u : 0644u;
  return original;
#else
  std::error_code error;
  const auto status = std::filesystem::symlink_status(file, error);
  if (error) return {};
  return {status.type(), static_cast<std::uint32_t>(status.permissions()) & 07777u};
#endif
}

// Gives a restored file the recorded permission bits. On Windows only the
// read-only attribute follows them: it is set when the owner had no write bit.
// Errors are ignored, because the bytes are restored either way.
void applyMode(const std::filesystem::path& file, std::uint32_t mode) {
#ifdef _WIN32
  if ((mode & 0200u) != 0) return;
  const std::filesystem::path target = platform::extendedLengthPath(file);
  const DWORD attributes = ::GetFileAttributesW(target.c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES) return;
  ::SetFileAttributesW(target.c_str(), attributes | FILE_ATTRIBUTE_READONLY);
#else
  std::error_code ignored;
  std::filesystem::permissions(file, static_cast<std::filesystem::perms>(mode), ignored);
#endif
}

// Renames a finished entry into place. On Windows MoveFileExW writes the rename
// through to disk and, unlike std::filesystem::rename there, never replaces an
// existing entry and never copies across volumes.
Status publishEntry(const std::filesystem::path& temporary, const std::filesystem::path& entry) {
#ifdef _WIN32
  return platform::moveFile(temporary, entry, false);
#else
  std::error_code error;
  std::filesystem::rename(temporary, entry, error);
  return error ? filesystemError("renaming", temporary, error) : Status::success();
#endif
}

Status removeOriginal(const std::filesystem::path& file) {
#ifdef _WIN32
  // Clears a read-only attribute first, which std::filesystem::remove does not.
  return platform::removeFile(file);
#else
  std::error_code error;
  if (std::filesystem::remove(file, error)) return Status::success();
  return filesystemError("removing", file, error);
#endif
}

Status checkScannedDigest(const QuarantineRequest& request, const FileDigests& digests) {
  if (!request.scannedDigest) return Status::success();
  const auto& now = digests.get(request.scannedDigest->kind);
  if (now && *now == *request.scannedDigest) return Status::success();
  return Status(StatusCode::kInvalidArgument,
                "'" + platform::toUtf8(request.file) +
                    "' changed after it was scanned, so it was not quarantined; scan it again");
}

// Writes header and encrypted payload to `copy`, checking that the file still has
// the size and SHA-256 measured before.
Status writeEncryptedCopy(DurableFile& copy, const QuarantineRequest& request,
                          const QuarantineHeader& header) {
  if (Status written = copy.write(encodeQuarantineHeader(header)); !written.ok()) return written;

  Result<QuarantineCipher> cipher = QuarantineCipher::create(header.key, header.counter);
  if (!cipher.ok()) return cipher.status();

  std::vector<std::uint8_t> encrypted(kChunkSize);
  DigestKindSet sha256;
  sha256.insert(DigestKind::kSha256);
  Result<FileFacts> facts =
      readFile(request.file, sha256, [&](std::span<const std::uint8_t> chunk) {
        if (Status applied = cipher->apply(chunk, encrypted); !applied.ok()) return applied;
        return copy.write(std::span<const std::uint8_t>(encrypted.data(), chunk.size()));
      });
  if (!facts.ok()) return facts.status();

  if (facts->size != header.entry.originalSize ||
      *facts->digests.get(DigestKind::kSha256) != header.entry.originalSha256) {
    return Status(StatusCode::kIoError, "'" + platform::toUtf8(request.file) +
                                            "' changed while it was being quarantined");
  }
  return Status::success();
}

struct OpenEntry {
  QuarantineHeader header;
  std::ifstream payload;  // positioned at the first payload byte
};

// Opens entry `id` and checks its header and its length.
Result<OpenEntry> openEntry(const std::filesystem::path& folder, const std::string& id) {
  if (!isHexId(id) || id.size() > 32) {
    return Status(StatusCode::kInvalidArgument,
                  "'" + id + "' is not a quarantine id; run 'odscan quarantine list' to see them");
  }
  const std::filesystem::path file = folder / (id + kEntryExtension);
  OpenEntry entry;
  entry.payload.open(streamPath(file), std::ios::binary);
  if (!entry.payload) {
    return Status(StatusCode::kNotFound, "no quarantine entry " + id + " in '" +
                                             platform::toUtf8(folder) +
                                             "'; run 'odscan quarantine list' to see them");
  }

  Result<QuarantineHeader> header = decodeQuarantineHeader(entry.payload, file);
  if (!header.ok()) return header.status();
  entry.header = std::move(*header);
  entry.header.entry.entryFile = file;
  if (entry.header.entry.id != id) {
    return Status(StatusCode::kCorrupt, "quarantine entry '" + platform::toUtf8(file) +
                                            "' names id " + entry.header.entry.id +
                                            " in its header; it was renamed or damaged");
  }

  std::error_code error;
  const std::uint64_t fileSize = std::filesystem::file_size(file, error);
  const auto payloadStart = static_cast<std::uint64_t>(entry.payload.tellg());
  if (error || fileSize < payloadStart ||
      fileSize - payloadStart != entry.header.entry.originalSize) {
    return Status(StatusCode::kTruncated,
                  "quarantine entry '" + platform::toUtf8(file) + "' does not hold the " +
                      std::to_string(entry.header.entry.originalSize) +
                      " bytes its header records; it is damaged and cannot be restored");
  }
  return entry;
}

// Returns where restore() writes: the original path, the original file name inside
// `destination` when that ends in a separator or is a folder, or `destination`.
Result<std::filesystem::path> restoreTarget(
    const QuarantineEntry& entry, const std::optional<std::filesystem::path>& destination) {
  if (!destination) return entry.originalPath;
  if (destination->empty()) {
    return Status(StatusCode::kInvalidArgument,
                  "the restore destination is empty; pass a file or folder with --to, or leave "
                  "the option out to restore to the original path");
  }
  std::error_code error;
  if (!destination->has_filename() || std::filesystem::is_directory(*destination, error)) {
    return *destination / entry.originalPath.filename();
  }
  return *destination;
}

// Creates the missing folders above a restored file and, unless release() is
// called, removes them again when the restore fails, so a failed restore leaves
// no empty folders behind.
class CreatedFolders {
 public:
  CreatedFolders() = default;
  ~CreatedFolders() {
    if (released_) return;
    std::error_code ignored;
    for (auto it = created_.rbegin(); it != created_.rend(); ++it) {
      std::filesystem::remove(*it, ignored);  // removes only empty folders
    }
  }
  CreatedFolders(const CreatedFolders&) = delete;
  CreatedFolders& operator=(const CreatedFolders&) = delete;

  Status create(const std::filesystem::path& folder) {
    std::vector<std::filesystem::path> missing;
    std::error_code error;
    for (std::filesystem::path at = folder; !at.empty() && !std::filesystem::exists(at, error);
         at = at.parent_path()) {
      missing.push_back(at);
      if (at == at.parent_path()) break;
    }
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
      const bool created = std::filesystem::create_directory(*it, error);
      if (error) return filesystemError("creating the folder", *it, error);
      if (created) created_.push_back(*it);
    }
    return Status::success();
  }

  void release() { released_ = true; }

 private:
  std::vector<std::filesystem::path> created_;  // outermost first
  bool released_ = false;
};

// Decrypts the payload into `output` and checks size and SHA-256 against the header.
Status decryptPayload(OpenEntry& entry, DurableFile& output) {
  const QuarantineEntry& facts = entry.header.entry;
  Result<QuarantineCipher> cipher =
      QuarantineCipher::create(entry.header.key, entry.header.counter);
  if (!cipher.ok()) return cipher.status();

  DigestKindSet sha256;
  sha256.insert(DigestKind::kSha256);
  MultiHasher hasher(sha256);
  hasher.reset();
  std::vector<char> buffer(kChunkSize);
  std::vector<std::uint8_t> plain(kChunkSize);
  std::uint64_t total = 0;
  while (entry.payload) {
    entry.payload.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto count = static_cast<std::size_t>(entry.payload.gcount());
    if (count == 0) break;
    if (Status applied = cipher->apply(bytesOf(buffer, count), plain); !applied.ok()) {
      return applied;
    }
    const std::span<const std::uint8_t> chunk(plain.data(), count);
    hasher.update(chunk);
    total += count;
    if (Status written = output.write(chunk); !written.ok()) return written;
  }
  if (entry.payload.bad()) {
    return Status(StatusCode::kIoError,
                  "reading '" + platform::toUtf8(facts.entryFile) + "' failed");
  }

  if (total != facts.originalSize ||
      *hasher.finish().get(DigestKind::kSha256) != facts.originalSha256) {
    return Status(StatusCode::kCorrupt,
                  "the bytes in quarantine entry '" + platform::toUtf8(facts.entryFile) +
                      "' do not match the SHA-256 recorded when it was quarantined; the entry "
                      "is damaged, nothing was restored and the entry was kept");
  }
  return Status::success();
}

// Moves the verified temporary file to `target`. Without `overwrite` a hard link
// publishes it, because creating a link fails atomically when `target` exists.
Status publishRestoredFile(const std::filesystem::path& temporary,
                           const std::filesystem::path& target, bool overwrite) {
#ifdef _WIN32
  // Without MOVEFILE_REPLACE_EXISTING the rename itself fails atomically when
  // `target` exists, so Windows needs no hard link.
  Status moved = platform::moveFile(temporary, target, overwrite);
  if (moved.code() == StatusCode::kAlreadyExists) {
    return Status(StatusCode::kAlreadyExists, "'" + platform::toUtf8(target) + "' exists");
  }
  return moved;
#else
  std::error_code error;
  if (overwrite) {
    std::filesystem::rename(temporary, target, error);
    return error ? filesystemError("renaming", temporary, error) : Status::success();
  }

  std::filesystem::create_hard_link(temporary, target, error);
  if (!error) {
    discard(temporary);
    return Status::success();
  }
  if (std::filesystem::exists(target)) {
    return Status(StatusCode::kAlreadyExists, "'" + platform::toUtf8(target) + "' exists");
  }
  // File systems without hard links (FAT) fall back to a plain rename.
  error.clear();
  std::filesystem::rename(temporary, target, error);
  return error ? filesystemError("renaming", temporary, error) : Status::success();
#endif
}

}  // namespace

Status QuarantineStore::storeCopy(const QuarantineRequest& request, const QuarantineHeader& header,
                                  const std::filesystem::path& temporary) const {
  Result<DurableFile> copy = DurableFile::createOwnerOnly(temporary);
  if (!copy.ok()) return copy.status();
  TemporaryFileGuard guard(temporary);

  if (Status fault = injectFault(QuarantineStep::kWriteCopy); !fault.ok()) return fault;
  if (Status written = writeEncryptedCopy(*copy, request, header); !written.ok()) return written;

  if (Status fault = injectFault(QuarantineStep::kSyncCopy); !fault.ok()) return fault;
  if (Status synced = copy->sync(); !synced.ok()) return synced;
  if (Status closed = copy->close(); !closed.ok()) return closed;

  if (Status fault = injectFault(QuarantineStep::kPublishCopy); !fault.ok()) return fault;
  if (Status published = publishEntry(temporary, header.entry.entryFile); !published.ok()) {
    return published;
  }
  guard.release();
  if (Status synced = syncFolder(folder_); !synced.ok()) {
    discard(header.entry.entryFile);
    return synced;
  }
  return Status::success();
}

Status QuarantineStore::injectFault(QuarantineStep step) const {
  return faultHook_ ? faultHook_(step) : Status::success();
}

Result<QuarantineEntry> QuarantineStore::quarantine(const QuarantineRequest& request) {
  const std::string context =
      "cannot quarantine '" + platform::toUtf8(request.file) + "'; the file was left in place";
  const OriginalFile original = describeOriginal(request.file);
  if (original.type == std::filesystem::file_type::symlink) {
    return Status(StatusCode::kInvalidArgument, symbolicLinkProblem(request.file))
        .withContext(context);
  }
  if (original.type != std::filesystem::file_type::regular) {
    return Status(StatusCode::kInvalidArgument, "it is not a regular file").withContext(context);
  }

  DigestKindSet kinds;
  kinds.insert(DigestKind::kSha256);
  if (request.scannedDigest) kinds.insert(request.scannedDigest->kind);
  Result<FileFacts> facts = readFile(request.file, kinds, nullptr);
  if (!facts.ok()) return facts.status().withContext(context);
  if (Status same = checkScannedDigest(request, facts->digests); !same.ok()) return same;

  QuarantineHeader header;
  QuarantineEntry& entry = header.entry;
  entry.id = randomHexId(kEntryIdBytes);
  std::error_code error;
  entry.originalPath = std::filesystem::absolute(request.file, error);
  if (error) entry.originalPath = request.file;
  // absolute() keeps the separators it was given, and Windows paths from the
  // command line may use '/'. The header records them as Windows shows them.
  entry.originalPath.make_preferred();
  entry.originalSize = facts->size;
  entry.originalSha256 = *facts->digests.get(DigestKind::kSha256);
  entry.threatName = request.threatName;
  entry.detectionPath = request.detectionPath;
  entry.quarantinedAt = formatUtcTimestamp(std::chrono::system_clock::now());
  entry.mode = original.mode;
  entry.sessionId = request.sessionId;
  entry.entryFile = folder_ / (entry.id + kEntryExtension);
  fillRandom(header.key);
  fillRandom(header.counter);

  if (std::filesystem::exists(entry.entryFile, error)) {
    return Status(StatusCode::kAlreadyExists, "quarantine id " + entry.id + " is taken; retry")
        .withContext(context);
  }
  const std::filesystem::path temporary = folder_ / ("." + entry.id + ".tmp");
  Status stored = storeCopy(request, header, temporary);
  if (!stored.ok()) return stored.withContext(context);

  Status removed = injectFault(QuarantineStep::kRemoveOriginal);
  if (removed.ok()) removed = removeOriginal(request.file);
  if (!removed.ok()) {
    discard(entry.entryFile);
    return removed.withContext(context);
  }
  (void)syncFolder(request.file.has_parent_path() ? request.file.parent_path() : ".");
  return entry;
}

Result<QuarantineEntry> QuarantineStore::find(const std::string& id) const {
  Result<OpenEntry> entry = openEntry(folder_, id);
  if (!entry.ok()) return entry.status();
  return std::move(entry->header.entry);
}

Result<QuarantineListing> QuarantineStore::list() const {
  std::error_code error;
  std::filesystem::directory_iterator iterator(folder_, error);
  if (error) return filesystemError("listing the quarantine folder", folder_, error);

  QuarantineListing listing;
  for (const auto& item : iterator) {
    const std::filesystem::path& file = item.path();
    if (file.extension() != kEntryExtension || !isHexId(platform::toUtf8(file.stem()))) continue;
    Result<QuarantineEntry> entry = find(platform::toUtf8(file.stem()));
    if (entry.ok()) {
      listing.entries.push_back(std::move(*entry));
    } else {
      listing.damaged.push_back({platform::toUtf8(file.stem()), file, entry.status()});
    }
  }

  std::sort(listing.entries.begin(), listing.entries.end(),
            [](const QuarantineEntry& left, const QuarantineEntry& right) {
              return std::tie(left.quarantinedAt, left.id) <
                     std::tie(right.quarantinedAt, right.id);
            });
  return listing;
}

Result<RestoreOutcome> QuarantineStore::restore(const RestoreRequest& request) {
  Result<OpenEntry> entry = openEntry(folder_, request.id);
  if (!entry.ok()) return entry.status();

  RestoreOutcome outcome;
  outcome.entry = entry->header.entry;
  Result<std::filesystem::path> target = restoreTarget(outcome.entry, request.destination);
  if (!target.ok()) return target.status();
  outcome.restoredTo = std::move(*target);
  // A destination typed with '/' on Windows is shown with '\' like other paths.
  outcome.restoredTo.make_preferred();
  const std::string context = "cannot restore quarantine entry " + request.id + " to '" +
                              platform::toUtf8(outcome.restoredTo) + "'";
  std::error_code error;
  if (!request.overwrite && std::filesystem::exists(outcome.restoredTo, error)) {
    return Status(StatusCode::kAlreadyExists,
                  "the file exists; restore elsewhere with --to PATH, or replace it with --force")
        .withContext(context);
  }

  const std::filesystem::path folder = outcome.restoredTo.parent_path();
  CreatedFolders createdFolders;
  if (!folder.empty()) {
    if (Status created = createdFolders.create(folder); !created.ok()) {
      return created.withContext(context);
    }
  }
  // Built from path pieces rather than strings, so a name that is not ASCII keeps
  // its exact characters on Windows.
  std::filesystem::path temporaryName = ".";
  temporaryName += outcome.restoredTo.filename();
  temporaryName += ".odscan-restore-" + randomHexId(4) + ".tmp";
  const std::filesystem::path temporary = folder / temporaryName;
  Result<DurableFile> output = DurableFile::createOwnerOnly(temporary);
  if (!output.ok()) return output.status().withContext(context);
  TemporaryFileGuard guard(temporary);

  if (Status decrypted = decryptPayload(*entry, *output); !decrypted.ok()) {
    return decrypted.withContext(context);
  }
  if (Status synced = output->sync(); !synced.ok()) return synced.withContext(context);
  if (Status closed = output->close(); !closed.ok()) return closed.withContext(context);
  applyMode(temporary, outcome.entry.mode);

  if (Status published = publishRestoredFile(temporary, outcome.restoredTo, request.overwrite);
      !published.ok()) {
    return published.withContext(context);
  }
  guard.release();
  createdFolders.release();
  (void)syncFolder(folder.empty() ? std::filesystem::path(".") : folder);

  entry->payload.close();
  if (!std::filesystem::remove(outcome.entry.entryFile, error)) {
    outcome.entryRemoval =
        filesystemError("removing the quarantine entry", outcome.entry.entryFile, error);
  }
  return outcome;
}

}  // namespace odscan::scanner
