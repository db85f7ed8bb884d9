#include "odscan/console/console_server.h"

#include <spdlog/spdlog.h>

#include "console_impl.h"
#include "odscan/forwarding/event_forwarder.h"
#include "odscan/http/server_program.h"

namespace odscan::console {
namespace {

using Json = nlohmann::json;

// How long stop() lets the forwarder deliver queued events.
constexpr std::chrono::seconds kForwarderStopTimeout{5};

std::string urlOfListenAddress(const http::ListenAddress& address, bool tls) {
  return std::string(tls ? "https://" : "http://") + address.toString() + "/";
}

forwarding::EventType forwardedTypeOf(const StoredEvent& event) {
  using forwarding::EventType;
  if (event.category == "detection") return EventType::kDetection;
  if (event.category == "bypass") return EventType::kBypassed;
  if (event.event == "quarantined") return EventType::kQuarantined;
  if (event.event == "quarantine_failed") return EventType::kQuarantineFailed;
  if (event.event == "quarantine_restored") return EventType::kQuarantineRestored;
  if (event.event == "session_start") return EventType::kSessionStart;
  if (event.event == "session_finish") return EventType::kSessionFinish;
  if (event.event.ends_with("_error") || event.event == "smart_scan_servers_unreachable") {
    return EventType::kScanNotStarted;
  }
  if (event.event == "result") return EventType::kNotScanned;
  return EventType::kProblem;
}

// Forwards the events an administrator looks for: everything but the
// informational lines (each clean scan query, server switches).
void forwardEvents(forwarding::EventForwarder& forwarder, const std::vector<StoredEvent>& events) {
  for (const StoredEvent& stored : events) {
    if (stored.category == "info" || stored.event == "scan_start") continue;
    forwarding::ConsoleEvent event = forwarding::makeConsoleEvent(forwardedTypeOf(stored));
    event.endpointHost = stored.host;
    event.endpointIp = stored.ipAddresses.substr(0, stored.ipAddresses.find(','));
    event.sessionId = stored.session;
    event.filePath = stored.path;
    event.threatName = stored.threat;
    event.detail = stored.detail;
    forwarder.forward(std::move(event));
  }
}

Status publishInitialSettings(ConsoleServer::Impl& console) {
  return console.publishSettingsComponent();
}

}  // namespace

ConsoleServer::Impl::~Impl() {
  if (server) server->stop();
  if (forwarder) (void)forwarder->stop(kForwarderStopTimeout);
}

Status ConsoleServer::Impl::publishSettingsComponent() {
  std::lock_guard<std::mutex> guard(settingsPublishMutex);
  auto component = settings->component(consoleUrl());
  if (!component.ok()) return component.status();
  const std::string text = component->dump(2) + "\n";
  auto current = store->manifest();
  if (!current.ok()) return current.status();
  if (const auto* entry = current->find(kSettingsComponent)) {
    auto published = store->readServedFile(entry->file);
    if (published.ok() && *published == text) return Status::success();
  }
  auto entry = store->publishBytes(kSettingsComponent, text, ".json");
  if (!entry.ok()) return entry.status();
  logger->info("published ondemand-settings version {} for endpoints of {}", entry->version,
               consoleUrl());
  return Status::success();
}

void ConsoleServer::Impl::audit(std::string_view actor, std::string_view action,
                                const std::string& detail) {
  logger->info("audit: {} {}: {}", actor, action, detail);
  auto guard = database->lock();
  auto insert = database->prepare(
      "INSERT INTO audit_log (time, actor, action, detail) VALUES (strftime('%s','now'), ?, ?, "
      "?)");
  if (insert.ok()) {
    if (Status status =
            insert->bind(1, actor).bind(2, action).bind(3, std::string_view(detail)).run();
        !status.ok()) {
      logger->error("cannot write the audit log: {}", status.message());
    }
  }
}

ConsoleServer::ConsoleServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ConsoleServer::~ConsoleServer() { stop(); }

Result<std::unique_ptr<ConsoleServer>> ConsoleServer::start(
    const ConsoleConfig& config, std::shared_ptr<spdlog::logger> logger) {
  if (Status valid = validateConsoleConfig(config); !valid.ok()) return valid;
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  impl->logger = logger;

  if (Status created = createPrivateFolder(config.dataDir); !created.ok()) return created;
  auto database = Database::open(config.dataDir / "console.db");
  if (!database.ok()) return database.status();
  impl->database = std::move(database).value();
  auto key = PrivateKey::readFile(config.publisherKey);
  if (!key.ok()) {
    return key.status().withContext("cannot load the publisher key '" +
                                    config.publisherKey.string() + "'");
  }
  auto store = ComponentStore::open(config.dataDir / "components", std::move(key).value());
  if (!store.ok()) return store.status();
  impl->store = std::move(store).value();
  impl->accounts = std::make_unique<AdminAccounts>(*impl->database, config.logon);
  impl->settings = std::make_unique<ConsoleSettings>(*impl->database);
  impl->intake = std::make_unique<SessionIntake>(
      *impl->database, IntakeLimits{config.uploadTokenLifetime, config.maxExpandedBytes});
  AgentRegistryOptions agentOptions;
  agentOptions.checkInInterval = config.agentCheckIn;
  agentOptions.dataDir = config.dataDir;
  agentOptions.maxEndpointDataBytes = config.maxEndpointDataBytes;
  impl->agents =
      std::make_unique<AgentRegistry>(*impl->database, impl->store->privateKey(), agentOptions);
  if (config.syslog) {
    auto forwarder = forwarding::EventForwarder::create(*config.syslog, logger);
    if (!forwarder.ok()) return forwarder.status().withContext("cannot start syslog forwarding");
    impl->forwarder = std::move(forwarder).value();
    forwarding::EventForwarder* target = impl->forwarder.get();
    impl->intake->onEventsStored(
        [target](const std::vector<StoredEvent>& events) { forwardEvents(*target, events); });
    impl->agents->onEventsStored(
        [target](const std::vector<StoredEvent>& events) { forwardEvents(*target, events); });
  }

  http::Router router;
  for (auto* add : {addEndpointRoutes, addAdminRoutes, addAgentRoutes, addPageRoutes}) {
    if (Status added = add(router, *impl); !added.ok()) return added;
  }
  if (!config.consoleUrl.empty()) impl->url = config.consoleUrl;
  auto server =
      http::HttpServer::start(httpOptionsOf(config), std::move(router), logger, *impl->metrics);
  if (!server.ok()) return server.status();
  impl->server = std::move(server).value();
  if (config.consoleUrl.empty()) {
    std::lock_guard<std::mutex> guard(impl->urlMutex);
    impl->url = urlOfListenAddress(impl->server->address(), impl->server->usesTls());
  }
  if (Status published = publishInitialSettings(*impl); !published.ok()) {
    return published.withContext("cannot publish the On-demand Scan settings component");
  }
  if (!config.portFile.empty()) {
    if (Status written = http::writePortFile(config.portFile, impl->server->port());
        !written.ok()) {
      return written;
    }
  }
  auto admins = impl->accounts->count();
  if (admins.ok() && *admins == 0) {
    logger->warn(
        "there is no administrator yet, so nobody can log on; create one with "
        "`threat-mitigator create-admin --config FILE --username NAME`");
  }
  logger->info("threat-mitigator listening on {} (database '{}', schema version {})",
               impl->consoleUrl(), impl->database->file().string(),
               impl->database->schemaVersion());
  return std::unique_ptr<ConsoleServer>(new ConsoleServer(std::move(impl)));
}

std::string ConsoleServer::url() const { return impl_->consoleUrl(); }

std::uint16_t ConsoleServer::port() const { return impl_->server->port(); }

void ConsoleServer::stop() {
  if (impl_->server) impl_->server->stop();
  if (impl_->forwarder) (void)impl_->forwarder->stop(kForwarderStopTimeout);
}

// Response helpers shared by the route groups.

void sendJson(http::Response& response, unsigned status, const Json& body) {
  response.status = status;
  response.contentType = "application/json";
  response.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  response.body.push_back('\n');
  addSecurityHeaders(response);
}

unsigned httpStatusOf(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kCorrupt:
    case StatusCode::kBadSignature:
    case StatusCode::kUnsupportedVersion:
      return 400;
    case StatusCode::kPermissionDenied:
      return 401;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kTruncated:
      return 409;
    case StatusCode::kLimitExceeded:
      return 413;
    case StatusCode::kUnreachable:
    case StatusCode::kTimeout:
      return 502;
    case StatusCode::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

void sendStatus(http::Response& response, const Status& status, std::string_view requestId) {
  response.setError(httpStatusOf(status.code()), status.message(), requestId);
  addSecurityHeaders(response);
}

void addSecurityHeaders(http::Response& response) {
  response.addHeader("X-Content-Type-Options", "nosniff");
  response.addHeader("X-Frame-Options", "DENY");
  response.addHeader("Referrer-Policy", "no-referrer");
  response.addHeader("Cache-Control", "no-store");
  response.addHeader("Content-Security-Policy",
                     "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' "
                     "data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
}

std::string cookieAttributes(const ConsoleServer::Impl& console) {
  return std::string("Path=/; HttpOnly; SameSite=Strict") + (console.config.tls ? "; Secure" : "");
}

}  // namespace odscan::console
