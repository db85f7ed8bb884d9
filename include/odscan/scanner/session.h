// Session: one run of the scanner program and its folder
// HCEXEC/sessions/<UTC time>-<id>/, for example
// sessions/20261204T211500Z-3f9c2a1b/. The id is 8 random hex digits, and every
// line of the session's files carries it, so logs collected from many endpoints
// stay attributable. The folder contains
//
//   scan.log      human-readable log (spdlog), one line per state change or finding
//   events.jsonl  machine-readable events, one JSON object per line (see EventLog)
//   report.json   the scan report, written when the run ends (see ScanReport)
//
// On POSIX systems the folder gets mode 0700 and its files 0600, whatever the
// umask (see HomeFolder).
//
// Ownership: owns the logger and the event log; both close with the Session.
// Thread safety: logger() and events() may be used from many threads at once.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "odscan/common/status.h"
#include "odscan/scanner/event_log.h"
#include "odscan/scanner/home_folder.h"

namespace odscan::scanner {

class Session {
 public:
  // Creates a new session folder under home.sessions() (which must exist) and opens
  // its log files. `command` names what the run does ("scan", "quarantine restore")
  // in the first log line.
  static Result<std::unique_ptr<Session>> create(const HomeFolder& home, std::string_view command);

  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const std::string& id() const { return id_; }
  const std::filesystem::path& folder() const { return folder_; }
  std::filesystem::path logPath() const { return folder_ / "scan.log"; }
  std::filesystem::path eventsPath() const { return folder_ / "events.jsonl"; }
  std::filesystem::path reportPath() const { return folder_ / "report.json"; }
  std::chrono::system_clock::time_point startedAt() const { return startedAt_; }

  spdlog::logger& logger() { return *logger_; }
  EventLog& events() { return *events_; }

 private:
  Session(std::string id, std::filesystem::path folder,
          std::chrono::system_clock::time_point started, std::shared_ptr<spdlog::logger> logger,
          std::unique_ptr<EventLog> events);

  std::string id_;
  std::filesystem::path folder_;
  std::chrono::system_clock::time_point startedAt_;
  std::shared_ptr<spdlog::logger> logger_;
  std::unique_ptr<EventLog> events_;
};

}  // namespace odscan::scanner
