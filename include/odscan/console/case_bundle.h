// Case bundles: what an administrator sends to support when a scan on an
// endpoint went wrong (docs/agent.md, section Cases). A bundle is one zip file:
//
//   case.json              the case id, who built it and when, the endpoint, its
//                          agent and the agent's recent commands
//   endpoint-data/D.zip    each endpoint data archive the agent uploaded
//   sessions/S/report.json, scan.log, events.jsonl
//                          the endpoint's latest scan sessions as uploaded
//   events.jsonl           the endpoint's events, newest first
//   audit.jsonl            the console's audit lines that name the endpoint
//
// Bundles are kept in DATA/cases and listed in the cases table. When the console
// has a support URL, the bundle is also sent there in a POST (application/zip).
//
// Thread safety: free functions; they take the database lock.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "odscan/common/status.h"
#include "odscan/console/agent_registry.h"
#include "odscan/console/database.h"

namespace odscan::console {

struct CaseBundle {
  std::string id;  // "k-" and 16 hex digits
  std::filesystem::path file;
  std::uint64_t size = 0;
  std::string sha256;
  std::string submittedTo;   // the support URL, or empty
  std::string submitResult;  // "accepted (HTTP 201)" or what went wrong
};

struct CaseOptions {
  std::filesystem::path dataDir;
  std::string createdBy;
  // The URL that bundles are sent to. Empty keeps them on the console only.
  std::string supportUrl;
  std::filesystem::path supportCaFile;
};

// Builds the bundle of the endpoint `host`, stores it and, with a support URL,
// submits it. Fails with kNotFound for an unknown host. A failed submission does
// not fail the call: the bundle is kept, and submitResult describes the failure.
Result<CaseBundle> buildCaseBundle(Database& database, AgentRegistry& agents, std::string_view host,
                                   const CaseOptions& options);

// Returns the stored file of case `id`; kNotFound for an unknown id.
Result<std::filesystem::path> caseBundleFile(Database& database,
                                             const std::filesystem::path& dataDir,
                                             std::string_view id);

// Returns the cases of `host`, newest first.
Result<nlohmann::json> listCases(Database& database, std::string_view host);

// Returns the latest endpoint data of `host` ({"id", "reason", "received_at",
// "size"}), or null when none arrived since the last case.
Result<nlohmann::json> pendingEndpointData(Database& database, std::string_view host);

}  // namespace odscan::console
