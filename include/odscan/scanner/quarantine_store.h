// QuarantineStore: the HCEXEC/quarantine folder, where infected files are kept in a
// neutralized form so they can neither run nor be found again by another scanner,
// and from where an administrator can restore them byte-exact.
//
// Each entry is one file `<id>.odq` (the id is 8 hex digits). It starts with a
// small header (magic, format version, original path, size, SHA-256 and permission
// bits, threat name, time, session id) followed by the original bytes encrypted
// with AES-256-CTR under a random per-entry key stored in the header. The key is no
// secret: the encryption only makes the bytes inert.
//
// Quarantining writes the entry to a temporary file, flushes it to disk, renames it
// into place and only then removes the original. A failure at any step removes the
// partial entry and leaves the original untouched. Restoring verifies the SHA-256
// of the decrypted bytes before the file appears at its destination, and removes
// the entry once the restored file is in place.
//
// Ownership: the store only names its folder and keeps no file open between calls.
// Thread safety: calls on one store may run from different threads, but two calls
// must not work on the same original file or entry at once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "odscan/common/digest.h"
#include "odscan/common/status.h"

namespace odscan::scanner {

struct QuarantineHeader;

struct QuarantineEntry {
  std::string id;
  std::filesystem::path originalPath;
  std::uint64_t originalSize = 0;
  Digest originalSha256;
  std::string threatName;
  // The scanner's display name of the detection, `file!member` for archive members.
  std::string detectionPath;
  std::string quarantinedAt;  // ISO 8601 UTC
  std::uint32_t mode = 0;     // POSIX permission bits of the original
  std::string sessionId;      // the session that quarantined it
  std::filesystem::path entryFile;
};

struct QuarantineRequest {
  std::filesystem::path file;
  std::string threatName;
  std::string detectionPath;
  std::string sessionId;
  // A digest of the file as the scan saw it. When set, a file whose bytes no longer
  // match is not quarantined, because it was replaced after the scan.
  std::optional<Digest> scannedDigest;
};

// An entry file whose header cannot be read, so it cannot be restored.
struct DamagedEntry {
  std::string id;
  std::filesystem::path entryFile;
  Status problem;  // names the file and what is wrong with it
};

struct QuarantineListing {
  std::vector<QuarantineEntry> entries;  // oldest first
  std::vector<DamagedEntry> damaged;     // in folder order
};

struct RestoreRequest {
  std::string id;
  // The restore destination. A path that ends in a separator ("evidence/") or
  // names an existing folder receives the file under its original name. Any other
  // path is the restored file itself. Missing parent folders are created, and
  // removed again when the restore fails. Unset means the original path.
  std::optional<std::filesystem::path> destination;
  bool overwrite = false;
};

struct RestoreOutcome {
  QuarantineEntry entry;
  std::filesystem::path restoredTo;
  // Failure to remove the entry after a successful restore; the file is restored
  // either way.
  Status entryRemoval;
};

// The steps of quarantine() that a test can make fail.
enum class QuarantineStep { kWriteCopy, kSyncCopy, kPublishCopy, kRemoveOriginal };

class QuarantineStore {
 public:
  // Returns an error to make `step` fail as the operating system would.
  using FaultHook = std::function<Status(QuarantineStep step)>;

  // `folder` is HomeFolder::quarantine(); it must exist before quarantine() runs.
  explicit QuarantineStore(std::filesystem::path folder) : folder_(std::move(folder)) {}

  // Moves `request.file` into the quarantine. The file must be a regular file; a
  // symbolic link is rejected with an error that names its target. Errors name the
  // file and leave it untouched.
  Result<QuarantineEntry> quarantine(const QuarantineRequest& request);

  // Reads the headers of every entry. Entries that cannot be read are listed as
  // damaged; only a folder that cannot be listed is an error.
  Result<QuarantineListing> list() const;

  // Reads the header of entry `id`.
  Result<QuarantineEntry> find(const std::string& id) const;

  // Restores entry `request.id`. Fails with kAlreadyExists when the destination
  // exists and overwrite is false, with kCorrupt when the decrypted bytes do not
  // match the recorded SHA-256, and with kInvalidArgument for an empty
  // destination. In every failure nothing is left at the destination.
  Result<RestoreOutcome> restore(const RestoreRequest& request);

  // Makes quarantine() consult `hook` before each step.
  void setFaultHookForTesting(FaultHook hook) { faultHook_ = std::move(hook); }

  const std::filesystem::path& folder() const { return folder_; }

 private:
  Status injectFault(QuarantineStep step) const;
  // Writes the entry under `temporary`, flushes it and renames it to its final name.
  Status storeCopy(const QuarantineRequest& request, const QuarantineHeader& header,
                   const std::filesystem::path& temporary) const;

  std::filesystem::path folder_;
  FaultHook faultHook_;
};

}  // namespace odscan::scanner
