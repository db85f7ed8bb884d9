// Endpoint data: what the agent collects when a scan had problems, so that an
// administrator (and support, through a case) can see why without a remote
// session. One zip archive holds:
//
//   summary.json      reason, command, host, user, OS, CPUs, memory, free disk
//                     space of HCEXEC, agent version, time
//   components/       installed.json and the SHA-256 of every installed file
//   sessions/S/       scan.log, report.json, events.jsonl and upload.json of the
//                     latest sessions in HCEXEC (large files are cut)
//   launcher.log, agent.log
//   network.json      whether the console and the Smart Scan Servers of the
//                     installed settings answer
//   processes.txt     the running processes
//
// Thread safety: free functions.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "odscan/common/status.h"

namespace odscan::agent {

struct EndpointDataRequest {
  std::string reason;
  std::string command;  // the command whose scan had problems, or empty
  std::filesystem::path home;
  std::filesystem::path stateDir;
  std::string consoleUrl;
  std::filesystem::path caFile;
  // The file to write; its folder must exist.
  std::filesystem::path output;
};

// Collects the data into request.output. What cannot be read is noted in the
// archive (as NAME.error), never left out silently; only a failure to write the
// archive fails the call.
Status collectEndpointData(const EndpointDataRequest& request);

// Returns the running processes, one "PID NAME" line each.
std::vector<std::string> processList();

// Returns a JSON text that describes the hardware: CPUs and memory.
std::string hardwareSummary();

}  // namespace odscan::agent
