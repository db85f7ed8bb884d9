// Folders that only their owner may enter, for everything odscan keeps in HCEXEC.
// HCEXEC usually sits in the shared /tmp, and session logs and quarantine headers
// name the user's files and threats, so other users must not read them. Private to
// the scanner library.
//
// On POSIX systems "owner only" is mode 0700, set with chmod after mkdir so the
// umask cannot change it. On Windows it is a protected access list that lets in
// the user, SYSTEM and Administrators and that files and folders inside inherit
// (see kOwnerOnlyAclFormat in private_folder.cc). The user's %TEMP% is private
// already, but --home can name a shared folder.
//
// NOTE: wine maps access lists to Unix mode bits only when an object is created
// and ignores later changes. Tests under wine therefore check creation only, not
// that restrictFolderToOwner() replaced an access list.
//
// Thread safety: free functions; two calls on the same path must not run at once.
#pragma once

#include <filesystem>
#include <string_view>

#include "odscan/common/status.h"

namespace odscan::scanner {

// Creates `folder` (whose parent must exist) with owner-only permissions. Returns
// false, and changes nothing, when something already exists at that path.
Result<bool> createPrivateFolder(const std::filesystem::path& folder);

// Checks that `folder` is a folder (not a file, a symbolic link or a junction)
// owned by the current user. On Windows the owner may also be the one the user's
// token gives new files, which is the Administrators group for an elevated
// administrator. Fails with kNotFound when nothing exists at that path, with
// kInvalidArgument when it is a file, and with kPermissionDenied when it is a
// link or belongs to another user. `label` names the folder in messages, for
// example "the HCEXEC folder".
Status checkOwnFolder(const std::filesystem::path& folder, std::string_view label);

// Runs checkOwnFolder(), then sets the mode to 0700 when group or other users had
// any permission on the folder (on Windows: sets the owner-only access list when
// an entry lets in anyone else). Returns true when it changed something.
Result<bool> restrictFolderToOwner(const std::filesystem::path& folder, std::string_view label);

}  // namespace odscan::scanner
