// AgentRegistry: the console's record of Threat Management Agents and of the
// commands queued for them (docs/agent.md).
//
// An administrator creates an enrollment token; an agent trades it for its own
// id and secret (enroll()), then checks in every few seconds with them
// (authenticate(), checkIn()). A check-in refreshes what the console knows of the
// endpoint and returns the commands still waiting for the agent, each signed
// with the publisher key (agent_command.h). The agent reports each command's
// progress (updateCommand()): queued -> delivered -> running -> done or failed.
//
// A command stays in the database until it finishes, so a console restart loses
// none: a command that was delivered but never acknowledged as running is sent
// again, and the agent's sequence check keeps it from running twice.
//
// The database keeps the SHA-256 of enrollment tokens and agent secrets, never
// the values.
//
// Thread safety: every method takes the database lock; one registry serves all
// HTTP workers.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "odscan/common/status.h"
#include "odscan/console/database.h"
#include "odscan/console/session_intake.h"
#include "odscan/pattern/signing_key.h"

namespace odscan::console {

struct AgentRegistryOptions {
  // How often an agent checks in. An agent that has not checked in for three
  // intervals is shown as disconnected, and no scan can be launched on it.
  std::chrono::seconds checkInInterval{30};
  // How long a queued command may wait for its agent before it fails.
  std::chrono::seconds commandLifetime{std::chrono::hours(24)};
  // Folder for endpoint data archives and case bundles (created when missing).
  std::filesystem::path dataDir;
  // The largest endpoint data archive an agent may upload.
  std::uint64_t maxEndpointDataBytes = 64ull << 20;
};

struct EnrollmentToken {
  std::string token;  // shown once to the administrator
  std::string expiresAt;
  std::int64_t uses = 1;
};

struct EnrolledAgent {
  std::string agentId;  // "a-" and 16 hex digits
  std::string secret;   // 64 hex digits; the agent sends "AGENT_ID:SECRET"
};

// The agent behind a request's credentials.
struct AgentIdentity {
  std::int64_t id = 0;
  std::string agentId;
  std::int64_t endpointId = 0;
  std::string host;
  std::string ipAddresses;
};

struct LaunchedCommand {
  std::string command;  // public id, "c-..."
  std::string agentId;
  std::string host;
};

class AgentRegistry {
 public:
  AgentRegistry(Database& database, PrivateKey key, AgentRegistryOptions options);

  // Sends stored agent events (endpoint data collected, remote scan failed) to
  // `listener` after they are committed, as SessionIntake does for scan events.
  void onEventsStored(std::function<void(const std::vector<StoredEvent>&)> listener);

  // Creates a token that enrolls up to `uses` agents within `lifetime`.
  Result<EnrollmentToken> createEnrollmentToken(std::string_view createdBy,
                                                std::chrono::seconds lifetime, std::int64_t uses);

  // Trades an enrollment token (body member "token") for agent credentials. The
  // body also describes the endpoint: "host", "ip_addresses", "os_version",
  // "user" and "version". Fails with kPermissionDenied for an unknown, used up or
  // expired token and kInvalidArgument for a malformed body.
  Result<EnrolledAgent> enroll(const nlohmann::json& body);

  // Checks "AGENT_ID:SECRET" credentials. Fails with kPermissionDenied.
  Result<AgentIdentity> authenticate(std::string_view credentials);

  // Records a check-in (the body as in enroll(), without the token) and returns
  // {"commands": [signed commands], "check_in_seconds": N}. Queued commands become
  // delivered; commands past their expiry fail.
  Result<nlohmann::json> checkIn(const AgentIdentity& agent, const nlohmann::json& body);

  // Queues an On-demand Scan for the agent of the endpoint `host`. Fails with
  // kNotFound when no agent runs there, kUnavailable when it is not connected, and
  // kAlreadyExists when a scan launched earlier has not finished.
  Result<LaunchedCommand> launchScan(std::string_view host, std::string_view launchedBy);

  // Applies a state report {"command", "state", "reason", "exit_code",
  // "scan_session"} from `agent`. States only move forward; the same report sent
  // twice is accepted once. Fails with kNotFound for a command that is unknown or
  // belongs to another agent, and kAlreadyExists for a state that goes back.
  Status updateCommand(const AgentIdentity& agent, const nlohmann::json& body);

  // Stores an endpoint data archive (a zip) that `agent` collected because of
  // `reason`, for the command `command` when not empty. Marks the endpoint
  // "endpoint data collected" and records an event. Returns the archive's id.
  Result<std::string> storeEndpointData(const AgentIdentity& agent, std::string_view command,
                                        std::string_view reason, std::string_view archive);

  // Returns the agent, its connection state and its commands for `host`, or null
  // when the endpoint has no agent. Used by the endpoint list and case bundles.
  Result<nlohmann::json> agentOfHost(std::string_view host);

  // Returns the public state of one command; kNotFound when unknown.
  Result<nlohmann::json> command(std::string_view publicId);

  std::chrono::seconds checkInInterval() const { return options_.checkInInterval; }
  const AgentRegistryOptions& options() const { return options_; }

 private:
  Status recordEvent(std::int64_t endpointId, std::string_view event, std::string_view category,
                     std::string_view detail, std::vector<StoredEvent>& stored);
  void notify(const std::vector<StoredEvent>& events);

  Database& database_;
  PrivateKey key_;
  AgentRegistryOptions options_;
  std::function<void(const std::vector<StoredEvent>&)> listener_;
};

// Returns true when an agent last seen at `lastSeen` counts as connected at `now`.
bool agentConnected(std::int64_t lastSeen, std::int64_t now, std::chrono::seconds interval);

}  // namespace odscan::console
