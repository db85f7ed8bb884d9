#include "odscan/console/console_queries.h"

#include <algorithm>
#include <charconv>

#include "odscan/console/agent_registry.h"

namespace odscan::console {
namespace {

using Json = nlohmann::json;

constexpr std::int64_t kMaxEventRows = 10'000;
constexpr std::int64_t kMaxCsvRows = 100'000;
constexpr std::size_t kMaxFilterLength = 256;

std::string likePattern(std::string_view text) {
  std::string pattern = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') pattern.push_back('\\');
    pattern.push_back(c);
  }
  pattern.push_back('%');
  return pattern;
}

Json outcomeJson(const SessionOutcome& latest) {
  return Json{{"infected", latest.infected},     {"quarantined", latest.quarantined},
              {"bypassed", latest.bypassed},     {"not_scanned", latest.notScanned},
              {"unresolved", latest.unresolved}, {"problems", latest.problems},
              {"exit_code", latest.exitCode},    {"outcome", latest.outcome}};
}

bool isTimeBound(std::string_view text) {
  if (text.size() < 10 || text.size() > 30) return false;
  for (char c : text) {
    const bool allowed =
        (c >= '0' && c <= '9') || c == '-' || c == ':' || c == 'T' || c == 'Z' || c == '.';
    if (!allowed) return false;
  }
  return true;
}

// The WHERE clause of an event filter; the parameters are bound in this order by
// bindFilter().
constexpr std::string_view kEventSelect =
    "SELECT ev.time, en.host, en.ip_addresses, s.public_id, ev.category, ev.event, ev.path, "
    "ev.threat, ev.detail, s.user FROM events ev LEFT JOIN scan_sessions s ON s.id = "
    "ev.session_id JOIN endpoints en ON en.id = COALESCE(s.endpoint_id, ev.endpoint_id) "
    "WHERE (?1 = '' OR ev.time >= ?1) AND "
    "(?2 = '' OR ev.time <= ?2) AND (?3 = '' OR en.host LIKE ?4 ESCAPE '\\' OR "
    "en.ip_addresses LIKE ?4 ESCAPE '\\') AND (?5 = '' OR ev.category = ?5) AND "
    "(?6 = '' OR s.public_id = ?6) ORDER BY ev.time DESC, ev.id DESC LIMIT ?7";

Result<Statement> prepareEvents(Database& database, const EventFilter& filter, std::int64_t limit) {
  auto query = database.prepare(kEventSelect);
  if (!query.ok()) return query.status();
  // "to" is inclusive of the whole second (or day) it names.
  const std::string to = filter.to.empty() ? std::string() : filter.to + "\xff";
  query->bind(1, std::string_view(filter.from))
      .bind(2, std::string_view(to))
      .bind(3, std::string_view(filter.endpoint))
      .bind(4, std::string_view(likePattern(filter.endpoint)))
      .bind(5, std::string_view(filter.category))
      .bind(6, std::string_view(filter.session))
      .bind(7, limit);
  return query;
}

std::string csvCell(std::string text) {
  if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' ||
                        text[0] == '\t' || text[0] == '\r')) {
    text.insert(text.begin(), '\'');
  }
  std::string cell = "\"";
  for (char c : text) {
    if (c == '"') cell.push_back('"');
    cell.push_back(c);
  }
  cell.push_back('"');
  return cell;
}

}  // namespace

std::string securityPosture(const SessionOutcome& latest) {
  if (!latest.exists) return "never_scanned";
  if (!latest.reported || latest.outcome != "completed") return "scan_incomplete";
  if (latest.infected > latest.quarantined) return "threats_remain";
  if (latest.infected > 0) return "threats_cleaned";
  if (latest.bypassed > 0) return "bypassed_files";
  if (latest.unresolved > 0) return "scan_incomplete";
  return "clean";
}

bool hasProblems(const SessionOutcome& latest) {
  if (!latest.exists) return false;
  return !latest.reported || latest.outcome != "completed" || latest.bypassed > 0 ||
         latest.notScanned > 0 || latest.unresolved > 0 || latest.problems > 0 ||
         latest.exitCode == 2;
}

Result<Json> listEndpoints(Database& database, std::string_view search, std::string_view posture,
                           bool problemsOnly, std::chrono::seconds checkInInterval) {
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  auto guard = database.lock();
  auto query = database.prepare(
      "SELECT en.host, en.ip_addresses, en.os_version, en.last_user, en.first_seen, "
      "en.last_seen, s.public_id, s.started_at, s.finished_at, s.report IS NOT NULL, s.outcome, "
      "s.exit_code, s.infected, s.quarantined, s.bypassed, s.not_scanned, s.unresolved, "
      "s.problems, (SELECT COUNT(*) FROM scan_sessions x WHERE x.endpoint_id = en.id), "
      "a.agent_id, a.version, a.last_seen, (SELECT json_object('state', c.state, 'id', "
      "c.public_id, 'reason', c.reason) FROM agent_commands c WHERE c.agent_id = a.id ORDER BY "
      "c.sequence DESC LIMIT 1), EXISTS "
      "(SELECT 1 FROM endpoint_data d WHERE d.endpoint_id = en.id AND NOT EXISTS (SELECT 1 FROM "
      "cases k WHERE k.endpoint_id = en.id AND k.created_at >= d.received_at)) "
      "FROM endpoints en LEFT JOIN scan_sessions s ON s.id = en.last_session_id "
      "LEFT JOIN agents a ON a.id = (SELECT MAX(x.id) FROM agents x WHERE x.endpoint_id = en.id) "
      "WHERE ?1 = '' OR en.host LIKE ?2 ESCAPE '\\' OR en.ip_addresses LIKE ?2 ESCAPE '\\' "
      "ORDER BY en.last_seen DESC, en.id DESC LIMIT 5000");
  if (!query.ok()) return query.status();
  query->bind(1, search).bind(2, std::string_view(likePattern(search)));
  Json endpoints = Json::array();
  while (true) {
    auto row = query->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    SessionOutcome latest;
    latest.exists = !query->isNull(6);
    latest.reported = query->integer(9) != 0;
    latest.outcome = query->text(10);
    latest.exitCode = query->isNull(11) ? -1 : query->integer(11);
    latest.infected = query->integer(12);
    latest.quarantined = query->integer(13);
    latest.bypassed = query->integer(14);
    latest.notScanned = query->integer(15);
    latest.unresolved = query->integer(16);
    latest.problems = query->integer(17);
    const std::string endpointPosture = securityPosture(latest);
    const bool problems = hasProblems(latest);
    if (!posture.empty() && endpointPosture != posture) continue;
    if (problemsOnly && !problems) continue;
    Json endpoint = {{"host", query->text(0)},
                     {"ip_addresses", query->text(1)},
                     {"os_version", query->text(2)},
                     {"last_user", query->text(3)},
                     {"first_seen", query->integer(4)},
                     {"last_seen", query->integer(5)},
                     {"posture", endpointPosture},
                     {"has_problems", problems},
                     {"sessions", query->integer(18)},
                     {"last_session", nullptr},
                     {"agent", nullptr},
                     {"endpoint_data_collected", false}};
    if (!query->isNull(19)) {
      // The latest command, as a JSON object from SQLite.
      Json command = query->isNull(22) ? Json() : Json::parse(query->text(22), nullptr, false);
      if (command.is_discarded()) command = nullptr;
      endpoint["agent"] = {{"agent_id", query->text(19)},
                           {"version", query->text(20)},
                           {"last_seen", query->integer(21)},
                           {"connected", agentConnected(query->integer(21), now, checkInInterval)},
                           {"last_command", command}};
    }
    endpoint["endpoint_data_collected"] = query->integer(23) != 0;
    if (latest.exists) {
      Json session = outcomeJson(latest);
      session["id"] = query->text(6);
      session["started_at"] = query->text(7);
      session["finished_at"] = query->text(8);
      session["reported"] = latest.reported;
      endpoint["last_session"] = session;
    }
    endpoints.push_back(std::move(endpoint));
  }
  return endpoints;
}

Result<EventFilter> eventFilterOf(const std::map<std::string, std::string, std::less<>>& query) {
  EventFilter filter;
  const auto value = [&query](std::string_view name) {
    const auto found = query.find(name);
    return found == query.end() ? std::string() : found->second;
  };
  filter.from = value("from");
  filter.to = value("to");
  filter.endpoint = value("endpoint");
  filter.category = value("type");
  filter.session = value("session");
  for (const auto& [name, text] :
       {std::pair<std::string_view, const std::string&>{"from", filter.from}, {"to", filter.to}}) {
    if (!text.empty() && !isTimeBound(text)) {
      return Status(StatusCode::kInvalidArgument,
                    "the parameter '" + std::string(name) + "' is '" + text.substr(0, 40) +
                        "'; give a UTC time such as 2026-12-05 or 2026-12-05T08:30:00Z");
    }
  }
  if (filter.endpoint.size() > kMaxFilterLength || filter.session.size() > kMaxFilterLength) {
    return Status(StatusCode::kInvalidArgument, "a filter is longer than 256 characters");
  }
  static const std::initializer_list<std::string_view> kCategories = {
      "detection", "bypass", "problem", "action", "session", "info"};
  if (!filter.category.empty() &&
      std::find(kCategories.begin(), kCategories.end(), filter.category) == kCategories.end()) {
    return Status(StatusCode::kInvalidArgument,
                  "the parameter 'type' is '" + filter.category.substr(0, 40) +
                      "'; use detection, bypass, problem, action, session or info");
  }
  if (const std::string limit = value("limit"); !limit.empty()) {
    std::int64_t number = 0;
    const auto parsed = std::from_chars(limit.data(), limit.data() + limit.size(), number);
    if (parsed.ec != std::errc() || parsed.ptr != limit.data() + limit.size() || number < 1 ||
        number > kMaxEventRows) {
      return Status(StatusCode::kInvalidArgument,
                    "the parameter 'limit' must be a number from 1 to 10000");
    }
    filter.limit = number;
  }
  return filter;
}

Result<Json> listEvents(Database& database, const EventFilter& filter) {
  auto guard = database.lock();
  auto query = prepareEvents(database, filter, filter.limit);
  if (!query.ok()) return query.status();
  Json events = Json::array();
  while (true) {
    auto row = query->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    events.push_back({{"time", query->text(0)},
                      {"host", query->text(1)},
                      {"ip_addresses", query->text(2)},
                      {"session", query->text(3)},
                      {"type", query->text(4)},
                      {"event", query->text(5)},
                      {"path", query->text(6)},
                      {"threat", query->text(7)},
                      {"detail", query->text(8)},
                      {"user", query->text(9)}});
  }
  return events;
}

Result<std::string> eventsCsv(Database& database, const EventFilter& filter) {
  auto guard = database.lock();
  auto query = prepareEvents(database, filter, kMaxCsvRows);
  if (!query.ok()) return query.status();
  std::string csv = "time,host,ip_addresses,user,session,type,event,path,threat,detail\r\n";
  while (true) {
    auto row = query->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    for (int column : {0, 1, 2, 9, 3, 4, 5, 6, 7, 8}) {
      if (column != 0) csv += ',';
      csv += csvCell(query->text(column));
    }
    csv += "\r\n";
  }
  return csv;
}

Result<Json> sessionDetail(Database& database, std::string_view publicId) {
  auto guard = database.lock();
  auto query = database.prepare(
      "SELECT s.public_id, s.scanner_session, en.host, s.ip_addresses, s.user, s.os_version, "
      "s.scanner_version, s.pattern_version, s.started_at, s.finished_at, s.outcome, "
      "s.exit_code, s.events_received, s.report, s.log FROM scan_sessions s JOIN endpoints en "
      "ON en.id = s.endpoint_id WHERE s.public_id = ?");
  if (!query.ok()) return query.status();
  auto row = query->bind(1, publicId).step();
  if (!row.ok()) return row.status();
  if (!*row) {
    return Status(StatusCode::kNotFound, "there is no session '" +
                                             std::string(publicId.substr(0, 64)) +
                                             "'; pick one from the Threat Event Logs");
  }
  Json report = query->isNull(13) ? Json() : Json::parse(query->text(13), nullptr, false);
  if (report.is_discarded()) report = nullptr;
  return Json{{"session", query->text(0)},
              {"scanner_session", query->text(1)},
              {"host", query->text(2)},
              {"ip_addresses", query->text(3)},
              {"user", query->text(4)},
              {"os_version", query->text(5)},
              {"scanner_version", query->text(6)},
              {"pattern_version", query->isNull(7) ? Json() : Json(query->integer(7))},
              {"started_at", query->text(8)},
              {"finished_at", query->text(9)},
              {"outcome", query->text(10)},
              {"exit_code", query->isNull(11) ? Json() : Json(query->integer(11))},
              {"events_received", query->integer(12)},
              {"report", report},
              {"log", query->isNull(14) ? Json() : Json(query->text(14))}};
}

}  // namespace odscan::console
