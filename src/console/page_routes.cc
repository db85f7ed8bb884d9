// The console's pages: HTML shells that console.js fills from the JSON API. The
// server fills only a few values into them (title, user, CSRF token, links),
// each escaped for HTML.
#include <string>

#include "console_impl.h"
#include "odscan/console/credentials.h"
#include "request_helpers.h"

namespace odscan::console {

// Defined in the source that cmake/EmbedFiles.cmake generates from src/console/web.
std::string_view webAsset(std::string_view name);

namespace {

using http::Request;
using http::Response;

struct Page {
  std::string_view path;
  std::string_view file;
  std::string_view title;
};

constexpr Page kPages[] = {
    {"/threats", "threats.html", "Threat Management"},
    {"/events", "events.html", "Threat Event Logs"},
    {"/session", "session.html", "Session detail"},
    {"/ondemand-settings", "ondemand-settings.html", "On-demand Scan"},
    {"/smartscan", "smartscan.html", "Smart Scan Server"},
    {"/components", "components.html", "Components"},
};

std::string escapeHtml(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '"':
        escaped += "&quot;";
        break;
      case '\'':
        escaped += "&#39;";
        break;
      default:
        escaped.push_back(c);
    }
  }
  return escaped;
}

// Replaces each {{name}} in `text` with its escaped value. `content` is inserted
// as it is: it is one of our own page files.
std::string render(std::string_view text,
                   std::initializer_list<std::pair<std::string_view, std::string>> values,
                   std::string_view content = {}) {
  std::string page(text);
  for (const auto& [name, value] : values) {
    const std::string marker = "{{" + std::string(name) + "}}";
    const std::string escaped = escapeHtml(value);
    for (std::size_t at = page.find(marker); at != std::string::npos;
         at = page.find(marker, at + escaped.size())) {
      page.replace(at, marker.size(), escaped);
    }
  }
  if (const std::size_t at = page.find("{{content}}"); at != std::string::npos) {
    page.replace(at, std::string_view("{{content}}").size(), content);
  }
  return page;
}

void sendHtml(Response& response, std::string body) {
  response.contentType = "text/html; charset=utf-8";
  response.body = std::move(body);
  addSecurityHeaders(response);
}

void redirect(Response& response, std::string_view location) {
  response.status = 302;
  response.addHeader("Location", location);
  addSecurityHeaders(response);
}

void servePage(ConsoleServer::Impl& console, const Page& page, const Request& request,
               Response& response) {
  auto administrator = requireAdministrator(console, request);
  if (!administrator.ok()) return redirect(response, "/logon");
  sendHtml(response, render(webAsset("layout.html"),
                            {{"title", std::string(page.title)},
                             {"page", std::string(page.path.substr(1))},
                             {"user", administrator->username},
                             {"csrf", administrator->csrfToken}},
                            webAsset(page.file)));
}

void serveLogon(ConsoleServer::Impl& console, Response& response) {
  // The logon form's CSRF token: a cookie the form must repeat in a header, which
  // a page of another site can neither read nor set.
  const std::string token = randomToken();
  response.addHeader("Set-Cookie", std::string(kLogonCookie) + "=" + token + "; " +
                                       cookieAttributes(console) + "; Max-Age=3600");
  sendHtml(response, render(webAsset("logon.html"),
                            {{"csrf", token}, {"link", console.consoleUrl() + "ondemand"}}));
}

void serveStatic(std::string_view file, std::string_view type, Response& response) {
  response.contentType = std::string(type);
  response.body = std::string(webAsset(file));
  response.addHeader("X-Content-Type-Options", "nosniff");
  response.addHeader("Cache-Control", "no-cache");
}

}  // namespace

Status addPageRoutes(http::Router& router, ConsoleServer::Impl& console) {
  ConsoleServer::Impl* self = &console;
  Status added = router.add("GET", "/", [self](const Request& q, Response& r) {
    redirect(r, requireAdministrator(*self, q).ok() ? "/threats" : "/logon");
  });
  const auto add = [&](std::string_view path, http::Handler handler) {
    if (added.ok()) added = router.add("GET", path, std::move(handler));
  };
  add("/logon", [self](const Request&, Response& r) { serveLogon(*self, r); });
  add("/ondemand",
      [](const Request&, Response& r) { sendHtml(r, std::string(webAsset("guest.html"))); });
  add("/static/console.js", [](const Request&, Response& r) {
    serveStatic("console.js", "text/javascript; charset=utf-8", r);
  });
  add("/static/console.css", [](const Request&, Response& r) {
    serveStatic("console.css", "text/css; charset=utf-8", r);
  });
  for (const Page& page : kPages) {
    add(page.path, [self, &page](const Request& q, Response& r) { servePage(*self, page, q, r); });
  }
  return added;
}

}  // namespace odscan::console
