// The commands that look after the HCEXEC folder between scans:
//
//   odscan cleanup [--keep N]                     remove old session folders
//   odscan quarantine list                        show quarantined files
//   odscan quarantine restore ID [--to PATH] [--force]
//
// Each returns an exit code: 0 on success, 2 on an error (printed to io.err with
// what to do next). A restore runs in its own session, so the action is logged in
// scan.log and events.jsonl like a scan's; list and cleanup change no session.
//
// Thread safety: one call at a time per HCEXEC folder.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include "odscan/scanner/scan_command.h"
#include "odscan/scanner/session_cleanup.h"

namespace odscan::scanner {

struct CleanupCommandOptions {
  std::optional<std::filesystem::path> home;
  std::size_t keep = kDefaultSessionsKept;
};

struct QuarantineListOptions {
  std::optional<std::filesystem::path> home;
};

struct QuarantineRestoreOptions {
  std::optional<std::filesystem::path> home;
  std::string id;
  std::optional<std::filesystem::path> destination;
  bool force = false;
};

int runCleanupCommand(const CleanupCommandOptions& options, CommandIo& io);
int runQuarantineListCommand(const QuarantineListOptions& options, CommandIo& io);
int runQuarantineRestoreCommand(const QuarantineRestoreOptions& options, CommandIo& io);

}  // namespace odscan::scanner
