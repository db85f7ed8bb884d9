// AgentClient: the agent's requests to Threat Mitigator (docs/agent.md, section
// Protocol), each one POST over libcurl with short timeouts, so a console that is
// away costs the agent seconds and a retry with backoff.
//
// Thread safety: one thread per client.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "odscan/common/status.h"

namespace odscan::agent {

struct AgentClientOptions {
  std::chrono::milliseconds connectTimeout{5000};
  std::chrono::milliseconds requestTimeout{60000};
  std::filesystem::path caFile;  // for an https console; the system's store when empty
};

class AgentClient {
 public:
  // `consoleUrl` ends with '/'. `credentials` is "AGENT_ID:SECRET", empty before
  // enrollment.
  AgentClient(std::string consoleUrl, std::string credentials, AgentClientOptions options);
  ~AgentClient();
  AgentClient(const AgentClient&) = delete;
  AgentClient& operator=(const AgentClient&) = delete;

  // POSTs `body` (JSON) to `path` (such as "api/v1/agent/check-in") and returns
  // the JSON answer. Fails with kUnreachable when no answer came or the console
  // answered 5xx, kPermissionDenied for 401, kNotFound for 404, kAlreadyExists
  // for 409 and kInvalidArgument for other 4xx; messages carry the console's
  // error text and the URL.
  Result<nlohmann::json> postJson(std::string_view path, const nlohmann::json& body);

  // POSTs a zip archive to api/v1/agent/endpoint-data.
  Result<nlohmann::json> postEndpointData(std::string_view command, std::string_view reason,
                                          const std::string& archive);

  const std::string& consoleUrl() const { return consoleUrl_; }

 private:
  Result<nlohmann::json> post(std::string_view path, const std::string& body,
                              const std::vector<std::string>& headers);

  std::string consoleUrl_;
  std::string credentials_;
  AgentClientOptions options_;
  void* curl_;
};

}  // namespace odscan::agent
