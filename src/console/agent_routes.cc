// Routes of the Threat Management Agents (docs/agent.md). Agents enroll, check
// in, report on commands and upload endpoint data with their credentials.
// Administrators create enrollment tokens, launch scans, read an endpoint's
// agent and cases, and build case bundles.
#include <fstream>
#include <iterator>

#include "console_impl.h"
#include "odscan/console/case_bundle.h"
#include "request_helpers.h"

namespace odscan::console {
namespace {

using Json = nlohmann::json;
using http::Request;
using http::Response;

constexpr std::size_t kMaxAgentBody = 64 * 1024;

// Authenticates the agent behind the request. Returns nothing when it has
// already filled `response` with the error.
std::optional<AgentIdentity> agentOf(ConsoleServer::Impl& console, const Request& request,
                                     Response& response) {
  auto agent = console.agents->authenticate(bearerToken(request));
  if (!agent.ok()) {
    console.logger->warn("agent request to {} from {} rejected: {}", request.path,
                         request.peerAddress, agent.status().message());
    sendStatus(response, agent.status(), request.requestId);
    response.addHeader("WWW-Authenticate", "Bearer");
    return std::nullopt;
  }
  response.addLogField("agent", agent->agentId);
  return std::move(agent).value();
}

std::optional<Json> smallJsonBody(const Request& request, Response& response) {
  if (request.body.size() > kMaxAgentBody) {
    response.setError(413, "the request body is larger than 64 KiB", request.requestId);
    return std::nullopt;
  }
  auto body = jsonObjectBody(request.body);
  if (!body.ok()) {
    sendStatus(response, body.status(), request.requestId);
    return std::nullopt;
  }
  return std::move(body).value();
}

void enroll(ConsoleServer::Impl& console, const Request& request, Response& response) {
  auto body = smallJsonBody(request, response);
  if (!body) return;
  auto enrolled = console.agents->enroll(*body);
  if (!enrolled.ok()) {
    console.logger->warn("agent enrollment from {} rejected: {}", request.peerAddress,
                         enrolled.status().message());
    sendStatus(response, enrolled.status(), request.requestId);
    return;
  }
  const std::string host = body->value("host", std::string());
  console.audit("agent", "agent_enrolled", enrolled->agentId + " on host " + host);
  response.addLogField("agent", enrolled->agentId);
  sendJson(response, 201,
           Json{{"agent_id", enrolled->agentId},
                {"secret", enrolled->secret},
                {"check_in_seconds", console.agents->checkInInterval().count()}});
}

void checkIn(ConsoleServer::Impl& console, const Request& request, Response& response) {
  auto agent = agentOf(console, request, response);
  if (!agent) return;
  auto body = smallJsonBody(request, response);
  if (!body) return;
  auto answer = console.agents->checkIn(*agent, *body);
  if (!answer.ok()) {
    console.logger->warn("check-in of agent {} rejected: {}", agent->agentId,
                         answer.status().message());
    sendStatus(response, answer.status(), request.requestId);
    return;
  }
  for (const Json& command : (*answer)["commands"]) {
    console.logger->info("command {} sent to agent {} on host '{}'",
                         command["id"].get<std::string>(), agent->agentId, agent->host);
  }
  sendJson(response, 200, *answer);
}

void commandState(ConsoleServer::Impl& console, const Request& request, Response& response) {
  auto agent = agentOf(console, request, response);
  if (!agent) return;
  auto body = smallJsonBody(request, response);
  if (!body) return;
  if (Status updated = console.agents->updateCommand(*agent, *body); !updated.ok()) {
    console.logger->warn("command report of agent {} on host '{}' rejected: {}", agent->agentId,
                         agent->host, updated.message());
    sendStatus(response, updated, request.requestId);
    return;
  }
  console.logger->info("agent {} on host '{}' reports command {} {}{}", agent->agentId, agent->host,
                       body->value("command", std::string()), body->value("state", std::string()),
                       body->value("reason", std::string()).empty()
                           ? std::string()
                           : ": " + body->value("reason", std::string()));
  sendJson(response, 200, Json{{"stored", "state"}});
}

void endpointData(ConsoleServer::Impl& console, const Request& request, Response& response) {
  auto agent = agentOf(console, request, response);
  if (!agent) return;
  if (request.body.size() > console.config.maxEndpointDataBytes) {
    response.setError(413,
                      "the endpoint data has " + std::to_string(request.body.size()) +
                          " bytes, more than the console's limit of " +
                          std::to_string(console.config.maxEndpointDataBytes) +
                          " (max_endpoint_data_bytes)",
                      request.requestId);
    return;
  }
  const auto query = queryParameters(request.target);
  const auto command = query.find("command");
  const auto reason = request.header("X-Odscan-Reason");
  auto stored = console.agents->storeEndpointData(
      *agent, command == query.end() ? std::string_view() : std::string_view(command->second),
      reason ? *reason : std::string_view(), request.body);
  if (!stored.ok()) {
    console.logger->warn("endpoint data of agent {} on host '{}' rejected: {}", agent->agentId,
                         agent->host, stored.status().message());
    sendStatus(response, stored.status(), request.requestId);
    return;
  }
  console.logger->warn("endpoint data {} collected on host '{}' ({} bytes): {}", *stored,
                       agent->host, request.body.size(), reason ? *reason : std::string_view());
  sendJson(response, 201, Json{{"endpoint_data", *stored}});
}

// The administrator's handlers.

void createToken(ConsoleServer::Impl& console, const Administrator& administrator,
                 const Request& request, Response& response) {
  auto body = jsonObjectBody(request.body.empty() ? std::string_view("{}") : request.body);
  if (!body.ok()) return sendStatus(response, body.status(), request.requestId);
  const Json& hours = (*body)["lifetime_hours"];
  const Json& uses = (*body)["uses"];
  if ((!hours.is_null() && !hours.is_number_unsigned()) ||
      (!uses.is_null() && !uses.is_number_unsigned())) {
    response.setError(400, "send {\"lifetime_hours\": N, \"uses\": N} with whole numbers",
                      request.requestId);
    return;
  }
  const std::int64_t lifetime = hours.is_null() ? 24 : hours.get<std::int64_t>();
  auto token =
      console.agents->createEnrollmentToken(administrator.username, std::chrono::hours(lifetime),
                                            uses.is_null() ? 1 : uses.get<std::int64_t>());
  if (!token.ok()) return sendStatus(response, token.status(), request.requestId);
  console.audit(administrator.username, "enrollment_token_created",
                "uses " + std::to_string(token->uses) + ", expires " + token->expiresAt);
  sendJson(response, 201,
           Json{{"token", token->token},
                {"expires_at", token->expiresAt},
                {"uses", token->uses},
                {"console_url", console.consoleUrl()}});
}

std::optional<std::string> hostOfBody(const Request& request, Response& response) {
  auto body = jsonObjectBody(request.body);
  if (!body.ok() || !(*body)["host"].is_string() || (*body)["host"].get<std::string>().empty()) {
    response.setError(400, "send {\"host\": \"HOST NAME\"} naming an endpoint", request.requestId);
    return std::nullopt;
  }
  return (*body)["host"].get<std::string>().substr(0, kMaxHostLength);
}

void launch(ConsoleServer::Impl& console, const Administrator& administrator,
            const Request& request, Response& response) {
  auto host = hostOfBody(request, response);
  if (!host) return;
  auto launched = console.agents->launchScan(*host, administrator.username);
  if (!launched.ok()) {
    console.logger->info("launch on host '{}' by {} rejected: {}", *host, administrator.username,
                         launched.status().message());
    return sendStatus(response, launched.status(), request.requestId);
  }
  console.audit(administrator.username, "ondemand_scan_launched",
                "command " + launched->command + " for agent " + launched->agentId + " on host " +
                    launched->host);
  sendJson(response, 202,
           Json{{"command", launched->command}, {"host", launched->host}, {"state", "queued"}});
}

void endpointDetail(ConsoleServer::Impl& console, const Request& request, Response& response) {
  const auto query = queryParameters(request.target);
  const auto host = query.find("host");
  if (host == query.end()) {
    response.setError(400, "give ?host=HOST NAME", request.requestId);
    return;
  }
  auto agent = console.agents->agentOfHost(host->second);
  if (!agent.ok()) return sendStatus(response, agent.status(), request.requestId);
  auto cases = listCases(*console.database, host->second);
  if (!cases.ok()) return sendStatus(response, cases.status(), request.requestId);
  auto pending = pendingEndpointData(*console.database, host->second);
  if (!pending.ok()) return sendStatus(response, pending.status(), request.requestId);
  sendJson(response, 200,
           Json{{"host", host->second},
                {"agent", *agent},
                {"cases", *cases},
                {"endpoint_data", *pending},
                {"support_url", console.config.supportUrl}});
}

void submitCase(ConsoleServer::Impl& console, const Administrator& administrator,
                const Request& request, Response& response) {
  auto host = hostOfBody(request, response);
  if (!host) return;
  CaseOptions options{console.config.dataDir, administrator.username, console.config.supportUrl,
                      console.config.supportCaFile};
  auto bundle = buildCaseBundle(*console.database, *console.agents, *host, options);
  if (!bundle.ok()) {
    console.logger->error("case bundle for host '{}' failed: {}", *host, bundle.status().message());
    return sendStatus(response, bundle.status(), request.requestId);
  }
  console.audit(administrator.username, "case_submitted",
                "case " + bundle->id + " for host " + *host +
                    (bundle->submittedTo.empty()
                         ? std::string()
                         : ", sent to " + bundle->submittedTo + ": " + bundle->submitResult));
  sendJson(response, 201,
           Json{{"case", bundle->id},
                {"size", bundle->size},
                {"sha256", bundle->sha256},
                {"download", "api/v1/cases/download?id=" + bundle->id},
                {"submitted_to", bundle->submittedTo},
                {"submit_result", bundle->submitResult}});
}

void downloadCase(ConsoleServer::Impl& console, const Administrator& administrator,
                  const Request& request, Response& response) {
  const auto query = queryParameters(request.target);
  const auto id = query.find("id");
  auto file = caseBundleFile(*console.database, console.config.dataDir,
                             id == query.end() ? std::string() : id->second);
  if (!file.ok()) return sendStatus(response, file.status(), request.requestId);
  std::ifstream in(*file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.is_open() || in.bad()) {
    console.logger->error("cannot read the case bundle '{}'", file->string());
    response.setError(500, "the console cannot read that case bundle; check the console's log",
                      request.requestId);
    return;
  }
  console.audit(administrator.username, "case_downloaded", id->second);
  addSecurityHeaders(response);
  response.contentType = "application/zip";
  response.addHeader("Content-Disposition",
                     "attachment; filename=\"odscan-" + id->second + ".zip\"");
  response.body = std::move(bytes);
}

}  // namespace

Status addAgentRoutes(http::Router& router, ConsoleServer::Impl& console) {
  ConsoleServer::Impl* self = &console;
  const std::initializer_list<std::tuple<std::string_view, std::string_view, http::Handler>>
      agentRoutes = {
          {"POST", "/api/v1/agent/enroll",
           [self](const Request& q, Response& r) { enroll(*self, q, r); }},
          {"POST", "/api/v1/agent/check-in",
           [self](const Request& q, Response& r) { checkIn(*self, q, r); }},
          {"POST", "/api/v1/agent/command-state",
           [self](const Request& q, Response& r) { commandState(*self, q, r); }},
          {"POST", "/api/v1/agent/endpoint-data",
           [self](const Request& q, Response& r) { endpointData(*self, q, r); }},
      };
  for (const auto& [method, path, handler] : agentRoutes) {
    if (Status added = router.add(method, path, handler); !added.ok()) return added;
  }
  std::vector<std::tuple<std::string_view, std::string_view, AdminHandler>> adminRoutes = {
      {"POST", "/api/v1/agents/enrollment-tokens",
       [self](const Administrator& a, const Request& q, Response& r) {
         createToken(*self, a, q, r);
       }},
      {"POST", "/api/v1/endpoints/launch",
       [self](const Administrator& a, const Request& q, Response& r) { launch(*self, a, q, r); }},
      {"GET", "/api/v1/endpoint",
       [self](const Administrator&, const Request& q, Response& r) {
         endpointDetail(*self, q, r);
       }},
      {"GET", "/api/v1/command",
       [self](const Administrator&, const Request& q, Response& r) {
         const auto query = queryParameters(q.target);
         const auto id = query.find("id");
         auto command = self->agents->command(id == query.end() ? "" : id->second);
         if (!command.ok()) return sendStatus(r, command.status(), q.requestId);
         sendJson(r, 200, *command);
       }},
      {"POST", "/api/v1/cases",
       [self](const Administrator& a, const Request& q, Response& r) {
         submitCase(*self, a, q, r);
       }},
      {"GET", "/api/v1/cases/download",
       [self](const Administrator& a, const Request& q, Response& r) {
         downloadCase(*self, a, q, r);
       }},
  };
  for (auto& [method, path, handler] : adminRoutes) {
    if (Status added = router.add(method, path, asAdministrator(console, std::move(handler)));
        !added.ok()) {
      return added;
    }
  }
  return Status::success();
}

}  // namespace odscan::console
