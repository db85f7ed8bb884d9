// UploadState: SESSION/upload.json, how far the delivery of one session folder to
// Threat Mitigator got. A run that knows a console writes it into its session
// folder before it sends anything, and rewrites it after every step that the
// console confirmed, so a later run can finish the delivery of a session whose
// console could not be reached (docs/scanner.md, section upload.json).
//
// Thread safety: plain values and free functions; one writer per file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "odscan/common/status.h"

namespace odscan::scanner {

// The file's name in a session folder.
inline constexpr std::string_view kUploadStateFileName = "upload.json";

struct UploadState {
  std::string consoleUrl;
  // 32 hex digits. Registering again with the same key returns the same console
  // session, so a session is never stored twice.
  std::string clientKey;
  std::string session;           // the console's session id; empty before the first registration
  std::uint64_t eventsSent = 0;  // lines of events.jsonl the console confirmed
  bool reportSent = false;
  bool logSent = false;
  // Set for an earlier session that has no report.json (its run was killed), whose
  // delivery completes without one.
  bool reportMissing = false;
  // The body of the registration request, kept so that a later run registers the
  // session exactly as its own run would have.
  nlohmann::json registration = nlohmann::json::object();

  // Returns true when nothing of the session is left to deliver.
  bool complete() const { return (reportSent || reportMissing) && logSent; }
};

// Reads an upload.json. Fails with kNotFound when it does not exist and kCorrupt
// when it is not a state this scanner wrote; messages name the file.
Result<UploadState> readUploadState(const std::filesystem::path& file);

// Writes `state` through a temporary file that is flushed and renamed, with mode
// 0600 on POSIX, so a reader sees the old or the new state, never a mix.
Status writeUploadState(const std::filesystem::path& file, const UploadState& state);

}  // namespace odscan::scanner
