// The Threat Management Agent (tm-agent) as a library: enrollment, the check-in
// loop and the commands it runs (docs/agent.md). The program's main() parses the
// command line and calls enrollAgent() or runAgent().
//
// The agent keeps its state in one folder (owner-only, like HCEXEC):
//
//   STATE/agent.json     console URL, agent id and secret, the last command run,
//                        and the command reports the console has not confirmed
//   STATE/publisher.pub  the publisher's key, which verifies commands and
//                        components
//   STATE/agent.log      what the agent did
//   STATE/outbox/        endpoint data archives waiting for upload
//
// A command runs at most once: its sequence number is written to agent.json
// before it starts. Its reports stay in agent.json until the console confirms
// them, so a console that is away loses none.
//
// Thread safety: one agent per state folder.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "odscan/common/status.h"

namespace odscan::agent {

inline constexpr std::string_view kStateFileName = "agent.json";
inline constexpr std::string_view kPublicKeyFileName = "publisher.pub";

// Exit codes of runAgent() and the program.
inline constexpr int kAgentStopped = 0;
inline constexpr int kAgentSetupError = 2;

struct AgentState {
  std::string consoleUrl;  // ends with '/'
  std::string agentId;
  std::string secret;
  std::filesystem::path caFile;
  std::int64_t lastSequence = 0;  // the highest command sequence started
  std::string lastCommand;        // its id
  // Command reports ({"command", "state", ...}) the console has not confirmed.
  std::vector<nlohmann::json> pendingReports;
};

// Returns the default state folder: %LOCALAPPDATA%\tm-agent on Windows,
// $HOME/.local/state/tm-agent elsewhere.
std::filesystem::path defaultStateDirectory();

// Reads STATE/agent.json. Fails with kNotFound when the agent is not enrolled
// and kCorrupt for a file that does not read; messages name the file.
Result<AgentState> readAgentState(const std::filesystem::path& stateDir);
// Writes STATE/agent.json through a temporary file (mode 0600).
Status writeAgentState(const std::filesystem::path& stateDir, const AgentState& state);

struct EnrollOptions {
  std::string consoleUrl;
  std::string token;
  std::filesystem::path publicKeyFile;
  std::filesystem::path caFile;
  std::filesystem::path stateDir;
};

// Creates the state folder, trades the token for credentials and writes
// agent.json and publisher.pub. Fails with kAlreadyExists when the folder contains
// an enrolled agent already.
Result<AgentState> enrollAgent(const EnrollOptions& options);

struct AgentRunOptions {
  std::filesystem::path stateDir;
  // The HCEXEC folder scans run in; HomeFolder::defaultRoot() when unset.
  std::optional<std::filesystem::path> home;
  // Backoff after a failed check-in: doubling from retryMin up to retryMax, with
  // up to 50% random jitter, so agents do not return all at once.
  std::chrono::milliseconds retryMin{2000};
  std::chrono::milliseconds retryMax{std::chrono::minutes(5)};
  // Stop after this many successful check-ins (0: run until stopped).
  int maxCheckIns = 0;
  // Polled between steps; the agent stops when it returns true.
  std::function<bool()> stopRequested;
  // Extra arguments for the scanner, after those of the launcher.
  std::vector<std::string> scannerArguments;
};

// Runs the check-in loop until stopped. Returns kAgentStopped, or
// kAgentSetupError when the state folder is not usable.
int runAgent(const AgentRunOptions& options, std::ostream& out);

// Returns the delay before check-in attempt `failures` (1 after the first
// failure): min * 2^(failures-1), at most max, plus `jitter` (0 to 1) times half
// of it.
std::chrono::milliseconds retryDelay(int failures, std::chrono::milliseconds min,
                                     std::chrono::milliseconds max, double jitter);

// Returns the agent's version, for example "0.1.0".
std::string agentVersion();

}  // namespace odscan::agent
