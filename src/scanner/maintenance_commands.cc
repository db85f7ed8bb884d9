#include "odscan/scanner/maintenance_commands.h"

#include <fmt/format.h>

#include "odscan/platform/utf8_path.h"
#include "odscan/scanner/component_installer.h"
#include "odscan/scanner/formatting.h"
#include "odscan/scanner/home_folder.h"
#include "odscan/scanner/quarantine_store.h"
#include "odscan/scanner/scan_report.h"
#include "odscan/scanner/session.h"

namespace odscan::scanner {
namespace {

constexpr int kSuccess = static_cast<int>(ExitCode::kNothingFound);
constexpr int kFailure = static_cast<int>(ExitCode::kError);

HomeFolder homeOf(const std::optional<std::filesystem::path>& home) {
  return HomeFolder(home.value_or(HomeFolder::defaultRoot()));
}

// Prints the warning for each folder createLayout() made private.
void printRestrictedFolders(const LayoutChanges& changes, std::ostream& err) {
  for (const auto& folder : changes.restricted) {
    err << "odscan: " << restrictedFolderMessage(folder) << "\n";
  }
}

void printEntryHeading(std::ostream& out) {
  out << fmt::format("{:<10}{:<26}{:>10}  {:<24}{}\n", "ID", "QUARANTINED AT", "SIZE", "THREAT",
                     "ORIGINAL PATH");
}

void printEntry(std::ostream& out, const QuarantineEntry& entry) {
  out << fmt::format("{:<10}{:<26}{:>10}  {:<24}{}\n", entry.id, entry.quarantinedAt,
                     formatBytes(entry.originalSize), entry.threatName,
                     platform::toUtf8(entry.originalPath));
}

nlohmann::ordered_json entryToJson(const QuarantineEntry& entry) {
  return {{"quarantine_id", entry.id},  {"original_path", platform::toUtf8(entry.originalPath)},
          {"size", entry.originalSize}, {"sha256", entry.originalSha256.toHex()},
          {"threat", entry.threatName}, {"quarantined_by_session", entry.sessionId}};
}

}  // namespace

int runCleanupCommand(const CleanupCommandOptions& options, CommandIo& io) {
  const HomeFolder home = homeOf(options.home);
  const Status sessions = home.checkExisting(home.sessions());
  if (sessions.code() == StatusCode::kNotFound) {
    io.out << "No sessions in '" << home.root().string() << "'; nothing to remove\n";
    return kSuccess;
  }
  if (!sessions.ok()) {
    io.err << "odscan: " << sessions.message() << "\n";
    return kFailure;
  }

  Result<CleanupOutcome> outcome = removeOldSessions(home.sessions(), options.keep);
  if (!outcome.ok()) {
    io.err << "odscan: " << outcome.status().message() << "\n";
    return kFailure;
  }
  for (const auto& removed : outcome->removed) io.out << "removed " << removed.string() << "\n";
  for (const auto& problem : outcome->problems) {
    io.err << "odscan: " << problem.message() << "; check its permissions and run cleanup again\n";
  }
  io.out << fmt::format("Removed {}, kept {} in '{}'\n",
                        formatCount(outcome->removed.size(), "session folder", "session folders"),
                        outcome->kept.size(), home.sessions().string());
  return outcome->problems.empty() ? kSuccess : kFailure;
}

int runQuarantineListCommand(const QuarantineListOptions& options, CommandIo& io) {
  const HomeFolder home = homeOf(options.home);
  const Status folder = home.checkExisting(home.quarantine());
  if (folder.code() == StatusCode::kNotFound) {
    io.out << "No quarantined files in '" << home.root().string() << "'\n";
    return kSuccess;
  }
  if (!folder.ok()) {
    io.err << "odscan: " << folder.message() << "\n";
    return kFailure;
  }

  Result<QuarantineListing> listing = QuarantineStore(home.quarantine()).list();
  if (!listing.ok()) {
    io.err << "odscan: " << listing.status().message() << "\n";
    return kFailure;
  }
  const std::string quarantine = home.quarantine().string();
  if (!listing->entries.empty()) {
    printEntryHeading(io.out);
    for (const auto& entry : listing->entries) printEntry(io.out, entry);
  } else if (listing->damaged.empty()) {
    io.out << "No quarantined files in '" << quarantine << "'\n";
  } else {
    io.out << "No restorable quarantined files in '" << quarantine << "'\n";
  }
  if (listing->damaged.empty()) return kSuccess;

  io.out << "\nDamaged entries (they cannot be restored):\n";
  for (const auto& damaged : listing->damaged) {
    io.out << fmt::format("{:<10}{}\n", damaged.id, damaged.problem.message());
  }
  io.err << "odscan: "
         << formatCount(listing->damaged.size(), "quarantine entry is", "quarantine entries are")
         << " damaged; keep the files for investigation, or delete them from '" << quarantine
         << "'\n";
  return kFailure;
}

int runQuarantineRestoreCommand(const QuarantineRestoreOptions& options, CommandIo& io) {
  const HomeFolder home = homeOf(options.home);
  Result<LayoutChanges> layout = home.createLayout();
  if (!layout.ok()) {
    io.err << "odscan: " << layout.status().message() << "\n";
    return kFailure;
  }
  printRestrictedFolders(*layout, io.err);
  Result<std::unique_ptr<Session>> opened = Session::create(home, "quarantine restore");
  if (!opened.ok()) {
    io.err << "odscan: " << opened.status().message() << "\n";
    return kFailure;
  }
  Session& session = **opened;
  for (const auto& folder : layout->restricted) {
    session.logger().warn("{}", restrictedFolderMessage(folder));
  }
  session.events().write(
      "session_start",
      {{"command", "quarantine restore"},
       {"scanner_version", scannerVersion()},
       {"quarantine_id", options.id},
       {"destination", options.destination ? platform::toUtf8(*options.destination) : ""},
       {"force", options.force}});

  RestoreRequest request{options.id, options.destination, options.force};
  Result<RestoreOutcome> restored = QuarantineStore(home.quarantine()).restore(request);
  if (!restored.ok()) {
    session.logger().error("{}", restored.status().message());
    session.events().write("restore_failed", {{"quarantine_id", options.id},
                                              {"code", statusCodeName(restored.status().code())},
                                              {"message", restored.status().message()}});
    session.events().write("session_finish", {{"exit_code", kFailure}});
    io.err << "odscan: " << restored.status().message() << "\n";
    return kFailure;
  }

  const std::string target = platform::toUtf8(restored->restoredTo);
  nlohmann::ordered_json fields = entryToJson(restored->entry);
  fields["restored_to"] = target;
  session.logger().warn("restored quarantine entry {} ({}) to '{}'; the file is infected",
                        options.id, restored->entry.threatName, target);
  session.events().write("quarantine_restored", fields);
  io.out << "restored " << options.id << " (" << restored->entry.threatName << ") to " << target
         << "\n";
  if (!restored->entryRemoval.ok()) {
    session.logger().warn("{}; remove the entry by hand", restored->entryRemoval.message());
    io.err << "odscan: the file was restored, but " << restored->entryRemoval.message()
           << "; remove the entry by hand\n";
  }
  session.events().write("session_finish", {{"exit_code", kSuccess}});
  return kSuccess;
}

int runComponentsInstallCommand(const ComponentsInstallOptions& options, CommandIo& io) {
  const HomeFolder home = homeOf(options.home);
  Result<LayoutChanges> layout = home.createLayout();
  if (!layout.ok()) {
    io.err << "odscan: " << layout.status().message() << "\n";
    return kFailure;
  }
  printRestrictedFolders(*layout, io.err);

  Result<InstalledComponents> installed =
      installComponents(home, options.patternPath, options.publicKeyPath);
  if (!installed.ok()) {
    io.err << "odscan: " << installed.status().message() << "\n";
    return kFailure;
  }
  io.out << fmt::format(
      "installed Smart Scan Agent Pattern version {} ({}, {}) as '{}'\n", installed->patternVersion,
      formatCount(installed->exactSignatures, "exact signature", "exact signatures"),
      formatCount(installed->filterKeys, "filter key", "filter keys"),
      installed->patternPath.string());
  io.out << fmt::format("installed the publisher's public key {} as '{}'\n",
                        installed->keyFingerprint, installed->publicKeyPath.string());
  return kSuccess;
}

}  // namespace odscan::scanner
