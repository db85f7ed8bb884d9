// Running tm-agent as a Windows service or at user logon (docs/agent.md,
// section Installing on Windows).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "odscan/agent/agent.h"

namespace odscan::agent {

// Registers the agent as the auto-start service "tm-agent" that runs
// `tm-agent.exe service --state-dir DIR [--home HOME]`. Needs an administrator.
Status installService(const std::filesystem::path& program, const std::filesystem::path& stateDir,
                      const std::optional<std::filesystem::path>& home);
// Adds `tm-agent.exe run --state-dir DIR [--home HOME]` to the current user's Run
// key, so the agent starts at logon and scans as that user.
Status installAtLogon(const std::filesystem::path& program, const std::filesystem::path& stateDir,
                      const std::optional<std::filesystem::path>& home);
// Removes both registrations; a missing one is not an error.
Status uninstall();
// Connects to the service manager and runs the agent until the service stops.
// Returns the exit code.
int runAsService(const AgentRunOptions& options);

}  // namespace odscan::agent
