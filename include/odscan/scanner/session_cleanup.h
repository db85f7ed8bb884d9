// Removal of old session folders on request (`odscan cleanup`). The scanner never
// removes sessions by itself, and cleanup never touches components/ or quarantine/.
//
// Thread safety: free functions; do not run two cleanups on one HCEXEC at once.
#pragma once

#include <cstddef>
#include <filesystem>
#include <vector>

#include "odscan/common/status.h"

namespace odscan::scanner {

// The number of newest sessions `odscan cleanup` keeps when --keep is not given.
inline constexpr std::size_t kDefaultSessionsKept = 10;

struct CleanupOutcome {
  std::vector<std::filesystem::path> removed;  // oldest first
  std::vector<std::filesystem::path> kept;     // oldest first
  std::vector<Status> problems;                // folders that could not be removed
};

// Returns true for folder names of the form <YYYYMMDD>T<HHMMSS>Z-<hex id>, the only
// entries cleanup may remove.
bool isSessionFolderName(const std::string& name);

// Removes all but the `keep` newest session folders in `sessionsFolder`. Newest
// means the latest start time in the folder name. Entries that are not session
// folders are left alone.
Result<CleanupOutcome> removeOldSessions(const std::filesystem::path& sessionsFolder,
                                         std::size_t keep);

}  // namespace odscan::scanner
