// The commands that look after the HCEXEC folder between scans:
//
//   odscan cleanup [--keep N]                     remove old session folders
//   odscan quarantine list                        show quarantined files
//   odscan quarantine restore ID [--to PATH] [--force]
//   odscan components install --pattern FILE --public-key FILE
//
// Each returns an exit code: 0 on success, 2 on an error (printed to io.err with
// what to do next). A restore runs in its own session, so the action is logged in
// scan.log and events.jsonl like a scan's. List, cleanup and components install
// open no session. An HCEXEC folder that does not exist yet is empty for list and
// cleanup, and one that is a file, a symbolic link or another user's is an error.
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

struct ComponentsInstallOptions {
  std::optional<std::filesystem::path> home;
  std::filesystem::path patternPath;
  std::filesystem::path publicKeyPath;
};

int runCleanupCommand(const CleanupCommandOptions& options, CommandIo& io);
int runQuarantineListCommand(const QuarantineListOptions& options, CommandIo& io);
int runQuarantineRestoreCommand(const QuarantineRestoreOptions& options, CommandIo& io);
int runComponentsInstallCommand(const ComponentsInstallOptions& options, CommandIo& io);

}  // namespace odscan::scanner
