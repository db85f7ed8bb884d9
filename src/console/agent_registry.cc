#include "odscan/console/agent_registry.h"

#include <array>
#include <fstream>

#include "odscan/agent/agent_command.h"
#include "odscan/common/hasher.h"
#include "odscan/console/credentials.h"
#include "request_helpers.h"

namespace odscan::console {
namespace {

using Json = nlohmann::json;

constexpr std::size_t kAgentIdBytes = 8;
constexpr std::int64_t kMissedCheckIns = 3;
constexpr std::size_t kMaxReasonLength = 1024;

// The order of command states; a report may only move a command forward.
int stateRank(std::string_view state) {
  if (state == "queued") return 0;
  if (state == "delivered") return 1;
  if (state == "running") return 2;
  if (state == "done" || state == "failed") return 3;
  return -1;
}

struct EndpointFacts {
  std::string host;
  std::string addresses;
  std::string osVersion;
  std::string user;
  std::string version;
};

Result<EndpointFacts> endpointFactsOf(const Json& body) {
  EndpointFacts facts;
  auto host = textMember(body, "host", kMaxHostLength);
  if (!host.ok()) return host.status();
  facts.host = std::move(host).value();
  auto addresses = addressList(body);
  if (!addresses.ok()) return addresses.status();
  facts.addresses = std::move(addresses).value();
  for (const auto& [member, target] :
       {std::pair<std::string_view, std::string*>{"os_version", &facts.osVersion},
        {"user", &facts.user},
        {"version", &facts.version}}) {
    auto value = textMember(body, member, member == "version" ? 64 : kMaxTextLength, false);
    if (!value.ok()) return value.status();
    *target = std::move(value).value();
  }
  return facts;
}

// Inserts or refreshes the endpoint row of `facts` and returns its id. The
// caller holds the lock inside a transaction.
Result<std::int64_t> upsertEndpoint(Database& database, const EndpointFacts& facts,
                                    std::int64_t now) {
  auto endpoint = database.prepare(
      "INSERT INTO endpoints (host, ip_addresses, os_version, last_user, first_seen, last_seen) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT(host) DO UPDATE SET "
      "ip_addresses = excluded.ip_addresses, os_version = excluded.os_version, "
      "last_seen = excluded.last_seen RETURNING id");
  if (!endpoint.ok()) return endpoint.status();
  endpoint->bind(1, std::string_view(facts.host))
      .bind(2, std::string_view(facts.addresses))
      .bind(3, std::string_view(facts.osVersion))
      .bind(4, std::string_view(facts.user))
      .bind(5, now);
  auto row = endpoint->step();
  if (!row.ok()) return row.status();
  const std::int64_t id = endpoint->integer(0);
  if (auto done = endpoint->step(); !done.ok()) return done.status();
  return id;
}

std::string sha256Hex(std::string_view data) {
  return MultiHasher::digestOf(
             DigestKind::kSha256,
             std::span(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()))
      .toHex();
}

Json commandJson(Statement& row, int first, std::int64_t now) {
  // Columns from `first`: public_id, kind, state, reason, exit_code,
  // scan_session, created_by, created_at, updated_at, expires_at.
  Json command = {{"id", row.text(first)},
                  {"kind", row.text(first + 1)},
                  {"state", row.text(first + 2)},
                  {"reason", row.text(first + 3)},
                  {"exit_code", row.isNull(first + 4) ? Json() : Json(row.integer(first + 4))},
                  {"scan_session", row.text(first + 5)},
                  {"launched_by", row.text(first + 6)},
                  {"created_at", isoTime(row.integer(first + 7))},
                  {"updated_at", isoTime(row.integer(first + 8))}};
  const std::string state = row.text(first + 2);
  command["active"] = stateRank(state) < 3 && row.integer(first + 9) > now;
  return command;
}

}  // namespace

bool agentConnected(std::int64_t lastSeen, std::int64_t now, std::chrono::seconds interval) {
  return lastSeen >= now - kMissedCheckIns * interval.count();
}

AgentRegistry::AgentRegistry(Database& database, PrivateKey key, AgentRegistryOptions options)
    : database_(database), key_(std::move(key)), options_(std::move(options)) {}

void AgentRegistry::onEventsStored(std::function<void(const std::vector<StoredEvent>&)> listener) {
  listener_ = std::move(listener);
}

void AgentRegistry::notify(const std::vector<StoredEvent>& events) {
  if (listener_ && !events.empty()) listener_(events);
}

Result<EnrollmentToken> AgentRegistry::createEnrollmentToken(std::string_view createdBy,
                                                             std::chrono::seconds lifetime,
                                                             std::int64_t uses) {
  if (lifetime.count() < 60 || lifetime > std::chrono::hours(24 * 30)) {
    return Status(StatusCode::kInvalidArgument,
                  "an enrollment token lives from 1 minute to 30 days; the request asked for " +
                      std::to_string(lifetime.count()) + " seconds");
  }
  if (uses < 1 || uses > 10000) {
    return Status(StatusCode::kInvalidArgument,
                  "an enrollment token enrolls from 1 to 10000 agents; the request asked for " +
                      std::to_string(uses));
  }
  EnrollmentToken token;
  token.token = randomToken(24);
  token.uses = uses;
  const std::int64_t now = nowSeconds();
  token.expiresAt = isoTime(now + lifetime.count());
  auto guard = database_.lock();
  auto insert = database_.prepare(
      "INSERT INTO enrollment_tokens (token_hash, created_by, created_at, expires_at, uses_left) "
      "VALUES (?, ?, ?, ?, ?)");
  if (!insert.ok()) return insert.status();
  Status stored = insert->bind(1, std::string_view(tokenHash(token.token)))
                      .bind(2, createdBy)
                      .bind(3, now)
                      .bind(4, now + lifetime.count())
                      .bind(5, uses)
                      .run();
  if (!stored.ok()) return stored;
  return token;
}

Result<EnrolledAgent> AgentRegistry::enroll(const Json& body) {
  auto token = textMember(body, "token", 128);
  if (!token.ok()) return token.status();
  auto facts = endpointFactsOf(body);
  if (!facts.ok()) return facts.status();

  EnrolledAgent enrolled;
  enrolled.agentId = "a-" + randomToken(kAgentIdBytes);
  enrolled.secret = randomToken(32);
  const std::int64_t now = nowSeconds();
  auto guard = database_.lock();
  Status stored = database_.transaction([&]() -> Status {
    auto use = database_.prepare(
        "UPDATE enrollment_tokens SET uses_left = uses_left - 1 WHERE token_hash = ? AND "
        "uses_left > 0 AND expires_at > ?");
    if (!use.ok()) return use.status();
    if (Status used = use->bind(1, std::string_view(tokenHash(*token))).bind(2, now).run();
        !used.ok()) {
      return used;
    }
    if (database_.changes() != 1) {
      return Status(StatusCode::kPermissionDenied,
                    "the enrollment token is unknown, used up or expired; create a new one on "
                    "the console's Threat Management screen");
    }
    auto endpointId = upsertEndpoint(database_, *facts, now);
    if (!endpointId.ok()) return endpointId.status();
    auto insert = database_.prepare(
        "INSERT INTO agents (agent_id, secret_hash, endpoint_id, version, run_as, enrolled_at, "
        "last_seen) VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!insert.ok()) return insert.status();
    return insert->bind(1, std::string_view(enrolled.agentId))
        .bind(2, std::string_view(tokenHash(enrolled.secret)))
        .bind(3, *endpointId)
        .bind(4, std::string_view(facts->version))
        .bind(5, std::string_view(facts->user))
        .bind(6, now)
        .bind(7, now)
        .run();
  });
  if (!stored.ok()) return stored;
  return enrolled;
}

Result<AgentIdentity> AgentRegistry::authenticate(std::string_view credentials) {
  const std::size_t colon = credentials.find(':');
  const Status denied(StatusCode::kPermissionDenied,
                      "the agent credentials are missing or unknown; enroll the agent again "
                      "with a new enrollment token");
  if (colon == std::string_view::npos || colon > 64 || credentials.size() - colon - 1 > 128) {
    return denied;
  }
  const std::string_view agentId = credentials.substr(0, colon);
  const std::string_view secret = credentials.substr(colon + 1);
  auto guard = database_.lock();
  auto query = database_.prepare(
      "SELECT a.id, a.secret_hash, a.endpoint_id, en.host, en.ip_addresses FROM agents a "
      "JOIN endpoints en ON en.id = a.endpoint_id WHERE a.agent_id = ?");
  if (!query.ok()) return query.status();
  auto row = query->bind(1, agentId).step();
  if (!row.ok()) return row.status();
  if (!*row || !constantTimeEquals(tokenHash(secret), query->text(1))) return denied;
  return AgentIdentity{query->integer(0), std::string(agentId), query->integer(2), query->text(3),
                       query->text(4)};
}

Result<Json> AgentRegistry::checkIn(const AgentIdentity& agent, const Json& body) {
  auto facts = endpointFactsOf(body);
  if (!facts.ok()) return facts.status();
  const std::int64_t now = nowSeconds();
  Json commands = Json::array();
  std::vector<StoredEvent> events;
  {
    auto guard = database_.lock();
    Status stored = database_.transaction([&]() -> Status {
      // The host name may change (a renamed computer); the agent keeps its row.
      facts->host = agent.host;
      if (auto endpoint = upsertEndpoint(database_, *facts, now); !endpoint.ok()) {
        return endpoint.status();
      }
      auto seen = database_.prepare(
          "UPDATE agents SET last_seen = ?, version = ?, run_as = ? WHERE id = ?");
      if (!seen.ok()) return seen.status();
      if (Status updated = seen->bind(1, now)
                               .bind(2, std::string_view(facts->version))
                               .bind(3, std::string_view(facts->user))
                               .bind(4, agent.id)
                               .run();
          !updated.ok()) {
        return updated;
      }
      auto expired = database_.prepare(
          "UPDATE agent_commands SET state = 'failed', reason = 'the agent did not fetch the "
          "command before it expired', updated_at = ?1 WHERE agent_id = ?2 AND state IN "
          "('queued', 'delivered') AND expires_at <= ?1 RETURNING public_id");
      if (!expired.ok()) return expired.status();
      expired->bind(1, now).bind(2, agent.id);
      std::vector<std::string> expiredIds;
      while (true) {
        auto row = expired->step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        expiredIds.push_back(expired->text(0));
      }
      for (const auto& id : expiredIds) {
        if (Status recorded =
                recordEvent(agent.endpointId, "remote_scan_failed", "problem",
                            "command " + id + " expired before the agent fetched it", events);
            !recorded.ok()) {
          return recorded;
        }
      }
      auto pending = database_.prepare(
          "SELECT public_id, sequence, kind, created_at, expires_at FROM agent_commands WHERE "
          "agent_id = ? AND state IN ('queued', 'delivered') ORDER BY sequence");
      if (!pending.ok()) return pending.status();
      pending->bind(1, agent.id);
      while (true) {
        auto row = pending->step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        agent::AgentCommand command{pending->text(0), agent.agentId,       pending->integer(1),
                                    pending->text(2), pending->integer(3), pending->integer(4)};
        auto signedCommand = agent::signCommand(command, key_);
        if (!signedCommand.ok()) return signedCommand.status();
        commands.push_back(std::move(signedCommand).value());
      }
      auto delivered = database_.prepare(
          "UPDATE agent_commands SET state = 'delivered', updated_at = ? WHERE agent_id = ? AND "
          "state = 'queued'");
      if (!delivered.ok()) return delivered.status();
      return delivered->bind(1, now).bind(2, agent.id).run();
    });
    if (!stored.ok()) return stored;
  }
  notify(events);
  return Json{{"commands", std::move(commands)},
              {"check_in_seconds", options_.checkInInterval.count()}};
}

Result<LaunchedCommand> AgentRegistry::launchScan(std::string_view host,
                                                  std::string_view launchedBy) {
  const std::int64_t now = nowSeconds();
  LaunchedCommand launched;
  auto guard = database_.lock();
  Status stored = database_.transaction([&]() -> Status {
    auto agent = database_.prepare(
        "SELECT a.id, a.agent_id, a.last_seen, a.next_sequence, en.host FROM agents a JOIN "
        "endpoints en ON en.id = a.endpoint_id WHERE en.host = ? ORDER BY a.last_seen DESC "
        "LIMIT 1");
    if (!agent.ok()) return agent.status();
    auto row = agent->bind(1, host).step();
    if (!row.ok()) return row.status();
    if (!*row) {
      return Status(StatusCode::kNotFound,
                    "no Threat Management Agent runs on '" + std::string(host.substr(0, 255)) +
                        "'; install and enroll one there, or hand out the On-demand Scan link");
    }
    const std::int64_t agentRow = agent->integer(0);
    launched.agentId = agent->text(1);
    launched.host = agent->text(4);
    const std::int64_t sequence = agent->integer(3);
    if (!agentConnected(agent->integer(2), now, options_.checkInInterval)) {
      return Status(StatusCode::kUnavailable,
                    "the agent on '" + launched.host + "' is not connected (last seen " +
                        isoTime(agent->integer(2)) +
                        "); check that the endpoint is on and reaches the console, then try "
                        "again");
    }
    auto active = database_.prepare(
        "SELECT public_id, state FROM agent_commands WHERE agent_id = ? AND state IN "
        "('queued', 'delivered', 'running') AND expires_at > ? LIMIT 1");
    if (!active.ok()) return active.status();
    auto busy = active->bind(1, agentRow).bind(2, now).step();
    if (!busy.ok()) return busy.status();
    if (*busy) {
      return Status(StatusCode::kAlreadyExists,
                    "an On-demand Scan launched on '" + launched.host + "' is still " +
                        active->text(1) + " (command " + active->text(0) +
                        "); wait for it to finish before launching another");
    }
    launched.command = "c-" + randomToken(kAgentIdBytes);
    auto insert = database_.prepare(
        "INSERT INTO agent_commands (public_id, agent_id, sequence, kind, state, created_by, "
        "created_at, expires_at, updated_at) VALUES (?1, ?2, ?3, ?4, 'queued', ?5, ?6, ?7, ?6)");
    if (!insert.ok()) return insert.status();
    if (Status inserted = insert->bind(1, std::string_view(launched.command))
                              .bind(2, agentRow)
                              .bind(3, sequence)
                              .bind(4, agent::kOnDemandScanCommand)
                              .bind(5, launchedBy)
                              .bind(6, now)
                              .bind(7, now + options_.commandLifetime.count())
                              .run();
        !inserted.ok()) {
      return inserted;
    }
    auto next = database_.prepare("UPDATE agents SET next_sequence = ? WHERE id = ?");
    if (!next.ok()) return next.status();
    return next->bind(1, sequence + 1).bind(2, agentRow).run();
  });
  if (!stored.ok()) return stored;
  return launched;
}

Status AgentRegistry::updateCommand(const AgentIdentity& agent, const Json& body) {
  auto id = textMember(body, "command", 64);
  if (!id.ok()) return id.status();
  auto state = textMember(body, "state", 16);
  if (!state.ok()) return state.status();
  const int rank = stateRank(*state);
  if (rank < 2) return invalidMember("state", "must be running, done or failed");
  auto reason = textMember(body, "reason", kMaxReasonLength, false);
  if (!reason.ok()) return reason.status();
  auto session = textMember(body, "scan_session", 64, false);
  if (!session.ok()) return session.status();
  std::optional<std::int64_t> exitCode;
  if (const auto found = body.find("exit_code"); found != body.end() && !found->is_null()) {
    if (!found->is_number_integer()) return invalidMember("exit_code", "must be a whole number");
    exitCode = found->get<std::int64_t>();
  }
  if (*state == "failed" && reason->empty()) {
    return invalidMember("reason", "must say why the command failed");
  }

  const std::int64_t now = nowSeconds();
  std::vector<StoredEvent> events;
  {
    auto guard = database_.lock();
    Status stored = database_.transaction([&]() -> Status {
      auto current = database_.prepare(
          "SELECT id, state, reason, exit_code FROM agent_commands WHERE public_id = ? AND "
          "agent_id = ?");
      if (!current.ok()) return current.status();
      auto row = current->bind(1, std::string_view(*id)).bind(2, agent.id).step();
      if (!row.ok()) return row.status();
      if (!*row) {
        return Status(StatusCode::kNotFound, "the command '" + id->substr(0, 64) +
                                                 "' is not a command of agent " + agent.agentId +
                                                 "; the report is ignored");
      }
      const std::int64_t commandRow = current->integer(0);
      const std::string previous = current->text(1);
      if (previous == *state) return Status::success();  // a repeated report
      if (stateRank(previous) >= rank) {
        return Status(StatusCode::kAlreadyExists, "the command " + *id + " is " + previous +
                                                      " already and cannot become " + *state);
      }
      auto update = database_.prepare(
          "UPDATE agent_commands SET state = ?, reason = ?, exit_code = ?, scan_session = "
          "CASE WHEN ? = '' THEN scan_session ELSE ? END, updated_at = ? WHERE id = ?");
      if (!update.ok()) return update.status();
      update->bind(1, std::string_view(*state))
          .bind(2, std::string_view(*reason))
          .bind(4, std::string_view(*session))
          .bind(5, std::string_view(*session))
          .bind(6, now)
          .bind(7, commandRow);
      if (exitCode) {
        update->bind(3, *exitCode);
      } else {
        update->bindNull(3);
      }
      if (Status updated = update->run(); !updated.ok()) return updated;
      if (*state == "failed") {
        return recordEvent(agent.endpointId, "remote_scan_failed", "problem",
                           "command " + *id + ": " + *reason, events);
      }
      if (*state == "done") {
        return recordEvent(agent.endpointId, "remote_scan_finished", "session",
                           "command " + *id + " finished with exit code " +
                               (exitCode ? std::to_string(*exitCode) : std::string("unknown")),
                           events);
      }
      return Status::success();
    });
    if (!stored.ok()) return stored;
  }
  notify(events);
  return Status::success();
}

Result<std::string> AgentRegistry::storeEndpointData(const AgentIdentity& agent,
                                                     std::string_view command,
                                                     std::string_view reason,
                                                     std::string_view archive) {
  if (archive.size() < 4 || archive.substr(0, 4) != std::string_view("PK\x03\x04", 4)) {
    return Status(StatusCode::kInvalidArgument,
                  "the endpoint data is not a zip archive; send the archive that tm-agent "
                  "collects");
  }
  if (reason.empty() || reason.size() > kMaxReasonLength) {
    return Status(StatusCode::kInvalidArgument,
                  "the header X-Odscan-Reason must say in 1 to 1024 bytes why the data was "
                  "collected");
  }
  const std::string publicId = "d-" + randomToken(kAgentIdBytes);
  const std::filesystem::path folder = options_.dataDir / "endpoint-data";
  const std::filesystem::path file = folder / (publicId + ".zip");
  const std::filesystem::path partial = folder / (publicId + ".zip.partial");
  if (Status created = createPrivateFolder(folder); !created.ok()) return created;
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out.write(archive.data(), static_cast<std::streamsize>(archive.size()));
    out.close();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(partial, ignored);
      return Status(StatusCode::kIoError,
                    "cannot write '" + partial.string() + "'; check the data folder's free space");
    }
  }
  std::error_code error;
  std::filesystem::rename(partial, file, error);
  if (error) {
    std::filesystem::remove(partial, error);
    return Status(StatusCode::kIoError, "cannot store '" + file.string() + "'");
  }

  const std::int64_t now = nowSeconds();
  std::vector<StoredEvent> events;
  {
    auto guard = database_.lock();
    Status stored = database_.transaction([&]() -> Status {
      std::optional<std::int64_t> commandRow;
      if (!command.empty()) {
        auto find =
            database_.prepare("SELECT id FROM agent_commands WHERE public_id = ? AND agent_id = ?");
        if (!find.ok()) return find.status();
        auto row = find->bind(1, command).bind(2, agent.id).step();
        if (!row.ok()) return row.status();
        if (!*row) {
          return Status(StatusCode::kNotFound, "the command '" +
                                                   std::string(command.substr(0, 64)) +
                                                   "' is not a command of agent " + agent.agentId);
        }
        commandRow = find->integer(0);
      }
      auto insert = database_.prepare(
          "INSERT INTO endpoint_data (public_id, endpoint_id, command_id, reason, file, size, "
          "sha256, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
      if (!insert.ok()) return insert.status();
      insert->bind(1, std::string_view(publicId))
          .bind(2, agent.endpointId)
          .bind(4, reason)
          .bind(5, std::string_view(file.filename().string()))
          .bind(6, static_cast<std::int64_t>(archive.size()))
          .bind(7, std::string_view(sha256Hex(archive)))
          .bind(8, now);
      if (commandRow) {
        insert->bind(3, *commandRow);
      } else {
        insert->bindNull(3);
      }
      if (Status inserted = insert->run(); !inserted.ok()) return inserted;
      return recordEvent(agent.endpointId, "endpoint_data_collected", "problem",
                         "endpoint data " + publicId + " collected: " + std::string(reason),
                         events);
    });
    if (!stored.ok()) {
      std::filesystem::remove(file, error);
      return stored;
    }
  }
  notify(events);
  return publicId;
}

Result<Json> AgentRegistry::agentOfHost(std::string_view host) {
  const std::int64_t now = nowSeconds();
  auto guard = database_.lock();
  auto agent = database_.prepare(
      "SELECT a.id, a.agent_id, a.version, a.run_as, a.enrolled_at, a.last_seen FROM agents a "
      "JOIN endpoints en ON en.id = a.endpoint_id WHERE en.host = ? ORDER BY a.last_seen DESC "
      "LIMIT 1");
  if (!agent.ok()) return agent.status();
  auto row = agent->bind(1, host).step();
  if (!row.ok()) return row.status();
  if (!*row) return Json();

  const std::int64_t agentRow = agent->integer(0);
  Json result = {{"agent_id", agent->text(1)},
                 {"version", agent->text(2)},
                 {"run_as", agent->text(3)},
                 {"enrolled_at", isoTime(agent->integer(4))},
                 {"last_seen", isoTime(agent->integer(5))},
                 {"connected", agentConnected(agent->integer(5), now, options_.checkInInterval)}};
  auto commands = database_.prepare(
      "SELECT public_id, kind, state, reason, exit_code, scan_session, created_by, created_at, "
      "updated_at, expires_at FROM agent_commands WHERE agent_id = ? ORDER BY sequence DESC "
      "LIMIT 20");
  if (!commands.ok()) return commands.status();
  commands->bind(1, agentRow);
  Json list = Json::array();
  while (true) {
    auto next = commands->step();
    if (!next.ok()) return next.status();
    if (!*next) break;
    list.push_back(commandJson(*commands, 0, now));
  }
  result["commands"] = std::move(list);
  return result;
}

Result<Json> AgentRegistry::command(std::string_view publicId) {
  const std::int64_t now = nowSeconds();
  auto guard = database_.lock();
  auto query = database_.prepare(
      "SELECT c.public_id, c.kind, c.state, c.reason, c.exit_code, c.scan_session, c.created_by, "
      "c.created_at, c.updated_at, c.expires_at, en.host, a.agent_id FROM agent_commands c JOIN "
      "agents a ON a.id = c.agent_id JOIN endpoints en ON en.id = a.endpoint_id WHERE "
      "c.public_id = ?");
  if (!query.ok()) return query.status();
  auto row = query->bind(1, publicId).step();
  if (!row.ok()) return row.status();
  if (!*row) {
    return Status(StatusCode::kNotFound,
                  "there is no command '" + std::string(publicId.substr(0, 64)) + "'");
  }
  Json result = commandJson(*query, 0, now);
  result["host"] = query->text(10);
  result["agent_id"] = query->text(11);
  return result;
}

Status AgentRegistry::recordEvent(std::int64_t endpointId, std::string_view event,
                                  std::string_view category, std::string_view detail,
                                  std::vector<StoredEvent>& stored) {
  const std::string time = isoTime(nowSeconds());
  const Json body = {{"time", time}, {"event", event}, {"detail", detail}};
  // Agent events have no session and no line number of their own. Each gets the
  // endpoint's next free line number.
  auto insert = database_.prepare(
      "INSERT INTO events (session_id, endpoint_id, line, time, event, category, detail, body) "
      "VALUES (NULL, ?1, (SELECT COUNT(*) FROM events WHERE endpoint_id = ?1), ?2, ?3, ?4, ?5, "
      "?6) RETURNING (SELECT host FROM endpoints WHERE id = ?1), "
      "(SELECT ip_addresses FROM endpoints WHERE id = ?1)");
  if (!insert.ok()) return insert.status();
  insert->bind(1, endpointId)
      .bind(2, std::string_view(time))
      .bind(3, event)
      .bind(4, category)
      .bind(5, detail)
      .bind(6, std::string_view(body.dump()));
  auto row = insert->step();
  if (!row.ok()) return row.status();
  StoredEvent record;
  record.time = time;
  record.event = std::string(event);
  record.category = std::string(category);
  record.detail = std::string(detail);
  if (*row) {
    record.host = insert->text(0);
    record.ipAddresses = insert->text(1);
  }
  if (auto done = insert->step(); !done.ok()) return done.status();
  stored.push_back(std::move(record));
  return Status::success();
}

}  // namespace odscan::console
