#include "odscan/scanner/event_log.h"

#include <chrono>

#include "durable_file.h"
#include "odscan/scanner/formatting.h"

namespace odscan::scanner {

Result<std::unique_ptr<EventLog>> EventLog::open(const std::filesystem::path& path,
                                                 std::string sessionId) {
  // A new file gets mode 0600 whatever the umask; an existing one is appended to.
  Result<DurableFile> created = DurableFile::createOwnerOnly(path);
  if (!created.ok() && created.status().code() != StatusCode::kAlreadyExists) {
    return created.status().withContext("cannot create the event log");
  }
  if (created.ok()) (void)created->close();

  std::ofstream stream(path, std::ios::out | std::ios::app | std::ios::binary);
  if (!stream) {
    return Status(StatusCode::kIoError, "cannot create the event log '" + path.string() +
                                            "'; check free space and permissions of its folder");
  }
  return std::unique_ptr<EventLog>(new EventLog(path, std::move(sessionId), std::move(stream)));
}

EventLog::EventLog(std::filesystem::path path, std::string sessionId, std::ofstream stream)
    : path_(std::move(path)), sessionId_(std::move(sessionId)), stream_(std::move(stream)) {}

void EventLog::write(std::string_view event, nlohmann::ordered_json fields) {
  nlohmann::ordered_json line = nlohmann::ordered_json::object();
  line["time"] = formatUtcTimestamp(std::chrono::system_clock::now());
  line["session"] = sessionId_;
  line["event"] = std::string(event);
  if (fields.is_object()) {
    for (auto& [key, value] : fields.items()) {
      if (!line.contains(key)) line[key] = std::move(value);
    }
  }

  // Paths on disk need not be valid UTF-8; replace bad bytes instead of throwing.
  const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);

  std::lock_guard lock(mutex_);
  stream_ << text << '\n';
  stream_.flush();
  if (!stream_ && firstError_.ok()) {
    firstError_ = Status(StatusCode::kIoError, "cannot write to the event log '" + path_.string() +
                                                   "'; the disk may be full");
  }
}

Status EventLog::status() const {
  std::lock_guard lock(mutex_);
  return firstError_;
}

}  // namespace odscan::scanner
