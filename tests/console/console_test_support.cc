#include "console_test_support.h"

#include <zlib.h>

#include "../integration/program_run.h"
#include "odscan/pattern/signing_key.h"

namespace odscan::console::testing {

using Json = nlohmann::json;

std::string gzip(const std::string& text) {
  z_stream stream{};
  deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&stream, text.size()) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

std::string eventLine(const std::string& session, const std::string& event, Json fields) {
  Json line = {{"time", "2026-12-05T08:00:00Z"}, {"session", session}, {"event", event}};
  line.update(fields);
  return line.dump() + "\n";
}

ConsoleProcess::ConsoleProcess(const std::filesystem::path& folder, Json extraConfig)
    : folder_(folder) {
  std::filesystem::create_directories(folder_);
  auto key = PrivateKey::generate();
  if (!key.ok() || !key->writeFile(privateKey()).ok() ||
      !key->publicKey().writeFile(publicKey()).ok()) {
    return;
  }
  Json config = {{"data_dir", "data"},
                 {"publisher_key", "publisher.key"},
                 {"password_iterations", 1000},
                 {"threads", 2}};
  if (extraConfig.is_object()) config.update(extraConfig);
  odscan::testing::writeText(folder_ / "console.json", config.dump(2));
  const auto created =
      odscan::testing::runProgram({THREAT_MITIGATOR, "create-admin", "--config",
                                   (folder_ / "console.json").string(), "--username", "admin"},
                                  folder_, {std::string("TM_ADMIN_PASSWORD=") + kAdminPassword});
  if (created.exitCode != 0) return;
  started_ = restart();
}

bool ConsoleProcess::restart(int port) {
  return process_.start(THREAT_MITIGATOR,
                        {"serve", "--config", (folder_ / "console.json").string(), "--listen",
                         "127.0.0.1:" + std::to_string(port)},
                        folder_ / "console.log");
}

std::string AdminSession::cookieHeader() const { return "Cookie: tm_session=" + sessionCookie_; }

HttpReply AdminSession::logon(const std::string& username, const std::string& password) {
  const HttpReply page = client_->get(url_ + "logon");
  const std::string cookie = page.header("set-cookie");
  const std::size_t start = cookie.find('=') + 1;
  const std::string logonToken = cookie.substr(start, cookie.find(';') - start);
  http::testing::HttpCall call;
  call.method = "POST";
  call.url = url_ + "api/v1/logon";
  call.body = Json{{"username", username}, {"password", password}}.dump();
  call.headers = {"Content-Type: application/json", "Cookie: tm_logon=" + logonToken,
                  "X-CSRF-Token: " + logonToken};
  HttpReply reply = client_->send(call);
  if (reply.status == 200) {
    // The session cookie comes last, after the one that clears tm_logon.
    const std::string set = reply.header("set-cookie");
    const std::size_t valueStart = set.find('=') + 1;
    sessionCookie_ = set.substr(valueStart, set.find(';') - valueStart);
    csrf_ = Json::parse(reply.body).value("csrf_token", "");
  }
  return reply;
}

HttpReply AdminSession::get(const std::string& path) {
  http::testing::HttpCall call;
  call.url = url_ + path;
  call.headers = {cookieHeader()};
  return client_->send(call);
}

HttpReply AdminSession::send(const std::string& method, const std::string& path,
                             const std::string& body, bool withCsrf) {
  http::testing::HttpCall call;
  call.method = method;
  call.url = url_ + path;
  call.body = body;
  call.headers = {cookieHeader(), "Content-Type: application/json"};
  if (withCsrf) call.headers.push_back("X-CSRF-Token: " + csrf_);
  return client_->send(call);
}

Json ScannerSession::registration() const {
  return Json{{"session_id", sessionId},
              {"client_key", clientKey},
              {"host", host},
              {"ip_addresses", {"192.0.2.15", "fe80::1"}},
              {"user", "guest"},
              {"os_version", "Windows 10.0.19045"},
              {"scanner_version", "0.1.0"},
              {"pattern_version", 202612042249},
              {"started_at", "2026-12-05T08:00:00Z"}};
}

HttpReply registerSession(HttpClient& client, const std::string& consoleUrl,
                          ScannerSession& session) {
  HttpReply reply = client.post(consoleUrl + "api/v1/sessions", session.registration().dump(),
                                "application/json");
  if (reply.status == 200 || reply.status == 201) {
    const Json body = Json::parse(reply.body);
    session.token = body["upload_token"];
    session.consoleSession = body["session"];
  }
  return reply;
}

HttpReply sendEvents(HttpClient& client, const std::string& consoleUrl, const std::string& token,
                     long firstLine, const std::string& lines, bool compress) {
  std::vector<std::string> headers = {"Authorization: Bearer " + token,
                                      "X-Odscan-First-Line: " + std::to_string(firstLine)};
  if (compress) headers.push_back("Content-Encoding: gzip");
  return client.post(consoleUrl + "api/v1/session/events", compress ? gzip(lines) : lines,
                     "application/x-ndjson", headers);
}

HttpReply putReport(HttpClient& client, const std::string& consoleUrl, const std::string& token,
                    const std::string& path, const std::string& body) {
  http::testing::HttpCall call;
  call.method = "PUT";
  call.url = consoleUrl + path;
  call.body = gzip(body);
  call.headers = {"Authorization: Bearer " + token, "Content-Encoding: gzip"};
  return client.send(call);
}

Json sampleReport(const std::string& sessionId) {
  return Json{{"format", "odscan-scan-report"},
              {"format_version", 1},
              {"session_id", sessionId},
              {"outcome", "completed"},
              {"exit_code", 1},
              {"started_at", "2026-12-05T08:00:00Z"},
              {"finished_at", "2026-12-05T08:01:00Z"},
              {"counts",
               {{"files", 10},
                {"files_scanned", 10},
                {"infected", 1},
                {"bypassed", 1},
                {"not_scanned", 0},
                {"unresolved", 0}}},
              {"results",
               {{{"path", "C:\\Users\\guest\\Downloads\\setup.exe"},
                 {"verdict", "infected"},
                 {"threat", "Eicar-Test-Signature"},
                 {"source", "agent_pattern"}},
                {{"path", "C:\\Users\\guest\\report.bin"}, {"verdict", "bypassed"}}}},
              {"problems", Json::array()},
              {"actions", Json::array()},
              {"errors", Json::array()}};
}

}  // namespace odscan::console::testing
