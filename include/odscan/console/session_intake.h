// SessionIntake: the console's side of the session protocol
// (docs/console-protocol.md, "Sessions"). Scanners register a session, receive an
// upload token, and send their events, report and log with it.
//
// Everything that arrives here is untrusted: each body is checked completely
// before one row is written, and a batch is stored in one transaction, so a
// rejected upload leaves nothing behind. Event lines carry their line number in
// the session's events.jsonl, which makes a repeated batch harmless.
//
// Ownership: borrows the Database, which must outlive this object.
// Thread safety: safe from many threads; each call takes the database lock.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "odscan/common/status.h"
#include "odscan/console/database.h"

namespace odscan::console {

struct IntakeLimits {
  std::chrono::seconds tokenLifetime{std::chrono::hours(24)};
  std::uint64_t maxExpandedBytes = 64ull << 20;
};

struct Registration {
  std::string session;  // the console's id, "s-" and 16 hex digits
  std::string uploadToken;
  std::string expiresAt;  // ISO 8601 UTC
  std::int64_t eventsReceived = 0;
  bool created = false;  // false when the client key was registered before
};

// One stored event, as the console classified it; handed to the forwarder.
struct StoredEvent {
  std::string time;
  std::string event;
  std::string category;  // detection, bypass, problem, action, session or info
  std::string path;
  std::string threat;
  std::string detail;
  std::string host;
  std::string ipAddresses;  // comma-separated
  std::string session;      // the console's session id
};

// The authenticated session behind an upload token.
struct UploadSession {
  std::int64_t id = 0;
  std::string publicId;
  std::string scannerSession;
  std::int64_t eventsReceived = 0;
  std::string host;
  std::string ipAddresses;
};

class SessionIntake {
 public:
  using EventsStored = std::function<void(const std::vector<StoredEvent>&)>;

  SessionIntake(Database& database, IntakeLimits limits) : database_(database), limits_(limits) {}

  // Called after each stored batch with the new events (the forwarder).
  void onEventsStored(EventsStored callback) { eventsStored_ = std::move(callback); }

  // Registers a session from the JSON body of POST /api/v1/sessions. Fails with
  // kInvalidArgument naming the member that is missing or wrong, and with
  // kAlreadyExists when the client key belongs to another endpoint.
  Result<Registration> registerSession(const nlohmann::json& body);

  // Returns the session of a live upload token, or kPermissionDenied.
  Result<UploadSession> authenticate(std::string_view token);

  // Stores the lines of `batch` (events.jsonl text) whose first line has number
  // `firstLine`. Lines the console holds already are skipped. Fails with
  // kInvalidArgument for a bad line (then nothing is stored), and with
  // kTruncated when `firstLine` leaves a gap after the lines held.
  struct BatchResult {
    std::int64_t eventsReceived = 0;
    std::int64_t stored = 0;
  };
  Result<BatchResult> storeEvents(const UploadSession& session, std::int64_t firstLine,
                                  std::string_view batch);

  // Stores report.json; it completes the session and updates its endpoint.
  Status storeReport(const UploadSession& session, std::string_view reportJson);
  // Stores scan.log.
  Status storeLog(const UploadSession& session, std::string_view logText);

 private:
  Database& database_;
  IntakeLimits limits_;
  EventsStored eventsStored_;
};

// Sorts an event into the category the Threat Event Logs filter on, and pulls
// out its path, threat and detail.
StoredEvent classifyEvent(const nlohmann::json& line);

}  // namespace odscan::console
