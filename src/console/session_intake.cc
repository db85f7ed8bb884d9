#include "odscan/console/session_intake.h"

#include <ctime>

#include "odscan/console/credentials.h"
#include "request_helpers.h"

namespace odscan::console {
namespace {

using Json = nlohmann::json;

constexpr std::size_t kClientKeyLength = 32;
constexpr std::size_t kMaxEventNameLength = 64;
// Text pulled out of an event for the lists; the full line stays in `body`.
constexpr std::size_t kMaxFieldLength = 4096;

bool isSessionIdChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

std::string truncated(std::string text) {
  if (text.size() > kMaxFieldLength) text.resize(kMaxFieldLength);
  return text;
}

std::string stringMember(const Json& line, std::string_view member) {
  const auto found = line.find(member);
  return found != line.end() && found->is_string() ? truncated(found->get<std::string>())
                                                   : std::string();
}

// Parses one line of a batch. `lineNumber` is its number in events.jsonl.
Result<Json> parseEventLine(std::string_view text, std::int64_t lineNumber,
                            std::string_view scannerSession) {
  const auto bad = [lineNumber](std::string_view problem) {
    return Status(StatusCode::kInvalidArgument, "events.jsonl line " +
                                                    std::to_string(lineNumber + 1) + " " +
                                                    std::string(problem) + "; nothing was stored");
  };
  Json line = Json::parse(text, nullptr, false);
  if (line.is_discarded() || !line.is_object()) return bad("is not a JSON object");
  const auto time = line.find("time");
  const auto session = line.find("session");
  const auto event = line.find("event");
  if (time == line.end() || !time->is_string() || time->get<std::string>().size() > 64) {
    return bad("has no \"time\" string");
  }
  if (event == line.end() || !event->is_string() || event->get<std::string>().empty() ||
      event->get<std::string>().size() > kMaxEventNameLength) {
    return bad("has no \"event\" name");
  }
  for (char c : event->get<std::string>()) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return bad("has an \"event\" name that is not snake_case");
    }
  }
  if (session == line.end() || !session->is_string() ||
      session->get<std::string>() != scannerSession) {
    return bad("belongs to another session than '" + std::string(scannerSession) + "'");
  }
  return line;
}

std::int64_t countOf(const Json& counts, std::string_view name) {
  const auto found = counts.find(name);
  if (found == counts.end() || !found->is_number_integer()) return 0;
  return found->get<std::int64_t>();
}

}  // namespace

StoredEvent classifyEvent(const Json& line) {
  StoredEvent stored;
  stored.time = stringMember(line, "time");
  stored.event = stringMember(line, "event");
  const std::string verdict = stringMember(line, "verdict");
  const std::string& name = stored.event;
  stored.category = "info";
  if (name == "result" || name == "verdict_updated") {
    stored.path = stringMember(line, "path");
    if (verdict == "infected") {
      stored.category = "detection";
      stored.threat = stringMember(line, "threat");
      stored.detail = stringMember(line, "source");
    } else if (verdict == "bypassed") {
      stored.category = "bypass";
      stored.detail = "no Smart Scan Server answered the scan query";
    } else {
      stored.category = "problem";
      stored.detail = verdict + (line.contains("reason") ? " (" + stringMember(line, "reason") + ")"
                                                         : std::string());
    }
  } else if (name == "cloud_verdict") {
    stored.path = stringMember(line, "path");
    stored.category = verdict == "bypassed" ? "bypass" : "info";
    stored.detail = verdict;
  } else if (name == "quarantined" || name == "quarantine_restored") {
    stored.category = "action";
    stored.path = stringMember(line, name == "quarantined" ? "file" : "original_path");
    stored.threat = stringMember(line, "threat");
    stored.detail = name;
  } else if (name == "problem" || name == "quarantine_failed" || name == "restore_failed" ||
             name == "problem_limit_reached" || name == "smart_scan_servers_unreachable" ||
             name.ends_with("_error")) {
    stored.category = "problem";
    stored.path = stringMember(line, name == "quarantine_failed" ? "file" : "path");
    stored.detail = truncated(stringMember(line, "kind") + " " + stringMember(line, "message") +
                              stringMember(line, "detail") + stringMember(line, "error"));
  } else if (name == "smart_scan_server") {
    const std::string kind = stringMember(line, "kind");
    stored.category = kind == "server_down" || kind == "offline" ? "problem" : "info";
    stored.detail = truncated(kind + ": " + stringMember(line, "message"));
  } else if (name == "session_start" || name == "session_finish" || name == "scan_start") {
    stored.category = "session";
    stored.detail = stringMember(line, "outcome");
  }
  while (!stored.detail.empty() && stored.detail.front() == ' ') stored.detail.erase(0, 1);
  return stored;
}

Result<Registration> SessionIntake::registerSession(const Json& body) {
  auto sessionId = textMember(body, "session_id", 64);
  if (!sessionId.ok()) return sessionId.status();
  for (char c : *sessionId) {
    if (!isSessionIdChar(c)) return invalidMember("session_id", "must be letters, digits and '-'");
  }
  auto clientKey = textMember(body, "client_key", kClientKeyLength);
  if (!clientKey.ok()) return clientKey.status();
  if (clientKey->size() != kClientKeyLength || !isHex(*clientKey)) {
    return invalidMember("client_key", "must be 32 lower-case hex digits");
  }
  auto host = textMember(body, "host", kMaxHostLength);
  if (!host.ok()) return host.status();
  auto addresses = addressList(body);
  if (!addresses.ok()) return addresses.status();
  auto user = textMember(body, "user", kMaxTextLength, false);
  auto osVersion = textMember(body, "os_version", kMaxTextLength, false);
  auto scannerVersion = textMember(body, "scanner_version", 64, false);
  auto startedAt = textMember(body, "started_at", 64, false);
  for (const auto* member : {&user, &osVersion, &scannerVersion, &startedAt}) {
    if (!member->ok()) return member->status();
  }
  std::optional<std::int64_t> patternVersion;
  if (const auto found = body.find("pattern_version"); found != body.end() && !found->is_null()) {
    if (!found->is_number_unsigned()) {
      return invalidMember("pattern_version", "must be a whole number or null");
    }
    patternVersion = static_cast<std::int64_t>(found->get<std::uint64_t>());
  }

  const std::int64_t now = nowSeconds();
  Registration registration;
  registration.uploadToken = randomToken();
  const std::int64_t expires = now + limits_.tokenLifetime.count();
  registration.expiresAt = isoTime(expires);

  auto guard = database_.lock();
  Status stored = database_.transaction([&]() -> Status {
    auto endpoint = database_.prepare(
        "INSERT INTO endpoints (host, ip_addresses, os_version, last_user, first_seen, last_seen) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT(host) DO UPDATE SET "
        "ip_addresses = excluded.ip_addresses, os_version = excluded.os_version, "
        "last_user = excluded.last_user, last_seen = excluded.last_seen RETURNING id");
    if (!endpoint.ok()) return endpoint.status();
    endpoint->bind(1, std::string_view(*host))
        .bind(2, std::string_view(*addresses))
        .bind(3, std::string_view(*osVersion))
        .bind(4, std::string_view(*user))
        .bind(5, now);
    auto endpointRow = endpoint->step();
    if (!endpointRow.ok()) return endpointRow.status();
    const std::int64_t endpointId = endpoint->integer(0);
    if (auto done = endpoint->step(); !done.ok()) return done.status();

    auto existing = database_.prepare(
        "SELECT public_id, endpoint_id, events_received FROM scan_sessions WHERE client_key = ?");
    if (!existing.ok()) return existing.status();
    auto found = existing->bind(1, std::string_view(*clientKey)).step();
    if (!found.ok()) return found.status();
    if (*found) {
      if (existing->integer(1) != endpointId) {
        return Status(StatusCode::kAlreadyExists,
                      "the client_key belongs to a session of another endpoint; start a new "
                      "session with a new key");
      }
      registration.session = existing->text(0);
      registration.eventsReceived = existing->integer(2);
      auto renew = database_.prepare(
          "UPDATE scan_sessions SET token_hash = ?, token_expires_at = ? WHERE client_key = ?");
      if (!renew.ok()) return renew.status();
      return renew->bind(1, std::string_view(tokenHash(registration.uploadToken)))
          .bind(2, expires)
          .bind(3, std::string_view(*clientKey))
          .run();
    }
    registration.created = true;
    registration.session = "s-" + randomToken(8);
    auto insert = database_.prepare(
        "INSERT INTO scan_sessions (public_id, client_key, endpoint_id, scanner_session, user, "
        "ip_addresses, os_version, scanner_version, pattern_version, started_at, registered_at, "
        "token_hash, token_expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!insert.ok()) return insert.status();
    insert->bind(1, std::string_view(registration.session))
        .bind(2, std::string_view(*clientKey))
        .bind(3, endpointId)
        .bind(4, std::string_view(*sessionId))
        .bind(5, std::string_view(*user))
        .bind(6, std::string_view(*addresses))
        .bind(7, std::string_view(*osVersion))
        .bind(8, std::string_view(*scannerVersion))
        .bind(10, std::string_view(startedAt->empty() ? isoTime(now) : *startedAt))
        .bind(11, now)
        .bind(12, std::string_view(tokenHash(registration.uploadToken)))
        .bind(13, expires);
    if (patternVersion) {
      insert->bind(9, *patternVersion);
    } else {
      insert->bindNull(9);
    }
    if (Status status = insert->run(); !status.ok()) return status;
    auto link = database_.prepare("UPDATE endpoints SET last_session_id = ? WHERE id = ?");
    if (!link.ok()) return link.status();
    return link->bind(1, database_.lastInsertId()).bind(2, endpointId).run();
  });
  if (!stored.ok()) return stored;
  return registration;
}

Result<UploadSession> SessionIntake::authenticate(std::string_view token) {
  const Status denied(StatusCode::kPermissionDenied,
                      "the upload token is missing, unknown or expired; register the session "
                      "again with POST /api/v1/sessions");
  if (token.empty() || token.size() > 128) return denied;
  auto guard = database_.lock();
  auto query = database_.prepare(
      "SELECT s.id, s.public_id, s.scanner_session, s.events_received, e.host, s.ip_addresses "
      "FROM scan_sessions s JOIN endpoints e ON e.id = s.endpoint_id "
      "WHERE s.token_hash = ? AND s.token_expires_at > ?");
  if (!query.ok()) return query.status();
  auto row = query->bind(1, std::string_view(tokenHash(token))).bind(2, nowSeconds()).step();
  if (!row.ok()) return row.status();
  if (!*row) return denied;
  return UploadSession{query->integer(0), query->text(1), query->text(2),
                       query->integer(3), query->text(4), query->text(5)};
}

Result<SessionIntake::BatchResult> SessionIntake::storeEvents(const UploadSession& session,
                                                              std::int64_t firstLine,
                                                              std::string_view batch) {
  if (firstLine < 0) {
    return Status(StatusCode::kInvalidArgument, "X-Odscan-First-Line must not be negative");
  }
  // Check every line before the transaction, so a bad one stores nothing.
  std::vector<std::pair<std::int64_t, Json>> lines;
  std::int64_t number = firstLine;
  std::size_t position = 0;
  while (position < batch.size()) {
    std::size_t end = batch.find('\n', position);
    if (end == std::string_view::npos) end = batch.size();
    const std::string_view text = batch.substr(position, end - position);
    position = end + 1;
    if (text.empty()) continue;
    auto line = parseEventLine(text, number, session.scannerSession);
    if (!line.ok()) return line.status();
    lines.emplace_back(number++, std::move(line).value());
  }

  BatchResult result;
  std::vector<StoredEvent> storedEvents;
  auto guard = database_.lock();
  Status stored = database_.transaction([&]() -> Status {
    auto current = database_.prepare("SELECT events_received FROM scan_sessions WHERE id = ?");
    if (!current.ok()) return current.status();
    if (auto row = current->bind(1, session.id).step(); !row.ok()) return row.status();
    const std::int64_t held = current->integer(0);
    if (firstLine > held) {
      return Status(StatusCode::kTruncated,
                    "the batch starts at line " + std::to_string(firstLine + 1) +
                        " but the console holds only " + std::to_string(held) +
                        " lines; send the lines from line " + std::to_string(held + 1));
    }
    auto insert = database_.prepare(
        "INSERT OR IGNORE INTO events (session_id, line, time, event, category, path, threat, "
        "detail, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!insert.ok()) return insert.status();
    for (const auto& [lineNumber, line] : lines) {
      if (lineNumber < held) continue;
      StoredEvent event = classifyEvent(line);
      insert->reset();
      if (Status status = insert->bind(1, session.id)
                              .bind(2, lineNumber)
                              .bind(3, std::string_view(event.time))
                              .bind(4, std::string_view(event.event))
                              .bind(5, std::string_view(event.category))
                              .bind(6, std::string_view(event.path))
                              .bind(7, std::string_view(event.threat))
                              .bind(8, std::string_view(event.detail))
                              .bind(9, std::string_view(line.dump(-1, ' ', false,
                                                                  Json::error_handler_t::replace)))
                              .run();
          !status.ok()) {
        return status;
      }
      ++result.stored;
      event.host = session.host;
      event.ipAddresses = session.ipAddresses;
      event.session = session.publicId;
      storedEvents.push_back(std::move(event));
    }
    result.eventsReceived = std::max(held, number);
    auto update = database_.prepare("UPDATE scan_sessions SET events_received = ? WHERE id = ?");
    if (!update.ok()) return update.status();
    return update->bind(1, result.eventsReceived).bind(2, session.id).run();
  });
  if (!stored.ok()) return stored;
  guard.unlock();
  if (eventsStored_ && !storedEvents.empty()) eventsStored_(storedEvents);
  return result;
}

Status SessionIntake::storeReport(const UploadSession& session, std::string_view reportJson) {
  Json report = Json::parse(reportJson, nullptr, false);
  if (report.is_discarded() || !report.is_object()) {
    return Status(StatusCode::kInvalidArgument, "the report is not a JSON object");
  }
  if (report.value("format", std::string()) != "odscan-scan-report") {
    return Status(StatusCode::kInvalidArgument,
                  "the report's \"format\" is not \"odscan-scan-report\"; send report.json");
  }
  const Json counts =
      report.contains("counts") && report["counts"].is_object() ? report["counts"] : Json::object();
  std::int64_t quarantined = 0;
  if (report.contains("actions") && report["actions"].is_array()) {
    for (const Json& action : report["actions"]) {
      if (action.is_object() && action.value("action", std::string()) == "quarantined") {
        ++quarantined;
      }
    }
  }
  std::int64_t problems = 0;
  for (std::string_view list : {"problems", "errors"}) {
    if (report.contains(list) && report[list].is_array()) {
      problems += static_cast<std::int64_t>(report[list].size());
    }
  }
  const auto text = [&report](std::string_view member) {
    const auto found = report.find(member);
    return found != report.end() && found->is_string() ? truncated(found->get<std::string>())
                                                       : std::string();
  };
  const auto exitCode = report.contains("exit_code") && report["exit_code"].is_number_integer()
                            ? report["exit_code"].get<std::int64_t>()
                            : std::int64_t{-1};

  auto guard = database_.lock();
  auto update = database_.prepare(
      "UPDATE scan_sessions SET report = ?, finished_at = ?, outcome = ?, exit_code = ?, "
      "files_scanned = ?, infected = ?, quarantined = ?, bypassed = ?, not_scanned = ?, "
      "unresolved = ?, problems = ? WHERE id = ?");
  if (!update.ok()) return update.status();
  return update
      ->bind(1, std::string_view(report.dump(-1, ' ', false, Json::error_handler_t::replace)))
      .bind(2, std::string_view(text("finished_at")))
      .bind(3, std::string_view(text("outcome")))
      .bind(4, exitCode)
      .bind(5, countOf(counts, "files_scanned"))
      .bind(6, countOf(counts, "infected"))
      .bind(7, quarantined)
      .bind(8, countOf(counts, "bypassed"))
      .bind(9, countOf(counts, "not_scanned"))
      .bind(10, countOf(counts, "unresolved"))
      .bind(11, problems)
      .bind(12, session.id)
      .run();
}

Status SessionIntake::storeLog(const UploadSession& session, std::string_view logText) {
  auto guard = database_.lock();
  auto update = database_.prepare("UPDATE scan_sessions SET log = ? WHERE id = ?");
  if (!update.ok()) return update.status();
  return update->bind(1, logText).bind(2, session.id).run();
}

}  // namespace odscan::console
