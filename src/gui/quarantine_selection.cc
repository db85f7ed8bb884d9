#include "odscan/gui/quarantine_selection.h"

#include <memory>

#include "odscan/platform/utf8_path.h"
#include "odscan/scanner/scan_command.h"
#include "odscan/scanner/session.h"

namespace odscan::gui {
namespace {

using scanner::QuarantineEntry;
using scanner::QuarantineRequest;
using scanner::Session;

QuarantineBatch failEvery(const std::vector<QuarantineRequest>& requests, const Status& error) {
  QuarantineBatch batch;
  for (const QuarantineRequest& request : requests) {
    batch.outcomes.push_back({request.file, error});
  }
  return batch;
}

void logOutcome(Session& session, const QuarantineRequest& request,
                const Result<QuarantineEntry>& entry) {
  const std::string file = platform::toUtf8(request.file);
  if (!entry.ok()) {
    session.logger().error("{}; remove or clean the file by hand", entry.status().message());
    session.events().write(
        "quarantine_failed",
        {{"file", file}, {"threat", request.threatName}, {"error", entry.status().message()}});
    return;
  }
  session.logger().info("quarantined '{}' ({}) as {} in '{}'", file, request.threatName, entry->id,
                        entry->entryFile.string());
  session.events().write("quarantined", {{"file", file},
                                         {"threat", request.threatName},
                                         {"detection", request.detectionPath},
                                         {"quarantine_id", entry->id},
                                         {"entry", platform::toUtf8(entry->entryFile)},
                                         {"sha256", entry->originalSha256.toHex()}});
}

}  // namespace

QuarantineBatch quarantineSelection(const scanner::HomeFolder& home,
                                    std::vector<QuarantineRequest> requests,
                                    const std::string& scanSessionId) {
  Result<scanner::LayoutChanges> layout = home.createLayout();
  if (!layout.ok()) return failEvery(requests, layout.status());
  Result<std::unique_ptr<Session>> opened = Session::create(home, "quarantine");
  if (!opened.ok()) return failEvery(requests, opened.status());

  Session& session = **opened;
  for (const auto& folder : layout->restricted) {
    session.logger().warn("{}", scanner::restrictedFolderMessage(folder));
  }
  session.logger().info("quarantining {} file(s) found by scan session {}", requests.size(),
                        scanSessionId);
  session.events().write("session_start", {{"command", "quarantine"},
                                           {"scanner_version", scanner::scannerVersion()},
                                           {"scan_session", scanSessionId},
                                           {"files", requests.size()}});

  QuarantineBatch batch;
  batch.sessionId = session.id();
  scanner::QuarantineStore store(home.quarantine());
  std::size_t quarantined = 0;
  for (QuarantineRequest& request : requests) {
    request.sessionId = session.id();
    Result<QuarantineEntry> entry = store.quarantine(request);
    logOutcome(session, request, entry);
    if (entry.ok()) ++quarantined;
    batch.outcomes.push_back({request.file, std::move(entry)});
  }

  session.events().write("session_finish",
                         {{"quarantined", quarantined}, {"failed", requests.size() - quarantined}});
  return batch;
}

}  // namespace odscan::gui
