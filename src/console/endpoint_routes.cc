// Routes that endpoints use: the component store, the launcher download and the
// session protocol (docs/console-protocol.md).
#include <charconv>
#include <chrono>
#include <ctime>
#include <fstream>
#include <iterator>

#include "console_impl.h"
#include "odscan/launcher/launcher_trailer.h"
#include "request_helpers.h"

namespace odscan::console {
namespace {

using Json = nlohmann::json;
using http::Request;
using http::Response;

std::string utcNow() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm parts{};
  gmtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

void serveComponentFile(ConsoleServer::Impl& console, const Request& request, Response& response) {
  const std::string_view name = request.path.substr(std::string_view("/components/").size());
  auto bytes = console.store->readServedFile(name);
  if (!bytes.ok()) {
    response.setError(httpStatusOf(bytes.status().code()), bytes.status().message(),
                      request.requestId);
    return;
  }
  response.contentType = name.ends_with(".json") ? "application/json" : "application/octet-stream";
  // Component files never change once listed; the manifest and its signature do.
  const bool manifestFile = name.starts_with("manifest.json");
  response.addHeader("Cache-Control", manifestFile ? "no-cache" : "public, max-age=86400");
  response.addHeader("X-Content-Type-Options", "nosniff");
  response.body = std::move(bytes).value();
}

void serveLauncher(ConsoleServer::Impl& console, const std::filesystem::path& program,
                   std::string_view downloadName, const Request& request, Response& response) {
  if (program.empty()) {
    response.setError(404,
                      "this console has no launcher for that system; the administrator sets "
                      "\"launcher_windows\" or \"launcher_linux\" in the console's config",
                      request.requestId);
    return;
  }
  std::ifstream in(program, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.is_open() || in.bad()) {
    console.logger->error("cannot read the launcher '{}'; check the launcher setting",
                          program.string());
    response.setError(500,
                      "the console cannot read its launcher; the administrator checks the "
                      "console's log",
                      request.requestId);
    return;
  }
  launcher::LauncherConfig config;
  config.consoleUrl = console.consoleUrl();
  config.publicKeyPem = console.store->publicKey().toPem();
  config.issuedAt = utcNow();
  auto trailer = launcher::makeLauncherTrailer(config, console.store->privateKey());
  if (!trailer.ok()) {
    console.logger->error("cannot sign the launcher trailer: {}", trailer.status().message());
    response.setError(500, "the console cannot sign the launcher", request.requestId);
    return;
  }
  bytes.append(reinterpret_cast<const char*>(trailer->data()), trailer->size());
  response.contentType = "application/octet-stream";
  response.addHeader("Content-Disposition",
                     "attachment; filename=\"" + std::string(downloadName) + "\"");
  response.addHeader("Cache-Control", "no-store");
  response.addHeader("X-Content-Type-Options", "nosniff");
  response.body = std::move(bytes);
  response.addLogField("launcher", downloadName);
}

void registerSession(ConsoleServer::Impl& console, const Request& request, Response& response) {
  if (request.body.size() > 64 * 1024) {
    response.setError(413, "the registration is larger than 64 KiB", request.requestId);
    return;
  }
  auto body = jsonObjectBody(request.body);
  if (!body.ok()) {
    sendStatus(response, body.status(), request.requestId);
    return;
  }
  auto registration = console.intake->registerSession(*body);
  if (!registration.ok()) {
    console.logger->warn("session registration from {} rejected: {}", request.peerAddress,
                         registration.status().message());
    sendStatus(response, registration.status(), request.requestId);
    return;
  }
  if (registration->created) {
    console.logger->info("session {} registered by host '{}' from {}", registration->session,
                         body->value("host", std::string()), request.peerAddress);
  }
  response.addLogField("session", registration->session);
  sendJson(response, registration->created ? 201 : 200,
           Json{{"session", registration->session},
                {"upload_token", registration->uploadToken},
                {"expires_at", registration->expiresAt},
                {"events_received", registration->eventsReceived}});
}

// Authenticates the upload token and decodes the body within the limits. Returns
// nothing when it has already filled `response` with the error.
std::optional<std::pair<UploadSession, std::string>> uploadOf(ConsoleServer::Impl& console,
                                                              const Request& request,
                                                              Response& response) {
  auto session = console.intake->authenticate(bearerToken(request));
  if (!session.ok()) {
    console.logger->warn("upload to {} from {} rejected: {}", request.path, request.peerAddress,
                         session.status().message());
    sendStatus(response, session.status(), request.requestId);
    response.addHeader("WWW-Authenticate", "Bearer");
    return std::nullopt;
  }
  response.addLogField("session", session->publicId);
  if (request.body.size() > console.config.maxUploadBytes) {
    response.setError(413,
                      "the upload has " + std::to_string(request.body.size()) +
                          " bytes, more than the console's limit of " +
                          std::to_string(console.config.maxUploadBytes) + "; send smaller batches",
                      request.requestId);
    return std::nullopt;
  }
  auto body = decodedBody(request, console.config.maxExpandedBytes);
  if (!body.ok()) {
    console.logger->warn("upload to {} for session {} rejected: {}", request.path,
                         session->publicId, body.status().message());
    sendStatus(response, body.status(), request.requestId);
    return std::nullopt;
  }
  return std::make_pair(std::move(session).value(), std::move(body).value());
}

void storeEvents(ConsoleServer::Impl& console, const Request& request, Response& response) {
  auto upload = uploadOf(console, request, response);
  if (!upload) return;
  const auto header = request.header("X-Odscan-First-Line");
  std::int64_t firstLine = -1;
  if (header) {
    const auto parsed = std::from_chars(header->data(), header->data() + header->size(), firstLine);
    if (parsed.ec != std::errc() || parsed.ptr != header->data() + header->size()) firstLine = -1;
  }
  if (firstLine < 0) {
    response.setError(400,
                      "the header X-Odscan-First-Line must give the 0-based number of the "
                      "batch's first line in events.jsonl",
                      request.requestId);
    return;
  }
  auto stored = console.intake->storeEvents(upload->first, firstLine, upload->second);
  if (!stored.ok()) {
    console.logger->warn("events for session {} rejected: {}", upload->first.publicId,
                         stored.status().message());
    sendStatus(response, stored.status(), request.requestId);
    return;
  }
  response.addLogField("stored", std::to_string(stored->stored));
  sendJson(response, 200, Json{{"events_received", stored->eventsReceived}});
}

void storeReport(ConsoleServer::Impl& console, const Request& request, Response& response) {
  auto upload = uploadOf(console, request, response);
  if (!upload) return;
  if (Status stored = console.intake->storeReport(upload->first, upload->second); !stored.ok()) {
    console.logger->warn("report for session {} rejected: {}", upload->first.publicId,
                         stored.message());
    sendStatus(response, stored, request.requestId);
    return;
  }
  console.logger->info("session {} of host '{}' reported its result", upload->first.publicId,
                       upload->first.host);
  sendJson(response, 200, Json{{"stored", "report"}});
}

void storeLog(ConsoleServer::Impl& console, const Request& request, Response& response) {
  auto upload = uploadOf(console, request, response);
  if (!upload) return;
  if (Status stored = console.intake->storeLog(upload->first, upload->second); !stored.ok()) {
    sendStatus(response, stored, request.requestId);
    return;
  }
  sendJson(response, 200, Json{{"stored", "log"}});
}

}  // namespace

Status addEndpointRoutes(http::Router& router, ConsoleServer::Impl& console) {
  ConsoleServer::Impl* self = &console;
  const std::initializer_list<std::tuple<std::string_view, std::string_view, http::Handler>>
      routes = {
          {"GET", "/components/*",
           [self](const Request& q, Response& r) { serveComponentFile(*self, q, r); }},
          {"GET", "/ondemand/OnDemandScan.exe",
           [self](const Request& q, Response& r) {
             serveLauncher(*self, self->config.launcherWindows, "OnDemandScan.exe", q, r);
           }},
          {"GET", "/ondemand/OnDemandScan",
           [self](const Request& q, Response& r) {
             serveLauncher(*self, self->config.launcherLinux, "OnDemandScan", q, r);
           }},
          {"POST", "/api/v1/sessions",
           [self](const Request& q, Response& r) { registerSession(*self, q, r); }},
          {"POST", "/api/v1/session/events",
           [self](const Request& q, Response& r) { storeEvents(*self, q, r); }},
          {"PUT", "/api/v1/session/report",
           [self](const Request& q, Response& r) { storeReport(*self, q, r); }},
          {"PUT", "/api/v1/session/log",
           [self](const Request& q, Response& r) { storeLog(*self, q, r); }},
          {"GET", "/api/v1/health",
           [](const Request&, Response& r) {
             sendJson(r, 200, Json{{"status", "ok"}});
           }},
      };
  for (const auto& [method, path, handler] : routes) {
    if (Status added = router.add(method, path, handler); !added.ok()) return added;
  }
  return Status::success();
}

}  // namespace odscan::console
