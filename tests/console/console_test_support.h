// Helpers for the console tests: a real threat-mitigator process on 127.0.0.1
// with its own data folder and publisher key, and the requests an endpoint and an
// administrator send.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "../http/http_test_support.h"
#include "../integration/server_process.h"

namespace odscan::console::testing {

using http::testing::HttpClient;
using http::testing::HttpReply;
using http::testing::TempFolder;

// Returns `text` compressed as one gzip member.
std::string gzip(const std::string& text);

// Returns one events.jsonl line of `session` with `fields` added.
std::string eventLine(const std::string& session, const std::string& event,
                      nlohmann::json fields = nlohmann::json::object());

// A threat-mitigator process with an administrator "admin" whose password is
// kAdminPassword.
class ConsoleProcess {
 public:
  static constexpr const char* kAdminPassword = "correct horse battery";

  // Writes the key and a config file ({data_dir, publisher_key, fast password
  // hashing} merged with `extraConfig`) into `folder`, creates the administrator
  // and starts the console. Check started() afterwards.
  ConsoleProcess(const std::filesystem::path& folder, nlohmann::json extraConfig = {});

  bool started() const { return started_; }
  std::string url() const { return process_.url() + "/"; }
  std::string log() const { return process_.log(); }
  const std::filesystem::path& folder() const { return folder_; }
  std::filesystem::path database() const { return folder_ / "data" / "console.db"; }
  std::filesystem::path publicKey() const { return folder_ / "publisher.pub"; }
  std::filesystem::path privateKey() const { return folder_ / "publisher.key"; }
  // Stops the process with SIGTERM and returns its exit status.
  int stop() { return process_.stop(); }
  // Starts it again on the same data folder, on `port` (0: any free port).
  bool restart(int port = 0);
  int port() const { return process_.port(); }

 private:
  std::filesystem::path folder_;
  odscan::testing::ServerProcess process_;
  bool started_ = false;
};

// An administrator's browser: keeps the session cookie and CSRF token.
class AdminSession {
 public:
  explicit AdminSession(std::string consoleUrl)
      : url_(std::move(consoleUrl)), client_(std::make_unique<HttpClient>()) {}

  // Fetches the logon page for its CSRF cookie and logs on. Returns the logon
  // reply.
  HttpReply logon(const std::string& username, const std::string& password);
  HttpReply get(const std::string& path);
  HttpReply send(const std::string& method, const std::string& path, const std::string& body,
                 bool withCsrf = true);
  const std::string& csrfToken() const { return csrf_; }

 private:
  std::string cookieHeader() const;

  std::string url_;
  std::unique_ptr<HttpClient> client_;
  std::string sessionCookie_;
  std::string csrf_;
};

// A scanner's side of the session protocol.
struct ScannerSession {
  std::string sessionId = "3f9c2a1b";
  std::string clientKey = "0123456789abcdef0123456789abcdef";
  std::string host = "LAPTOP-42";
  std::string token;
  std::string consoleSession;

  nlohmann::json registration() const;
};

HttpReply registerSession(HttpClient& client, const std::string& consoleUrl,
                          ScannerSession& session);
HttpReply sendEvents(HttpClient& client, const std::string& consoleUrl, const std::string& token,
                     long firstLine, const std::string& lines, bool compress = true);
HttpReply putReport(HttpClient& client, const std::string& consoleUrl, const std::string& token,
                    const std::string& path, const std::string& body);

// A report.json of a completed scan with one infected and one bypassed object.
nlohmann::json sampleReport(const std::string& sessionId);

}  // namespace odscan::console::testing
