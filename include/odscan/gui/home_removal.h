// Removal of the whole HCEXEC folder at the user's request (the window's
// "Remove HCEXEC" button). It deletes the components, the logs of every session
// and the quarantine, so quarantined files can no longer be restored. The scanner
// never does this by itself.
//
// Thread safety: a free function; do not run it while a scan uses the folder.
#pragma once

#include <filesystem>

#include "odscan/common/status.h"

namespace odscan::gui {

// Removes `root` and everything in it. Only a folder named HCEXEC (in any letter
// case) is removed, so a --home that points at some other folder is never emptied
// by a click. A root that does not exist counts as removed. Entries that cannot be
// removed, such as the running odscan.exe on Windows, stay, and the error names
// them.
Status removeHomeFolder(const std::filesystem::path& root);

}  // namespace odscan::gui
