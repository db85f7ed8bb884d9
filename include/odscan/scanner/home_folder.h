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
// Thread safety: an immutable value; methods may be called from any thread.
#pragma once

#include <filesystem>

#include "odscan/common/status.h"

namespace odscan::scanner {

class HomeFolder {
 public:
  // A relative `root` is made absolute, so logs and messages show a usable path.
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

  // Creates the root and its three sub-folders when missing. On POSIX systems a
  // root that is a symbolic link or belongs to another user is rejected with
  // kPermissionDenied, because /tmp is shared and another user could have planted
  // it to read or redirect session data.
  Status createLayout() const;

 private:
  std::filesystem::path root_;
};

}  // namespace odscan::scanner
