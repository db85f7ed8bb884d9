// The state that the console's route groups share, and the helpers they use to
// answer. Private to odscan_console.
//
// Thread safety: the members are set before the HTTP server starts and only read
// afterwards, except consoleUrl, which start() sets once the port is known and
// which is guarded by urlMutex.
#pragma once

#include <spdlog/logger.h>

#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "odscan/console/admin_accounts.h"
#include "odscan/console/agent_registry.h"
#include "odscan/console/component_store.h"
#include "odscan/console/console_config.h"
#include "odscan/console/console_server.h"
#include "odscan/console/console_settings.h"
#include "odscan/console/database.h"
#include "odscan/console/session_intake.h"
#include "odscan/http/http_server.h"
#include "odscan/http/metrics_registry.h"
#include "odscan/http/router.h"

namespace odscan::forwarding {
class EventForwarder;
}

namespace odscan::console {

inline constexpr std::string_view kSessionCookie = "tm_session";
inline constexpr std::string_view kLogonCookie = "tm_logon";

struct ConsoleServer::Impl {
  ~Impl();

  std::string consoleUrl() const {
    std::lock_guard<std::mutex> guard(urlMutex);
    return url;
  }

  // Publishes the settings component when it differs from the published one.
  Status publishSettingsComponent();
  // Appends a line to the audit log and the server log.
  void audit(std::string_view actor, std::string_view action, const std::string& detail);

  ConsoleConfig config;
  std::shared_ptr<spdlog::logger> logger;
  std::unique_ptr<Database> database;
  std::unique_ptr<AdminAccounts> accounts;
  std::unique_ptr<ConsoleSettings> settings;
  std::unique_ptr<ComponentStore> store;
  std::unique_ptr<SessionIntake> intake;
  std::unique_ptr<AgentRegistry> agents;
  std::unique_ptr<forwarding::EventForwarder> forwarder;
  std::unique_ptr<http::MetricsRegistry> metrics = std::make_unique<http::MetricsRegistry>();
  std::unique_ptr<http::HttpServer> server;

  mutable std::mutex urlMutex;
  std::string url;
  std::mutex settingsPublishMutex;
};

// Route groups, each in its own file.
Status addEndpointRoutes(http::Router& router, ConsoleServer::Impl& console);
Status addAdminRoutes(http::Router& router, ConsoleServer::Impl& console);
Status addPageRoutes(http::Router& router, ConsoleServer::Impl& console);
Status addAgentRoutes(http::Router& router, ConsoleServer::Impl& console);

// Response helpers.
void sendJson(http::Response& response, unsigned status, const nlohmann::json& body);
// Sends the error of `status` with the HTTP status its code maps to.
void sendStatus(http::Response& response, const Status& status, std::string_view requestId);
unsigned httpStatusOf(StatusCode code);
// The security headers every page and API answer carries.
void addSecurityHeaders(http::Response& response);
// Returns the administrator behind the request's session cookie. For a method
// other than GET and HEAD it also checks the X-CSRF-Token header.
Result<Administrator> requireAdministrator(ConsoleServer::Impl& console,
                                           const http::Request& request);
// A handler for an administrator's request, after the checks of
// requireAdministrator().
using AdminHandler =
    std::function<void(const Administrator&, const http::Request&, http::Response&)>;
// Wraps `handler` with the administrator and CSRF checks. A failed CSRF check
// gets HTTP 403.
http::Handler asAdministrator(ConsoleServer::Impl& console, AdminHandler handler);
// Returns "Path=/; HttpOnly; SameSite=Strict" and "; Secure" under TLS.
std::string cookieAttributes(const ConsoleServer::Impl& console);

}  // namespace odscan::console
