// HomeFolder: the HCEXEC folder that contains everything the scanner keeps on the
// endpoint. Its layout is
//
//   HCEXEC/components/   the Smart Scan Agent Pattern and the publisher's public key
//   HCEXEC/sessions/     one folder per run: scan.log, events.jsonl, report.json
//   HCEXEC/quarantine/   neutralized copies of quarantined files
//
// The default location is HCEXEC under the user's temporary folder (%TEMP% on
// Windows, $TMPDIR or /tmp elsewhere), so every user gets a separate one. Nothing in
// it is removed automatically.
//
// On POSIX systems every folder odscan creates in HCEXEC, the root included, gets
// mode 0700, and every file it writes there gets 0600, whatever the umask. /tmp is
// shared, and the session logs name the user's files and the threats in them.
// On Windows the same folders get a protected access list that lets in only the
// user, SYSTEM and Administrators, and the files inside inherit it. %TEMP% is
// per user already, but --home can point anywhere.
//
// Thread safety: an immutable value; methods may be called from any thread.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "odscan/common/status.h"

namespace odscan::scanner {

// Changes that createLayout() made to an HCEXEC folder that existed already. The
// caller logs them once a session is open.
struct LayoutChanges {
  // Folders (the root or one of its three sub-folders) that group or other users
  // could use and whose mode was set to 0700 (on Windows: whose access list was
  // replaced by the owner-only one).
  std::vector<std::filesystem::path> restricted;
};

// Returns the warning for a folder in LayoutChanges::restricted, for the console
// and the session log.
std::string restrictedFolderMessage(const std::filesystem::path& folder);

class HomeFolder {
 public:
  // A relative `root` is made absolute, so logs and messages show a usable path.
  // An empty `root` stays empty, and every check then fails with kInvalidArgument.
  explicit HomeFolder(const std::filesystem::path& root);

  // Returns <temporary folder>/HCEXEC.
  static std::filesystem::path defaultRoot();

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path components() const { return root_ / "components"; }
  std::filesystem::path sessions() const { return root_ / "sessions"; }
  std::filesystem::path quarantine() const { return root_ / "quarantine"; }

  // The files the launcher installs into components/.
  std::filesystem::path defaultPatternPath() const { return components() / "agent-pattern.ptn"; }
  std::filesystem::path defaultPublicKeyPath() const { return components() / "publisher.pub"; }

  // Creates the root and its three sub-folders when missing, with mode 0700 on
  // POSIX (the owner-only access list on Windows). Existing ones that group or
  // other users could use are restricted the same way. A root or sub-folder that
  // is a file, a symbolic link (or junction) or belongs to another user is
  // rejected (kInvalidArgument or kPermissionDenied), because /tmp is shared and
  // another user could have planted it to read or redirect session data.
  Result<LayoutChanges> createLayout() const;

  // Checks, without creating or changing anything, that `folder` (the root or one
  // of its sub-folders) is usable: kNotFound when it does not exist, an error as
  // in createLayout() when it is not a folder of the current user. For commands
  // that only read HCEXEC.
  Status checkExisting(const std::filesystem::path& folder) const;

 private:
  Status checkRootPath() const;

  std::filesystem::path root_;
};

}  // namespace odscan::scanner
