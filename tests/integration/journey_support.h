// Helpers that the end-to-end journeys share: the planted test files, the
// patterns signed with the console's publisher key, and a console with the
// components and settings published the way an administrator publishes them.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "../console/console_test_support.h"

namespace odscan::testing {

// ClamAV's test program; only the Smart Scan Pattern knows it, so its verdict
// needs a scan query. Debian package clamav-testfiles.
inline const std::filesystem::path kClamExe = "/usr/share/clamav-testfiles/clam.exe";

// Returns EICAR, assembled from reversed halves so that no file in the
// repository contains it.
std::string eicar();

// Plants the scanned tree: EICAR as Downloads/setup.exe, a clean
// documents/notes.txt and clam.exe as tools/clam.exe.
void plantJourneyTree(const std::filesystem::path& tree);

// Builds patterns/agent-pattern.ptn (EICAR as an exact signature) and
// patterns/smart-scan-pattern.ptn (EICAR and clam.exe) in `folder`, signed with
// `privateKey`. Fails the calling test on error.
void buildJourneyPatterns(const std::filesystem::path& folder,
                          const std::filesystem::path& privateKey);

// Copies `program` into folder/programs without its debug information: the
// sanitizer builds are over 100 MB, which would make every download slow.
std::filesystem::path strippedCopy(const std::filesystem::path& program,
                                   const std::filesystem::path& folder);

// With the console stopped: publishes the agent pattern from `folder`/patterns
// and `scanner` as `scannerComponent`, saves On-demand Scan settings that scan
// `target` and Smart Scan settings naming `smartScanUrl`, and merges
// `configChanges` into the console's config file. Fails the calling test on
// error.
void publishJourneyComponents(const console::testing::ConsoleProcess& console,
                              const std::filesystem::path& folder,
                              const std::string& scannerComponent,
                              const std::filesystem::path& scanner, const std::string& target,
                              const std::string& smartScanUrl,
                              const nlohmann::json& configChanges = nlohmann::json::object());

}  // namespace odscan::testing
