// Quarantine of the files a user selects in the window after a scan. The scan's
// session is closed by then, so the request runs in a session of its own
// (command "quarantine"), as `odscan quarantine restore` does. Each file's outcome
// is logged in that session's scan.log and events.jsonl, which also name the scan
// session that found the files.
//
// Thread safety: a free function; do not run two on one HCEXEC folder at once.
#pragma once

#include <string>
#include <vector>

#include "odscan/gui/scan_jobs.h"
#include "odscan/scanner/home_folder.h"
#include "odscan/scanner/quarantine_store.h"

namespace odscan::gui {

// Moves the file of each request into home.quarantine(). Each request's sessionId
// is replaced by the new session's id. A file that fails stays where it is, and
// its outcome carries the error; the other files are still quarantined.
QuarantineBatch quarantineSelection(const scanner::HomeFolder& home,
                                    std::vector<scanner::QuarantineRequest> requests,
                                    const std::string& scanSessionId);

}  // namespace odscan::gui
