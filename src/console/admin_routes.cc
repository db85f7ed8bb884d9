// The administrators' JSON API behind the console pages. Every route needs a
// logged-on administrator; every route that changes something also needs the
// session's CSRF token in X-CSRF-Token.
#include <curl/curl.h>

#include <charconv>

#include "console_impl.h"
#include "odscan/activeupdate/component_publisher.h"
#include "odscan/activeupdate/update_source.h"
#include "odscan/console/console_queries.h"
#include "odscan/console/credentials.h"
#include "request_helpers.h"

namespace odscan::console {
namespace {

using Json = nlohmann::json;
using http::Request;
using http::Response;

std::string extensionOf(std::string_view component) {
  if (component == activeupdate::kAgentPatternComponent) return ".ptn";
  if (component == kScannerWindowsComponent) return ".exe";
  if (component == kSettingsComponent) return ".json";
  return ".bin";
}

Json entryJson(const activeupdate::ManifestEntry& entry) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string sha256;
  for (std::uint8_t byte : entry.sha256) {
    sha256.push_back(kDigits[byte >> 4]);
    sha256.push_back(kDigits[byte & 0x0f]);
  }
  return Json{{"name", entry.name},
              {"version", entry.version},
              {"file", entry.file},
              {"size", entry.size},
              {"sha256", sha256}};
}

void logon(ConsoleServer::Impl& console, const Request& request, Response& response) {
  // The logon form's CSRF token is the one the logon page set in its cookie.
  const auto cookie = cookieValue(request, kLogonCookie);
  const auto header = request.header("X-CSRF-Token");
  if (!cookie || !header || !constantTimeEquals(*cookie, *header)) {
    response.setError(403, "the logon form is out of date; reload the logon page and try again",
                      request.requestId);
    return;
  }

  auto body = jsonObjectBody(request.body);
  if (!body.ok() || !(*body)["username"].is_string() || !(*body)["password"].is_string()) {
    response.setError(400, "send {\"username\": ..., \"password\": ...}", request.requestId);
    return;
  }
  const std::string username = (*body)["username"];
  auto session = console.accounts->logon(username, (*body)["password"].get<std::string>());
  if (!session.ok()) {
    console.logger->warn("logon as '{}' from {} failed: {}", username.substr(0, 64),
                         request.peerAddress, session.status().message());
    console.audit(username.substr(0, 64), "logon_failed", std::string(request.peerAddress));
    sendStatus(response, session.status(), request.requestId);
    return;
  }

  console.audit(session->username, "logon", std::string(request.peerAddress));
  response.addHeader("Set-Cookie",
                     std::string(kLogonCookie) + "=; " + cookieAttributes(console) + "; Max-Age=0");
  response.addHeader(
      "Set-Cookie",
      std::string(kSessionCookie) + "=" + session->token + "; " + cookieAttributes(console) +
          "; Max-Age=" + std::to_string(console.config.logon.sessionLifetime.count()));
  sendJson(response, 200,
           Json{{"username", session->username}, {"csrf_token", session->csrfToken}});
}

void logoff(ConsoleServer::Impl& console, const Administrator& administrator,
            const Request& request, Response& response) {
  if (auto token = cookieValue(request, kSessionCookie)) (void)console.accounts->logoff(*token);
  console.audit(administrator.username, "logoff", std::string(request.peerAddress));
  response.addHeader("Set-Cookie", std::string(kSessionCookie) + "=; " + cookieAttributes(console) +
                                       "; Max-Age=0");
  sendJson(response, 200, Json{{"logged_off", true}});
}

void getSettings(ConsoleServer::Impl& console, std::string_view name, const Request& request,
                 Response& response) {
  auto settings = console.settings->get(name);
  if (!settings.ok()) return sendStatus(response, settings.status(), request.requestId);
  Json body = *settings;
  body["ondemand_link"] = console.consoleUrl() + "ondemand";
  sendJson(response, 200, body);
}

void putSettings(ConsoleServer::Impl& console, std::string_view name,
                 const Administrator& administrator, const Request& request, Response& response) {
  auto body = jsonObjectBody(request.body);
  if (!body.ok()) return sendStatus(response, body.status(), request.requestId);
  auto saved = console.settings->put(name, *body, administrator.username);
  if (!saved.ok()) return sendStatus(response, saved.status(), request.requestId);
  console.audit(administrator.username, "settings_" + std::string(name), saved->dump());
  if (Status published = console.publishSettingsComponent(); !published.ok()) {
    console.logger->error("settings saved but not published: {}", published.message());
    return sendStatus(response,
                      published.withContext("the settings are saved, but endpoints do not get "
                                            "them until the component store works again"),
                      request.requestId);
  }
  sendJson(response, 200, *saved);
}

std::size_t discardBody(char*, std::size_t size, std::size_t count, void*) { return size * count; }

// Asks the Smart Scan Server at `url` for its health, as a scanner does first.
Json testSmartScanServer(const std::string& url) {
  std::string health = url;
  if (health.empty() || health.back() != '/') health += '/';
  health += "v1/health";
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return Json{{"ok", false}, {"message", "libcurl could not start"}};
  curl_easy_setopt(curl, CURLOPT_URL, health.c_str());
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discardBody);
  const CURLcode result = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  if (result != CURLE_OK) {
    return Json{{"ok", false},
                {"message", "cannot reach " + health + ": " + curl_easy_strerror(result) +
                                "; check the URL and that the server runs"}};
  }
  if (status != 200) {
    return Json{{"ok", false},
                {"message", health + " answered HTTP " + std::to_string(status) +
                                "; the server runs but has no pattern loaded yet"}};
  }
  return Json{{"ok", true}, {"message", health + " is ready"}};
}

void uploadComponent(ConsoleServer::Impl& console, const Administrator& administrator,
                     const Request& request, Response& response) {
  const auto query = queryParameters(request.target);
  const auto name = query.find("name");
  if (name == query.end() || name->second == kSettingsComponent ||
      !isStoreComponent(name->second)) {
    response.setError(400,
                      "give ?name=agent-pattern, scanner-windows or scanner-linux; the settings "
                      "component comes from the settings screens",
                      request.requestId);
    return;
  }
  std::optional<std::uint64_t> version;
  if (const auto given = query.find("version"); given != query.end() && !given->second.empty()) {
    std::uint64_t number = 0;
    const auto parsed =
        std::from_chars(given->second.data(), given->second.data() + given->second.size(), number);
    if (parsed.ec != std::errc() || parsed.ptr != given->second.data() + given->second.size() ||
        number == 0) {
      response.setError(
          400, "version '" + given->second.substr(0, 32) + "' is not a positive whole number",
          request.requestId);
      return;
    }
    version = number;
  }
  if (request.body.empty()) {
    response.setError(400, "the upload is empty; send the component file as the body",
                      request.requestId);
    return;
  }
  auto entry =
      console.store->publishBytes(name->second, request.body, extensionOf(name->second), version);
  if (!entry.ok()) {
    console.logger->warn("upload of {} by {} rejected: {}", name->second, administrator.username,
                         entry.status().message());
    // A damaged or foreign file is the uploader's mistake, whatever the code.
    const StatusCode code = entry.status().code();
    const bool badFile = code == StatusCode::kTruncated || code == StatusCode::kCorrupt ||
                         code == StatusCode::kBadSignature;
    return sendStatus(
        response,
        badFile ? Status(StatusCode::kInvalidArgument, entry.status().message()) : entry.status(),
        request.requestId);
  }
  console.audit(administrator.username, "component_upload",
                entry->name + " version " + std::to_string(entry->version));
  sendJson(response, 200, entryJson(*entry));
}

void rollbackComponent(ConsoleServer::Impl& console, const Administrator& administrator,
                       const Request& request, Response& response) {
  const auto query = queryParameters(request.target);
  const auto name = query.find("name");
  if (name == query.end()) {
    response.setError(400, "give the component to roll back as ?name=...", request.requestId);
    return;
  }
  auto entry = console.store->rollback(name->second);
  if (!entry.ok()) return sendStatus(response, entry.status(), request.requestId);
  console.audit(administrator.username, "component_rollback",
                entry->name + " back to version " + std::to_string(entry->version));
  sendJson(response, 200, entryJson(*entry));
}

// Takes newer agent patterns and programs from the ActiveUpdate source.
void pullComponents(ConsoleServer::Impl& console, const Administrator& administrator,
                    const Request& request, Response& response) {
  if (console.config.updateSource.empty()) {
    response.setError(400,
                      "no ActiveUpdate source is set; add \"update_source\" to the console's "
                      "config",
                      request.requestId);
    return;
  }
  activeupdate::UpdateSourceOptions options;
  options.caFile = console.config.updateCaFile;
  options.maxComponentSize = console.config.maxComponentBytes;
  auto source = activeupdate::UpdateSource::open(console.config.updateSource,
                                                 console.store->publicKey(), options);
  if (!source.ok()) return sendStatus(response, source.status(), request.requestId);
  auto remote = source->fetchManifest();
  if (!remote.ok()) return sendStatus(response, remote.status(), request.requestId);
  auto local = console.store->manifest();
  if (!local.ok()) return sendStatus(response, local.status(), request.requestId);
  Json updated = Json::array();
  for (std::string_view name :
       {activeupdate::kAgentPatternComponent, kScannerWindowsComponent, kScannerLinuxComponent}) {
    const activeupdate::ManifestEntry* offered = remote->find(name);
    const activeupdate::ManifestEntry* held = local->find(name);
    if (offered == nullptr || (held != nullptr && held->version >= offered->version)) continue;
    auto bytes = source->fetchComponent(*offered);
    if (!bytes.ok()) return sendStatus(response, bytes.status(), request.requestId);
    auto entry = console.store->publishBytes(
        name, std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()),
        extensionOf(name), offered->version);
    if (!entry.ok()) return sendStatus(response, entry.status(), request.requestId);
    updated.push_back(entryJson(*entry));
    console.audit(administrator.username, "component_pull",
                  entry->name + " version " + std::to_string(entry->version));
  }
  sendJson(response, 200, Json{{"updated", updated}});
}

void listComponents(ConsoleServer::Impl& console, const Request& request, Response& response) {
  auto versions = console.store->versions();
  if (!versions.ok()) return sendStatus(response, versions.status(), request.requestId);
  Json list = Json::array();
  for (const ComponentVersions& component : *versions) {
    list.push_back({{"name", component.name},
                    {"current", component.current ? entryJson(*component.current) : Json()},
                    {"available", component.available}});
  }
  sendJson(response, 200,
           Json{{"components", list},
                {"publisher_key", console.store->publicKey().fingerprint()},
                {"update_source", console.config.updateSource}});
}

}  // namespace

http::Handler asAdministrator(ConsoleServer::Impl& console, AdminHandler handler) {
  return [&console, handler = std::move(handler)](const Request& request, Response& response) {
    auto administrator = requireAdministrator(console, request);
    if (!administrator.ok()) {
      sendStatus(response, administrator.status(), request.requestId);
      if (administrator.status().code() == StatusCode::kInvalidArgument) response.status = 403;
      return;
    }
    response.addLogField("admin", administrator->username);
    handler(*administrator, request, response);
  };
}

Result<Administrator> requireAdministrator(ConsoleServer::Impl& console, const Request& request) {
  const auto token = cookieValue(request, kSessionCookie);
  auto administrator = console.accounts->authenticate(token ? *token : std::string());
  if (!administrator.ok()) return administrator;
  if (request.method != "GET" && request.method != "HEAD") {
    const auto header = request.header("X-CSRF-Token");
    if (!header || !constantTimeEquals(*header, administrator->csrfToken)) {
      return Status(StatusCode::kInvalidArgument,
                    "the request carries no valid CSRF token; reload the page and try again");
    }
  }
  return administrator;
}

Status addAdminRoutes(http::Router& router, ConsoleServer::Impl& console) {
  ConsoleServer::Impl* self = &console;
  std::vector<std::tuple<std::string_view, std::string_view, http::Handler>> routes;
  routes.emplace_back("POST", "/api/v1/logon",
                      [self](const Request& q, Response& r) { logon(*self, q, r); });
  const auto admin = [&](std::string_view method, std::string_view path, AdminHandler handler) {
    routes.emplace_back(method, path, asAdministrator(console, std::move(handler)));
  };
  admin("POST", "/api/v1/logoff",
        [self](const Administrator& a, const Request& q, Response& r) { logoff(*self, a, q, r); });
  admin("GET", "/api/v1/me", [self](const Administrator& a, const Request&, Response& r) {
    sendJson(r, 200,
             Json{{"username", a.username},
                  {"csrf_token", a.csrfToken},
                  {"ondemand_link", self->consoleUrl() + "ondemand"}});
  });
  for (std::string_view name : {kOnDemandSettings, kSmartScanSettings}) {
    const std::string path = "/api/v1/settings/" + std::string(name);
    Status added = router.add(
        "GET", path,
        asAdministrator(console, [self, name](const Administrator&, const Request& q, Response& r) {
          getSettings(*self, name, q, r);
        }));
    if (added.ok()) {
      added = router.add("PUT", path,
                         asAdministrator(console, [self, name](const Administrator& a,
                                                               const Request& q, Response& r) {
                           putSettings(*self, name, a, q, r);
                         }));
    }
    if (!added.ok()) return added;
  }
  admin("POST", "/api/v1/settings/smartscan/test",
        [](const Administrator&, const Request& q, Response& r) {
          auto body = jsonObjectBody(q.body);
          if (!body.ok() || !(*body)["url"].is_string()) {
            r.setError(400, "send {\"url\": \"http://HOST:PORT\"}", q.requestId);
            return;
          }
          sendJson(r, 200, testSmartScanServer((*body)["url"].get<std::string>()));
        });
  admin("GET", "/api/v1/endpoints", [self](const Administrator&, const Request& q, Response& r) {
    const auto query = queryParameters(q.target);
    const auto value = [&query](std::string_view name) {
      const auto found = query.find(name);
      return found == query.end() ? std::string() : found->second;
    };
    auto endpoints = listEndpoints(*self->database, value("search").substr(0, 256),
                                   value("posture").substr(0, 32), value("problems") == "1",
                                   self->config.agentCheckIn);
    if (!endpoints.ok()) return sendStatus(r, endpoints.status(), q.requestId);
    sendJson(r, 200, Json{{"endpoints", *endpoints}});
  });
  admin("GET", "/api/v1/events", [self](const Administrator&, const Request& q, Response& r) {
    auto filter = eventFilterOf(queryParameters(q.target));
    if (!filter.ok()) return sendStatus(r, filter.status(), q.requestId);
    auto events = listEvents(*self->database, *filter);
    if (!events.ok()) return sendStatus(r, events.status(), q.requestId);
    sendJson(r, 200, Json{{"events", *events}});
  });
  admin("GET", "/api/v1/events.csv", [self](const Administrator& a, const Request& q, Response& r) {
    auto filter = eventFilterOf(queryParameters(q.target));
    if (!filter.ok()) return sendStatus(r, filter.status(), q.requestId);
    auto csv = eventsCsv(*self->database, *filter);
    if (!csv.ok()) return sendStatus(r, csv.status(), q.requestId);
    self->audit(a.username, "events_export", std::string(q.target));
    r.contentType = "text/csv; charset=utf-8";
    r.addHeader("Content-Disposition", "attachment; filename=\"threat-event-logs.csv\"");
    addSecurityHeaders(r);
    r.body = std::move(csv).value();
  });
  admin("GET", "/api/v1/scan-session", [self](const Administrator&, const Request& q, Response& r) {
    const auto query = queryParameters(q.target);
    const auto id = query.find("id");
    auto detail = sessionDetail(*self->database, id == query.end() ? "" : id->second);
    if (!detail.ok()) return sendStatus(r, detail.status(), q.requestId);
    sendJson(r, 200, *detail);
  });
  admin("GET", "/api/v1/components", [self](const Administrator&, const Request& q, Response& r) {
    listComponents(*self, q, r);
  });
  admin("POST", "/api/v1/components/upload",
        [self](const Administrator& a, const Request& q, Response& r) {
          uploadComponent(*self, a, q, r);
        });
  admin("POST", "/api/v1/components/rollback",
        [self](const Administrator& a, const Request& q, Response& r) {
          rollbackComponent(*self, a, q, r);
        });
  admin("POST", "/api/v1/components/pull",
        [self](const Administrator& a, const Request& q, Response& r) {
          pullComponents(*self, a, q, r);
        });
  for (auto& [method, path, handler] : routes) {
    if (Status added = router.add(method, path, std::move(handler)); !added.ok()) return added;
  }
  return Status::success();
}

}  // namespace odscan::console
