// Folders that only their owner may enter, for everything odscan keeps in HCEXEC.
// HCEXEC usually sits in the shared /tmp, and session logs and quarantine headers
// name the user's files and threats, so other users must not read them. Private to
// the scanner library.
//
// On POSIX systems "owner only" is mode 0700, set with chmod after mkdir so the
// umask cannot change it. On Windows the user's %TEMP% already has a per-user ACL,
// so the functions only create folders and check their type.
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

// Checks that `folder` is a folder (not a file or a symbolic link) owned by the
// current user. Fails with kNotFound when nothing exists at that path, with
// kInvalidArgument when it is a file, and with kPermissionDenied when it is a
// symbolic link or belongs to another user. `label` names the folder in messages,
// for example "the HCEXEC folder".
Status checkOwnFolder(const std::filesystem::path& folder, std::string_view label);

// Runs checkOwnFolder(), then sets the mode to 0700 when group or other users had
// any permission on the folder. Returns true when it changed the mode.
Result<bool> restrictFolderToOwner(const std::filesystem::path& folder, std::string_view label);

}  // namespace odscan::scanner
