// Reads behind the console's review screens: the endpoint list with each
// endpoint's security posture, the Threat Event Logs with their filters and CSV
// export, and one session's detail.
//
// Filters arrive from query strings and are bound as parameters; LIKE patterns
// escape the user's '%' and '_' so they match literally.
//
// Thread safety: free functions; each takes the database lock.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "odscan/common/status.h"
#include "odscan/console/database.h"

namespace odscan::console {

// The counts of an endpoint's latest session that its posture derives from.
struct SessionOutcome {
  bool exists = false;
  bool reported = false;  // report.json arrived
  std::string outcome;    // completed, cancelled, not_started
  std::int64_t exitCode = -1;
  std::int64_t infected = 0;
  std::int64_t quarantined = 0;
  std::int64_t bypassed = 0;
  std::int64_t notScanned = 0;
  std::int64_t unresolved = 0;
  std::int64_t problems = 0;
};

// never_scanned, scan_incomplete, threats_remain, threats_cleaned,
// bypassed_files or clean.
std::string securityPosture(const SessionOutcome& latest);
// True when the session needs an administrator's look (S9).
bool hasProblems(const SessionOutcome& latest);

// Endpoints whose host name or one of whose IP addresses contains `search`
// (every endpoint when empty), most recently seen first. `posture` keeps only
// endpoints with that posture, `problemsOnly` those with problems. An endpoint
// with a Threat Management Agent lists it under "agent", connected when it checked
// in within three `checkInInterval`s.
Result<nlohmann::json> listEndpoints(
    Database& database, std::string_view search, std::string_view posture, bool problemsOnly,
    std::chrono::seconds checkInInterval = std::chrono::seconds(30));

struct EventFilter {
  std::string from;      // ISO 8601 UTC, inclusive; empty for no bound
  std::string to;        // ISO 8601 UTC, inclusive
  std::string endpoint;  // part of a host name or IP address
  std::string category;  // detection, bypass, problem, action, session, info; empty: all
  std::string session;   // the console's session id
  std::int64_t limit = 500;
};

// Checks a filter from query parameters. Fails with kInvalidArgument naming the
// parameter.
Result<EventFilter> eventFilterOf(const std::map<std::string, std::string, std::less<>>& query);

Result<nlohmann::json> listEvents(Database& database, const EventFilter& filter);

// Returns the events as CSV (RFC 4180) with a header line. Cells that a
// spreadsheet would run as a formula start with a quote.
Result<std::string> eventsCsv(Database& database, const EventFilter& filter);

// Returns a session with its endpoint, report, log and events; kNotFound for an
// unknown id.
Result<nlohmann::json> sessionDetail(Database& database, std::string_view publicId);

}  // namespace odscan::console
