#include "odscan/scanner/session_cleanup.h"

#include <algorithm>
#include <string>
#include <system_error>
#include <tuple>

#include "odscan/scanner/random_id.h"

namespace odscan::scanner {
namespace {

constexpr std::size_t kTimeLength = 16;  // 20261204T211500Z

struct SessionFolder {
  std::filesystem::path path;
  std::string startTime;
  std::filesystem::file_time_type modified;
};

bool isDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

bool isSessionFolderName(const std::string& name) {
  if (name.size() <= kTimeLength + 1 || name[kTimeLength] != '-') return false;
  const std::string_view text(name);
  return isDigits(text.substr(0, 8)) && text[8] == 'T' && isDigits(text.substr(9, 6)) &&
         text[15] == 'Z' && isHexId(text.substr(kTimeLength + 1));
}

Result<CleanupOutcome> removeOldSessions(const std::filesystem::path& sessionsFolder,
                                         std::size_t keep) {
  std::error_code error;
  std::filesystem::directory_iterator iterator(sessionsFolder, error);
  if (error) {
    return Status(StatusCode::kIoError, "cannot list the sessions folder '" +
                                            sessionsFolder.string() + "': " + error.message());
  }

  std::vector<SessionFolder> found;
  for (const auto& item : iterator) {
    const std::string name = item.path().filename().string();
    if (item.is_directory(error) && !item.is_symlink(error) && isSessionFolderName(name)) {
      found.push_back({item.path(), name.substr(0, kTimeLength), item.last_write_time(error)});
    }
  }
  // The name starts with the UTC start time in seconds; the folder's modification
  // time orders sessions started within the same second.
  std::sort(found.begin(), found.end(), [](const SessionFolder& left, const SessionFolder& right) {
    return std::tie(left.startTime, left.modified) < std::tie(right.startTime, right.modified);
  });
  std::vector<std::filesystem::path> sessions;
  for (auto& folder : found) sessions.push_back(std::move(folder.path));

  CleanupOutcome outcome;
  const std::size_t removeCount = sessions.size() > keep ? sessions.size() - keep : 0;
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    if (i >= removeCount) {
      outcome.kept.push_back(sessions[i]);
      continue;
    }
    std::filesystem::remove_all(sessions[i], error);
    if (error) {
      outcome.problems.push_back(
          Status(StatusCode::kIoError,
                 "cannot remove '" + sessions[i].string() + "': " + error.message()));
    } else {
      outcome.removed.push_back(sessions[i]);
    }
  }
  return outcome;
}

}  // namespace odscan::scanner
