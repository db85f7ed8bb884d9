// EventLog: the session's events.jsonl, one JSON object per line. Every line has
// "time" (ISO 8601 UTC), "session" (the session id) and "event" (a snake_case name
// such as "session_start", "result" or "quarantined") plus the event's own fields.
// Each line is flushed when written, so the file is complete up to the last event
// even if the program is killed.
//
// Ownership: owns the open file.
// Thread safety: write() may be called from many threads at once.
#pragma once

#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "odscan/common/status.h"

namespace odscan::scanner {

class EventLog {
 public:
  // Creates `path` (mode 0600 on POSIX) or appends to it. Errors name the file.
  static Result<std::unique_ptr<EventLog>> open(const std::filesystem::path& path,
                                                std::string sessionId);

  // Appends one event. `fields` is a JSON object (or null for none) whose members
  // follow the common ones; members named "time", "session" or "event" are
  // ignored. A failed write is remembered in status() rather than returned, so
  // scanning goes on when the disk fills up.
  void write(std::string_view event, nlohmann::ordered_json fields = nullptr);

  // Returns the first write error, or success.
  Status status() const;

  const std::filesystem::path& path() const { return path_; }

 private:
  EventLog(std::filesystem::path path, std::string sessionId, std::ofstream stream);

  std::filesystem::path path_;
  std::string sessionId_;
  mutable std::mutex mutex_;
  std::ofstream stream_;
  Status firstError_;
};

}  // namespace odscan::scanner
