// Helpers for the scanner's Windows tests: access lists, file handles and the
// wine check. Windows only.
#pragma once

#ifdef _WIN32

#include <windows.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace odscan::scanner::testing {

struct HandleCloser {
  void operator()(HANDLE handle) const {
    if (handle != INVALID_HANDLE_VALUE && handle != nullptr) ::CloseHandle(handle);
  }
};
using UniqueHandle = std::unique_ptr<void, HandleCloser>;

// Returns true when the test runs under wine, which maps access lists to Unix
// mode bits when a file is created and ignores later changes to them.
bool runningUnderWine();

// Returns the SIDs (as "S-1-...") of the allowing entries in the access list of
// `path`, or "NULL" for a null list, which lets everyone in.
std::vector<std::string> allowedSids(const std::filesystem::path& path);

// Returns true when `path` has a protected access list (one that does not inherit
// the entries of its parent).
bool hasProtectedAcl(const std::filesystem::path& path);

// Returns the current user's SID as "S-1-...".
std::string currentUserSid();

// Returns true when every SID is the user, SYSTEM (S-1-5-18), Administrators
// (S-1-5-32-544) or CREATOR OWNER (S-1-3-0).
bool onlyOwnerSystemAndAdministrators(const std::vector<std::string>& sids);

// Opens `path` for reading and writing with no sharing, as a program that locks
// a document does, so that no other handle can open it while this one lives.
UniqueHandle holdWithoutSharing(const std::filesystem::path& path);

// Deletes `folder` and everything below it through extended-length paths,
// read-only files included. std::filesystem::remove_all cannot: MinGW's folder
// listing is limited to MAX_PATH, and DeleteFileW rejects read-only files.
void removeTree(const std::filesystem::path& folder);

// Creates a folder whose access list lets Everyone read it, as a folder made by
// another program or an older odscan might.
bool createFolderReadableByEveryone(const std::filesystem::path& folder);

}  // namespace odscan::scanner::testing

#endif  // _WIN32
