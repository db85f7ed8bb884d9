// Integration tests of threat-mitigator: a real process on 127.0.0.1 with its
// own SQLite file, driven the way scanners, launchers and administrators drive
// it. Each bad input must be rejected with a clear error and leave nothing stored.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "../integration/program_run.h"
#include "console_test_support.h"
#include "odscan/activeupdate/component_publisher.h"
#include "odscan/agent/agent_command.h"
#include "odscan/launcher/launcher_trailer.h"
#include "odscan/pattern/signing_key.h"

namespace odscan::console::testing {
namespace {

using Json = nlohmann::json;

// Runs one SQL query on the console's database file and returns the first
// column of the first row, as a test inspects what the server stored.
std::string queryDatabase(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string value;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW && sqlite3_column_text(statement, 0) != nullptr) {
      value = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    }
    sqlite3_finalize(statement);
  }
  sqlite3_close(db);
  return value;
}

std::string threeEvents(const std::string& session) {
  return eventLine(session, "session_start") +
         eventLine(session, "result",
                   {{"path", "C:\\Users\\guest\\Downloads\\setup.exe"},
                    {"verdict", "infected"},
                    {"threat", "Eicar-Test-Signature"},
                    {"source", "agent_pattern"}}) +
         eventLine(session, "result",
                   {{"path", "C:\\Users\\guest\\report.bin"}, {"verdict", "bypassed"}});
}

class ConsoleApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    console_ =
        std::make_unique<ConsoleProcess>(folder_.path(), Json{{"max_failed_logons", 3},
                                                              {"max_upload_bytes", 64 * 1024},
                                                              {"max_expanded_bytes", 256 * 1024}});
    ASSERT_TRUE(console_->started()) << console_->log();
  }

  std::string url() const { return console_->url(); }

  Json eventsOf(AdminSession& admin, const std::string& query = "") {
    const HttpReply reply = admin.get("api/v1/events?" + query);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return Json::parse(reply.body)["events"];
  }

  AdminSession loggedOn() {
    AdminSession admin(url());
    const HttpReply reply = admin.logon("admin", ConsoleProcess::kAdminPassword);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return admin;
  }

  TempFolder folder_;
  std::unique_ptr<ConsoleProcess> console_;
  HttpClient client_;
};

TEST_F(ConsoleApiTest, SessionUploadShowsInEventLogsAndThreatManagement) {
  ScannerSession scanner;
  HttpReply registered = registerSession(client_, url(), scanner);
  ASSERT_EQ(registered.status, 201) << registered.body;

  HttpReply events = sendEvents(client_, url(), scanner.token, 0, threeEvents(scanner.sessionId));
  ASSERT_EQ(events.status, 200) << events.body;
  EXPECT_EQ(Json::parse(events.body)["events_received"], 3);
  const Json report = sampleReport(scanner.sessionId);
  EXPECT_EQ(putReport(client_, url(), scanner.token, "api/v1/session/report", report.dump()).status,
            200);
  EXPECT_EQ(
      putReport(client_, url(), scanner.token, "api/v1/session/log", "scan.log text\n").status,
      200);

  AdminSession admin = loggedOn();
  const Json detections = eventsOf(admin, "type=detection");
  ASSERT_EQ(detections.size(), 1u);
  EXPECT_EQ(detections[0]["threat"], "Eicar-Test-Signature");
  EXPECT_EQ(detections[0]["host"], "LAPTOP-42");
  EXPECT_EQ(eventsOf(admin, "type=bypass").size(), 1u);

  const Json endpoints = Json::parse(admin.get("api/v1/endpoints?search=192.0.2.15").body);
  ASSERT_EQ(endpoints["endpoints"].size(), 1u);
  EXPECT_EQ(endpoints["endpoints"][0]["posture"], "threats_remain");
  EXPECT_TRUE(endpoints["endpoints"][0]["has_problems"]);
  EXPECT_EQ(Json::parse(admin.get("api/v1/endpoints?search=LAPTOP").body)["endpoints"].size(), 1u);
  EXPECT_EQ(Json::parse(admin.get("api/v1/endpoints?search=other").body)["endpoints"].size(), 0u);

  const HttpReply detail = admin.get("api/v1/scan-session?id=" + scanner.consoleSession);
  ASSERT_EQ(detail.status, 200) << detail.body;
  EXPECT_EQ(Json::parse(detail.body)["log"], "scan.log text\n");
  EXPECT_EQ(Json::parse(detail.body)["report"]["results"].size(), 2u);

  const HttpReply csv = admin.get("api/v1/events.csv?type=detection");
  ASSERT_EQ(csv.status, 200);
  EXPECT_NE(csv.header("content-type").find("text/csv"), std::string::npos);
  EXPECT_NE(csv.body.find("\"Eicar-Test-Signature\""), std::string::npos) << csv.body;
}

TEST_F(ConsoleApiTest, RepeatedBatchIsStoredOnce) {
  ScannerSession scanner;
  ASSERT_EQ(registerSession(client_, url(), scanner).status, 201);
  const std::string lines = threeEvents(scanner.sessionId);
  ASSERT_EQ(sendEvents(client_, url(), scanner.token, 0, lines).status, 200);
  const HttpReply again = sendEvents(client_, url(), scanner.token, 0, lines);
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(Json::parse(again.body)["events_received"], 3);
  EXPECT_EQ(queryDatabase(console_->database(), "SELECT COUNT(*) FROM events"), "3");
}

TEST_F(ConsoleApiTest, RegisteringAgainResumesWithANewToken) {
  ScannerSession scanner;
  ASSERT_EQ(registerSession(client_, url(), scanner).status, 201);
  ASSERT_EQ(sendEvents(client_, url(), scanner.token, 0, threeEvents(scanner.sessionId)).status,
            200);
  const std::string oldToken = scanner.token;
  const std::string firstSession = scanner.consoleSession;

  const HttpReply again = registerSession(client_, url(), scanner);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(Json::parse(again.body)["events_received"], 3);
  EXPECT_EQ(scanner.consoleSession, firstSession);
  EXPECT_EQ(
      sendEvents(client_, url(), oldToken, 3, eventLine(scanner.sessionId, "scan_start")).status,
      401);
  EXPECT_EQ(sendEvents(client_, url(), scanner.token, 3, eventLine(scanner.sessionId, "scan_start"))
                .status,
            200);
}

TEST_F(ConsoleApiTest, DataSurvivesARestart) {
  ScannerSession scanner;
  ASSERT_EQ(registerSession(client_, url(), scanner).status, 201);
  ASSERT_EQ(sendEvents(client_, url(), scanner.token, 0, threeEvents(scanner.sessionId)).status,
            200);
  EXPECT_EQ(console_->stop(), 0);
  ASSERT_TRUE(console_->restart()) << console_->log();

  AdminSession admin = loggedOn();
  EXPECT_EQ(eventsOf(admin).size(), 3u);
  EXPECT_EQ(queryDatabase(console_->database(), "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(queryDatabase(console_->database(), "SELECT MAX(version) FROM schema_migrations"), "2");
}

// Bad uploads: each is rejected and leaves nothing behind.

TEST_F(ConsoleApiTest, UnknownTokenIsRejected) {
  const HttpReply reply =
      sendEvents(client_, url(), std::string(64, 'a'), 0, eventLine("3f9c2a1b", "scan_start"));
  EXPECT_EQ(reply.status, 401);
  EXPECT_NE(reply.body.find("register the session again"), std::string::npos) << reply.body;
  EXPECT_EQ(queryDatabase(console_->database(), "SELECT COUNT(*) FROM events"), "0");
}

TEST_F(ConsoleApiTest, ExpiredTokenIsRejected) {
  ScannerSession scanner;
  ASSERT_EQ(registerSession(client_, url(), scanner).status, 201);
  queryDatabase(console_->database(), "UPDATE scan_sessions SET token_expires_at = 1");
  EXPECT_EQ(sendEvents(client_, url(), scanner.token, 0, threeEvents(scanner.sessionId)).status,
            401);
  EXPECT_EQ(queryDatabase(console_->database(), "SELECT COUNT(*) FROM events"), "0");
}

TEST_F(ConsoleApiTest, BatchWithOneBadLineStoresNothing) {
  ScannerSession scanner;
  ASSERT_EQ(registerSession(client_, url(), scanner).status, 201);
  const std::string lines = eventLine(scanner.sessionId, "session_start") + "{not json\n";
  const HttpReply reply = sendEvents(client_, url(), scanner.token, 0, lines);
  EXPECT_EQ(reply.status, 400);
  EXPECT_NE(reply.body.find("line 2"), std::string::npos) << reply.body;
  EXPECT_EQ(queryDatabase(console_->database(), "SELECT COUNT(*) FROM events"), "0");
}

TEST_F(ConsoleApiTest, LineOfAnotherSessionIsRejected) {
  ScannerSession scanner;
  ASSERT_EQ(registerSession(client_, url(), scanner).status, 201);
  const HttpReply reply =
      sendEvents(client_, url(), scanner.token, 0, eventLine("ffffffff", "session_start"));
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(queryDatabase(console_->database(), "SELECT COUNT(*) FROM events"), "0");
}

TEST_F(ConsoleApiTest, GarbledGzipIsRejected) {
  ScannerSession scanner;
  ASSERT_EQ(registerSession(client_, url(), scanner).status, 201);
  std::string garbled = gzip(threeEvents(scanner.sessionId));
  garbled[garbled.size() / 2] = static_cast<char>(garbled[garbled.size() / 2] ^ 0x5a);
  const HttpReply reply =
      client_.post(url() + "api/v1/session/events", garbled, "application/x-ndjson",
                   {"Authorization: Bearer " + scanner.token, "X-Odscan-First-Line: 0",
                    "Content-Encoding: gzip"});
  EXPECT_EQ(reply.status, 400) << reply.body;
  EXPECT_EQ(queryDatabase(console_->database(), "SELECT COUNT(*) FROM events"), "0");
}

TEST_F(ConsoleApiTest, OversizedUploadIsRejected) {
  ScannerSession scanner;
  ASSERT_EQ(registerSession(client_, url(), scanner).status, 201);
  std::string lines;
  while (lines.size() < 100 * 1024) {
    lines += eventLine(scanner.sessionId, "problem", {{"detail", std::string(200, 'x')}});
  }
  EXPECT_EQ(sendEvents(client_, url(), scanner.token, 0, lines, false).status, 413);
  EXPECT_EQ(queryDatabase(console_->database(), "SELECT COUNT(*) FROM events"), "0");
}

TEST_F(ConsoleApiTest, GzipBombIsRejected) {
  ScannerSession scanner;
  ASSERT_EQ(registerSession(client_, url(), scanner).status, 201);
  // 8 MiB of one byte compresses to a few KiB, far under the upload limit, and
  // expands far over the 256 KiB expansion limit.
  const HttpReply reply = client_.post(url() + "api/v1/session/events",
                                       gzip(std::string(8 << 20, '\n')), "application/x-ndjson",
                                       {"Authorization: Bearer " + scanner.token,
                                        "X-Odscan-First-Line: 0", "Content-Encoding: gzip"});
  EXPECT_EQ(reply.status, 413) << reply.body;
}

TEST_F(ConsoleApiTest, GapInLineNumbersIsRejected) {
  ScannerSession scanner;
  ASSERT_EQ(registerSession(client_, url(), scanner).status, 201);
  const HttpReply reply =
      sendEvents(client_, url(), scanner.token, 5, eventLine(scanner.sessionId, "scan_start"));
  EXPECT_EQ(reply.status, 409);
  EXPECT_NE(reply.body.find("from line 1"), std::string::npos) << reply.body;
}

TEST_F(ConsoleApiTest, BadRegistrationNamesTheMember) {
  ScannerSession scanner;
  Json body = scanner.registration();
  body["client_key"] = "not-hex";
  HttpReply reply = client_.post(url() + "api/v1/sessions", body.dump(), "application/json");
  EXPECT_EQ(reply.status, 400);
  EXPECT_NE(reply.body.find("client_key"), std::string::npos) << reply.body;

  body = scanner.registration();
  body["host"] = "line\nbreak";
  reply = client_.post(url() + "api/v1/sessions", body.dump(), "application/json");
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(queryDatabase(console_->database(), "SELECT COUNT(*) FROM endpoints"), "0");
}

TEST_F(ConsoleApiTest, HostNameWithSqlAndMarkupIsStoredAsText) {
  ScannerSession scanner;
  scanner.host = "<script>alert(1)</script>'; DROP TABLE endpoints;--";
  ASSERT_EQ(registerSession(client_, url(), scanner).status, 201);
  AdminSession admin = loggedOn();
  const Json endpoints = Json::parse(admin.get("api/v1/endpoints").body)["endpoints"];
  ASSERT_EQ(endpoints.size(), 1u);
  EXPECT_EQ(endpoints[0]["host"], scanner.host);
  EXPECT_EQ(queryDatabase(console_->database(), "SELECT COUNT(*) FROM endpoints"), "1");
}

TEST_F(ConsoleApiTest, DotDotInComponentNamesIsRejected) {
  http::testing::RawConnection connection(
      static_cast<std::uint16_t>(std::stoi(url().substr(url().rfind(':') + 1))));
  ASSERT_TRUE(connection.connected());
  connection.send("GET /components/../console.db HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  const std::string answer = connection.readUntil("\r\n\r\n", std::chrono::seconds(5));
  EXPECT_EQ(http::testing::statusOf(answer), 404) << answer;
  EXPECT_EQ(client_.get(url() + "components/..%2fconsole.db").status, 404);

  AdminSession admin = loggedOn();
  const HttpReply upload = admin.send("POST", "api/v1/components/upload?name=../x", "bytes");
  EXPECT_EQ(upload.status, 400);
}

// Administrators.

TEST_F(ConsoleApiTest, LogonCookieIsHttpOnlyAndSameSite) {
  AdminSession admin(url());
  HttpReply reply = admin.logon("admin", ConsoleProcess::kAdminPassword);
  ASSERT_EQ(reply.status, 200);
  const std::string cookie = reply.header("set-cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
}

TEST_F(ConsoleApiTest, RepeatedFailuresLockTheAccount) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    AdminSession admin(url());
    EXPECT_EQ(admin.logon("admin", "wrong password!").status, 401);
  }
  AdminSession admin(url());
  const HttpReply reply = admin.logon("admin", ConsoleProcess::kAdminPassword);
  EXPECT_EQ(reply.status, 401);
  EXPECT_NE(reply.body.find("locked"), std::string::npos) << reply.body;
}

TEST_F(ConsoleApiTest, LogonWithoutTheFormTokenIsRejected) {
  const HttpReply reply =
      client_.post(url() + "api/v1/logon",
                   Json{{"username", "admin"}, {"password", ConsoleProcess::kAdminPassword}}.dump(),
                   "application/json");
  EXPECT_EQ(reply.status, 403);
}

TEST_F(ConsoleApiTest, ApiNeedsLogonAndChangesNeedTheCsrfToken) {
  EXPECT_EQ(client_.get(url() + "api/v1/events").status, 401);
  AdminSession admin = loggedOn();
  const std::string settings = Json{{"profile", "quick"}}.dump();
  EXPECT_EQ(admin.send("PUT", "api/v1/settings/ondemand", settings, false).status, 403);
  EXPECT_EQ(admin.send("PUT", "api/v1/settings/ondemand", settings).status, 200);
}

TEST_F(ConsoleApiTest, PagesRedirectToLogonWithoutASession) {
  const HttpReply reply = client_.get(url() + "threats");
  EXPECT_EQ(reply.status, 302);
  EXPECT_EQ(reply.header("location"), "/logon");
}

TEST_F(ConsoleApiTest, SavedSettingsArePublishedAsASignedComponent) {
  AdminSession admin = loggedOn();
  const Json before = Json::parse(client_.get(url() + "components/manifest.json").body);
  const HttpReply saved = admin.send(
      "PUT", "api/v1/settings/ondemand",
      Json{{"profile", "quick"}, {"action", "quarantine"}, {"exclusions", {"C:\\Build"}}}.dump());
  ASSERT_EQ(saved.status, 200) << saved.body;
  ASSERT_EQ(admin
                .send("PUT", "api/v1/settings/smartscan",
                      Json{{"smart_scan_server_url", "http://127.0.0.1:8470"},
                           {"allow_global_server", false}}
                          .dump())
                .status,
            200);

  const Json after = Json::parse(client_.get(url() + "components/manifest.json").body);
  const auto settingsEntry = [](const Json& manifest) {
    for (const Json& entry : manifest["components"]) {
      if (entry["name"] == "ondemand-settings") return entry;
    }
    return Json();
  };
  EXPECT_GT(settingsEntry(after)["version"].get<int>(),
            settingsEntry(before)["version"].get<int>());
  const Json published = Json::parse(
      client_.get(url() + "components/" + settingsEntry(after)["file"].get<std::string>()).body);
  EXPECT_EQ(published["profile"], "quick");
  EXPECT_EQ(published["action"], "quarantine");
  EXPECT_EQ(published["exclusions"][0], "C:\\Build");
  EXPECT_EQ(published["smart_scan_server_url"], "http://127.0.0.1:8470");
  EXPECT_EQ(published["allow_global_server"], false);
  EXPECT_EQ(published["console_url"], url());
}

TEST_F(ConsoleApiTest, InvalidSettingsAreRejectedAndNotSaved) {
  AdminSession admin = loggedOn();
  const HttpReply reply =
      admin.send("PUT", "api/v1/settings/ondemand", Json{{"profile", "everything"}}.dump());
  EXPECT_EQ(reply.status, 400);
  EXPECT_NE(reply.body.find("profile"), std::string::npos) << reply.body;
  EXPECT_EQ(Json::parse(admin.get("api/v1/settings/ondemand").body)["profile"], "full");
}

TEST_F(ConsoleApiTest, UploadedComponentCanBeRolledBack) {
  AdminSession admin = loggedOn();
  ASSERT_EQ(admin.send("POST", "api/v1/components/upload?name=scanner-linux", "first build").status,
            200);
  const HttpReply second =
      admin.send("POST", "api/v1/components/upload?name=scanner-linux", "second build");
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(Json::parse(second.body)["version"], 2);

  const HttpReply rolledBack =
      admin.send("POST", "api/v1/components/rollback?name=scanner-linux", "");
  ASSERT_EQ(rolledBack.status, 200) << rolledBack.body;
  EXPECT_EQ(Json::parse(rolledBack.body)["version"], 1);
  const std::string file = Json::parse(rolledBack.body)["file"];
  EXPECT_EQ(client_.get(url() + "components/" + file).body, "first build");
}

TEST_F(ConsoleApiTest, TamperedAgentPatternIsNotPublished) {
  AdminSession admin = loggedOn();
  const HttpReply reply =
      admin.send("POST", "api/v1/components/upload?name=agent-pattern", "not a pattern file");
  EXPECT_EQ(reply.status, 400) << reply.body;
  EXPECT_NE(reply.body.find("agent pattern is rejected"), std::string::npos) << reply.body;
  const Json manifest = Json::parse(client_.get(url() + "components/manifest.json").body);
  for (const Json& entry : manifest["components"]) EXPECT_NE(entry["name"], "agent-pattern");
}

TEST_F(ConsoleApiTest, GuestPageAndLogonScreenShowTheLink) {
  const HttpReply guest = client_.get(url() + "ondemand");
  EXPECT_EQ(guest.status, 200);
  EXPECT_NE(guest.body.find("Run on-demand scan now"), std::string::npos);
  const HttpReply logon = client_.get(url() + "logon");
  EXPECT_NE(logon.body.find(url() + "ondemand"), std::string::npos);
}

// The launcher download, with the console's URL and key in its signed trailer.
TEST(ConsoleLauncherTest, DownloadCarriesTheSignedTrailer) {
  TempFolder folder;
  odscan::testing::writeText(folder / "OnDemandScan", "launcher program bytes");
  ConsoleProcess console(folder.path(), Json{{"launcher_linux", "OnDemandScan"}});
  ASSERT_TRUE(console.started()) << console.log();
  HttpClient client;
  const HttpReply reply = client.get(console.url() + "ondemand/OnDemandScan");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.body.rfind("launcher program bytes", 0), 0u);
  auto config = launcher::readLauncherTrailer(
      std::span(reinterpret_cast<const std::uint8_t*>(reply.body.data()), reply.body.size()));
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->consoleUrl, console.url());
  EXPECT_EQ(config->publicKeyPem, odscan::testing::readText(console.publicKey()));
  EXPECT_EQ(client.get(console.url() + "ondemand/OnDemandScan.exe").status, 404);
}

// TLS: the console serves HTTPS, and its cookies are then marked Secure.
TEST(ConsoleTlsTest, LogonOverHttpsSetsSecureCookies) {
  TempFolder folder;
  ASSERT_TRUE(http::testing::makeSelfSignedCertificate(folder.path()));
  ConsoleProcess console(folder.path() / "console",
                         Json{{"tls",
                               {{"certificate", (folder / "cert.pem").string()},
                                {"private_key", (folder / "key.pem").string()}}}});
  ASSERT_TRUE(console.started()) << console.log();
  const std::string url = "https://" + console.url().substr(std::string("http://").size());
  HttpClient client;
  http::testing::HttpCall call;
  call.url = url + "logon";
  call.caFile = folder / "cert.pem";
  const HttpReply page = client.send(call);
  ASSERT_EQ(page.status, 200) << page.error;
  EXPECT_NE(page.header("set-cookie").find("; Secure"), std::string::npos);
  EXPECT_NE(page.body.find(url + "ondemand"), std::string::npos) << page.body;
  EXPECT_EQ(client.get(console.url() + "logon").status, 0) << "plain HTTP must not be served";
}

// ActiveUpdate: the console takes newer components from its update source.
TEST(ConsolePullTest, NewerComponentComesFromActiveUpdate) {
  TempFolder folder;
  odscan::testing::writeText(folder / "scanner.bin", "scanner build 7");
  ConsoleProcess console(folder.path() / "console",
                         Json{{"update_source", (folder / "activeupdate").string()}});
  ASSERT_TRUE(console.started()) << console.log();
  auto key = PrivateKey::readFile(console.privateKey());
  ASSERT_TRUE(key.ok());
  activeupdate::PublishOptions options;
  options.outputDirectory = folder / "activeupdate";
  options.otherComponents.push_back({"scanner-linux", 7, folder / "scanner.bin"});
  ASSERT_TRUE(activeupdate::publishComponents(options, *key).ok());

  AdminSession admin(console.url());
  ASSERT_EQ(admin.logon("admin", ConsoleProcess::kAdminPassword).status, 200);
  const HttpReply pulled = admin.send("POST", "api/v1/components/pull", "");
  ASSERT_EQ(pulled.status, 200) << pulled.body;
  const Json updated = Json::parse(pulled.body)["updated"];
  ASSERT_EQ(updated.size(), 1u);
  EXPECT_EQ(updated[0]["name"], "scanner-linux");
  EXPECT_EQ(updated[0]["version"], 7);
  HttpClient client;
  EXPECT_EQ(client.get(console.url() + "components/" + updated[0]["file"].get<std::string>()).body,
            "scanner build 7");
  // A second pull finds nothing newer.
  EXPECT_EQ(Json::parse(admin.send("POST", "api/v1/components/pull", "").body)["updated"].size(),
            0u);
}

// Forwarding: stored detections go to a syslog collector on 127.0.0.1.
TEST(ConsoleForwardingTest, DetectionReachesTheSyslogCollector) {
  const int collector = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(collector, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(collector, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  getsockname(collector, reinterpret_cast<sockaddr*>(&address), &length);
  timeval timeout{10, 0};
  setsockopt(collector, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);

  TempFolder folder;
  ConsoleProcess console(
      folder.path(), Json{{"syslog",
                           {{"collector", "127.0.0.1:" + std::to_string(ntohs(address.sin_port))},
                            {"transport", "udp"},
                            {"format", "cef"}}}});
  ASSERT_TRUE(console.started()) << console.log();
  HttpClient client;
  ScannerSession scanner;
  ASSERT_EQ(registerSession(client, console.url(), scanner).status, 201);
  ASSERT_EQ(sendEvents(client, console.url(), scanner.token, 0,
                       eventLine(scanner.sessionId, "result",
                                 {{"path", "C:\\setup.exe"},
                                  {"verdict", "infected"},
                                  {"threat", "Eicar-Test-Signature"}}))
                .status,
            200);

  std::string received(65536, '\0');
  const ssize_t size = recv(collector, received.data(), received.size(), 0);
  close(collector);
  ASSERT_GT(size, 0) << "no syslog message arrived; console log:\n" << console.log();
  received.resize(static_cast<std::size_t>(size));
  EXPECT_NE(received.find("CEF:0|"), std::string::npos) << received;
  EXPECT_NE(received.find("Eicar-Test-Signature"), std::string::npos) << received;
  EXPECT_NE(received.find("LAPTOP-42"), std::string::npos) << received;
}

}  // namespace
}  // namespace odscan::console::testing

namespace odscan::console::testing {
namespace {

// An agent's side of the protocol, as a test sends it.
struct FakeAgent {
  std::string host;
  std::string credentials;  // "AGENT_ID:SECRET"

  HttpReply post(HttpClient& client, const std::string& url, const std::string& path,
                 const Json& body) const {
    return client.post(url + path, body.dump(), "application/json",
                       {"Authorization: Bearer " + credentials});
  }
};

std::string enrollmentToken(AdminSession& admin, int uses = 1) {
  const HttpReply reply =
      admin.send("POST", "api/v1/agents/enrollment-tokens", Json{{"uses", uses}}.dump());
  EXPECT_EQ(reply.status, 201) << reply.body;
  return Json::parse(reply.body).value("token", "");
}

FakeAgent enroll(HttpClient& client, const std::string& url, const std::string& token,
                 const std::string& host) {
  const HttpReply reply =
      client.post(url + "api/v1/agent/enroll", Json{{"token", token}, {"host", host}}.dump(),
                  "application/json");
  EXPECT_EQ(reply.status, 201) << reply.body;
  if (reply.status != 201) return {host, ""};
  const Json body = Json::parse(reply.body);
  return {host, body["agent_id"].get<std::string>() + ":" + body["secret"].get<std::string>()};
}

TEST(ConsoleAgentTest, EnrollmentTokenWorksOnceAndCredentialsAreChecked) {
  TempFolder folder;
  ConsoleProcess console(folder.path() / "console", Json{{"agent_check_in_seconds", 1}});
  ASSERT_TRUE(console.started()) << console.log();
  AdminSession admin(console.url());
  ASSERT_EQ(admin.logon("admin", ConsoleProcess::kAdminPassword).status, 200);
  HttpClient client;
  const std::string token = enrollmentToken(admin);
  const FakeAgent agent = enroll(client, console.url(), token, "PC-1");
  // The token is used up.
  const HttpReply again =
      client.post(console.url() + "api/v1/agent/enroll",
                  Json{{"token", token}, {"host", "PC-2"}}.dump(), "application/json");
  EXPECT_EQ(again.status, 401) << again.body;
  EXPECT_NE(again.body.find("enrollment token"), std::string::npos);

  EXPECT_EQ(agent.post(client, console.url(), "api/v1/agent/check-in", {{"host", "PC-1"}}).status,
            200);
  FakeAgent wrongSecret = agent;
  wrongSecret.credentials.back() = wrongSecret.credentials.back() == '0' ? '1' : '0';
  EXPECT_EQ(
      wrongSecret.post(client, console.url(), "api/v1/agent/check-in", {{"host", "PC-1"}}).status,
      401);
  // Without an administrator, nobody creates tokens or launches scans.
  EXPECT_EQ(client.post(console.url() + "api/v1/agents/enrollment-tokens", "{}", "application/json")
                .status,
            401);
}

TEST(ConsoleAgentTest, CommandsAreBoundToTheirAgentAndMoveForwardOnly) {
  TempFolder folder;
  ConsoleProcess console(folder.path() / "console", Json{{"agent_check_in_seconds", 1}});
  ASSERT_TRUE(console.started()) << console.log();
  AdminSession admin(console.url());
  ASSERT_EQ(admin.logon("admin", ConsoleProcess::kAdminPassword).status, 200);
  HttpClient client;
  const std::string token = enrollmentToken(admin, 2);
  const FakeAgent first = enroll(client, console.url(), token, "PC-1");
  const FakeAgent second = enroll(client, console.url(), token, "PC-2");

  const HttpReply launched =
      admin.send("POST", "api/v1/endpoints/launch", Json{{"host", "PC-1"}}.dump());
  ASSERT_EQ(launched.status, 202) << launched.body;
  const std::string command = Json::parse(launched.body)["command"];
  // Two launches at once: the second is refused while the first is pending.
  const HttpReply twice =
      admin.send("POST", "api/v1/endpoints/launch", Json{{"host", "PC-1"}}.dump());
  EXPECT_EQ(twice.status, 409) << twice.body;

  // The command goes to its agent only, signed for it.
  const Json otherCheckIn = Json::parse(
      second.post(client, console.url(), "api/v1/agent/check-in", {{"host", "PC-2"}}).body);
  EXPECT_TRUE(otherCheckIn["commands"].empty());
  const Json checkIn = Json::parse(
      first.post(client, console.url(), "api/v1/agent/check-in", {{"host", "PC-1"}}).body);
  ASSERT_EQ(checkIn["commands"].size(), 1u);
  EXPECT_EQ(checkIn["commands"][0]["id"], command);
  auto key = PublicKey::readFile(console.publicKey());
  ASSERT_TRUE(key.ok());
  const std::string firstId = first.credentials.substr(0, first.credentials.find(':'));
  EXPECT_TRUE(agent::verifyCommand(checkIn["commands"][0], *key, firstId).ok());

  // Another agent cannot report on it.
  const Json running = {{"command", command}, {"state", "running"}};
  EXPECT_EQ(second.post(client, console.url(), "api/v1/agent/command-state", running).status, 404);
  EXPECT_EQ(first.post(client, console.url(), "api/v1/agent/command-state", running).status, 200);
  // A repeated report is accepted once; a report going back is refused.
  EXPECT_EQ(first.post(client, console.url(), "api/v1/agent/command-state", running).status, 200);
  const Json done = {{"command", command}, {"state", "done"}, {"exit_code", 0}};
  EXPECT_EQ(first.post(client, console.url(), "api/v1/agent/command-state", done).status, 200);
  EXPECT_EQ(first.post(client, console.url(), "api/v1/agent/command-state", running).status, 409);
  EXPECT_EQ(first
                .post(client, console.url(), "api/v1/agent/command-state",
                      {{"command", "c-0000000000000000"}, {"state", "done"}})
                .status,
            404);
  const Json state = Json::parse(admin.get("api/v1/command?id=" + command).body);
  EXPECT_EQ(state["state"], "done");
  EXPECT_EQ(state["exit_code"], 0);
  // The endpoint list shows the latest command of each agent.
  const Json listed = Json::parse(admin.get("api/v1/endpoints?search=PC-1").body)["endpoints"];
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["agent"]["last_command"]["id"], command);
  EXPECT_EQ(listed[0]["agent"]["last_command"]["state"], "done");
  EXPECT_NE(console.log().find("rejected"), std::string::npos);

  // An agent that stopped checking in cannot be launched on.
  std::this_thread::sleep_for(std::chrono::milliseconds(4500));
  const HttpReply away =
      admin.send("POST", "api/v1/endpoints/launch", Json{{"host", "PC-2"}}.dump());
  EXPECT_EQ(away.status, 503) << away.body;
  EXPECT_NE(away.body.find("not connected"), std::string::npos);
}

TEST(ConsoleAgentTest, EndpointDataMustBeAZipOfTheAgent) {
  TempFolder folder;
  ConsoleProcess console(folder.path() / "console");
  ASSERT_TRUE(console.started()) << console.log();
  AdminSession admin(console.url());
  ASSERT_EQ(admin.logon("admin", ConsoleProcess::kAdminPassword).status, 200);
  HttpClient client;
  const FakeAgent agent = enroll(client, console.url(), enrollmentToken(admin), "PC-1");
  const std::vector<std::string> headers = {"Authorization: Bearer " + agent.credentials,
                                            "X-Odscan-Reason: scanner crashed"};
  EXPECT_EQ(client
                .post(console.url() + "api/v1/agent/endpoint-data", "not a zip", "application/zip",
                      headers)
                .status,
            400);
  EXPECT_EQ(client
                .post(console.url() + "api/v1/agent/endpoint-data", std::string("PK\x03\x04", 4),
                      "application/zip", {"X-Odscan-Reason: x"})
                .status,
            401);
  const HttpReply stored =
      client.post(console.url() + "api/v1/agent/endpoint-data", std::string("PK\x03\x04 rest", 9),
                  "application/zip", headers);
  EXPECT_EQ(stored.status, 201) << stored.body;
  const Json endpoints = Json::parse(admin.get("api/v1/endpoints").body)["endpoints"];
  ASSERT_EQ(endpoints.size(), 1u);
  EXPECT_TRUE(endpoints[0]["endpoint_data_collected"]);
}

}  // namespace
}  // namespace odscan::console::testing
