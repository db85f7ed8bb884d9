// AgentCommand: an order that Threat Mitigator queues for one Threat Management
// Agent, such as "run an On-demand Scan" (docs/agent.md, section Commands).
//
// The console signs every command with its publisher key (Ed25519), the key that
// also signs the component manifest, and the agent verifies it with the public
// key it was installed with. The signed text names the agent, a per-agent
// sequence number and an expiry, so that:
//  - a command forged by anyone without the publisher key fails the signature;
//  - a command queued for one agent and shown to another fails the agent check;
//  - a command that was already run (the same or a lower sequence number) or that
//    is past its expiry is refused by the agent as a replay.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "odscan/common/status.h"
#include "odscan/pattern/signing_key.h"

namespace odscan::agent {

// The only kind of command so far: fetch the components and run a silent scan.
inline constexpr std::string_view kOnDemandScanCommand = "ondemand_scan";

struct AgentCommand {
  std::string id;              // "c-" and 16 hex digits, unique on the console
  std::string agentId;         // the agent it was queued for, "a-" and 16 hex digits
  std::int64_t sequence = 0;   // 1 for the agent's first command, then increasing
  std::string kind;            // kOnDemandScanCommand
  std::int64_t issuedAt = 0;   // seconds since the epoch
  std::int64_t expiresAt = 0;  // seconds since the epoch
};

// Returns the exact bytes that the signature covers: a format line, then one
// "name=value" line per field in a fixed order.
std::string signedText(const AgentCommand& command);

// Returns the command as JSON with its signature in hex under "signature".
Result<nlohmann::json> signCommand(const AgentCommand& command, const PrivateKey& key);

// Reads a signed command and checks its signature with `key` and that it was
// queued for `agentId`. Fails with kCorrupt for a member that is missing or of
// the wrong type, kBadSignature for a signature that does not verify, and
// kPermissionDenied for a command of another agent. Each message names the
// command id when it could be read.
Result<AgentCommand> verifyCommand(const nlohmann::json& signedCommand, const PublicKey& key,
                                   std::string_view agentId);

}  // namespace odscan::agent
