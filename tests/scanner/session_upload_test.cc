// The session upload against a small console on 127.0.0.1 that speaks the
// protocol of docs/console-protocol.md (sections Sessions and Spooling), built on
// the project's own HTTP server. Whole scans run in-process with runScanCommand().
#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <zlib.h>

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "odscan/http/http_server.h"
#include "odscan/scanner/scan_command.h"
#include "odscan/scanner/upload_state.h"
#include "test_support.h"

namespace odscan::scanner {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::readFile;
using testing::readLines;
using testing::TempFolder;
using testing::writeFile;

// Returns the inflated gzip `body`, or nothing when it is not gzip.
std::optional<std::string> gunzip(std::string_view body) {
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 16) != Z_OK) return std::nullopt;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  stream.avail_in = static_cast<uInt>(body.size());
  std::string output;
  int result = Z_OK;
  char buffer[16384];
  while (result == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof(buffer);
    result = inflate(&stream, Z_NO_FLUSH);
    output.append(buffer, sizeof(buffer) - stream.avail_out);
  }
  inflateEnd(&stream);
  if (result != Z_STREAM_END) return std::nullopt;
  return output;
}

// One session as the test console stores it.
struct StoredSession {
  std::string id;         // "s-<n>"
  std::string sessionId;  // the scanner's session id
  int registrations = 0;
  std::vector<std::string> lines;
  std::vector<std::pair<std::uint64_t, std::size_t>> batches;  // (first line, lines)
  std::string report;
  std::string log;
};

// The console's side of the protocol, with switches that make it fail on purpose.
class TestConsole {
 public:
  void start(std::uint16_t port = 0) {
    http::Router router;
    ASSERT_TRUE(router
                    .add("POST", "/api/v1/sessions",
                         [this](const auto& q, auto& r) { registerSession(q, r); })
                    .ok());
    ASSERT_TRUE(router
                    .add("POST", "/api/v1/session/events",
                         [this](const auto& q, auto& r) { receiveEvents(q, r); })
                    .ok());
    ASSERT_TRUE(
        router
            .add("PUT", "/api/v1/session/report",
                 [this](const auto& q, auto& r) { receiveFile(q, r, &StoredSession::report); })
            .ok());
    ASSERT_TRUE(router
                    .add("PUT", "/api/v1/session/log",
                         [this](const auto& q, auto& r) { receiveFile(q, r, &StoredSession::log); })
                    .ok());

    http::HttpServerOptions options;
    options.listen = http::ListenAddress{"127.0.0.1", port};
    options.threads = 1;
    options.maxBodyBytes = 8u << 20;
    options.accessLog = false;
    auto logger = std::make_shared<spdlog::logger>("test-console",
                                                   std::make_shared<spdlog::sinks::null_sink_mt>());
    auto server = http::HttpServer::start(options, std::move(router), logger, metrics_);
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(*server);
  }

  void stop() { server_.reset(); }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()) + "/"; }
  std::uint16_t port() const { return server_->port(); }

  // Test switches; each applies to the requests after it is set.
  void expireTokensOnce() {
    std::lock_guard lock(mutex_);
    expireOnce_ = true;
  }
  void answerEventsWith(unsigned status, std::string body) {
    std::lock_guard lock(mutex_);
    eventsStatus_ = status;
    eventsBody_ = std::move(body);
  }
  void rejectBatchesOver(std::size_t lines) {
    std::lock_guard lock(mutex_);
    maxLines_ = lines;
  }
  // Makes the console hold the first `count` of `lines` for `clientKey` already.
  void preload(const std::string& clientKey, const std::vector<std::string>& lines,
               std::size_t count) {
    std::lock_guard lock(mutex_);
    StoredSession& stored = byKey_[clientKey];
    stored.id = "s-" + std::to_string(byKey_.size());
    stored.lines.assign(lines.begin(), lines.begin() + static_cast<std::ptrdiff_t>(count));
  }

  std::map<std::string, StoredSession> sessions() const {
    std::lock_guard lock(mutex_);
    return byKey_;
  }
  int requests413() const {
    std::lock_guard lock(mutex_);
    return rejected413_;
  }

 private:
  void registerSession(const http::Request& request, http::Response& response) {
    const nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
    if (!body.is_object() || !body.contains("client_key") || !body.contains("session_id")) {
      response.setError(400, "the registration needs client_key and session_id", "test");
      return;
    }
    std::lock_guard lock(mutex_);
    const std::string key = body["client_key"].get<std::string>();
    const bool known = byKey_.count(key) > 0 && byKey_[key].registrations > 0;
    StoredSession& stored = byKey_[key];
    if (stored.id.empty()) stored.id = "s-" + std::to_string(byKey_.size());
    stored.sessionId = body["session_id"].get<std::string>();
    ++stored.registrations;
    const std::string token = "token-" + std::to_string(++tokenCount_);
    tokens_[token] = key;
    response.status = known ? 200 : 201;
    response.contentType = "application/json";
    response.body = nlohmann::json{{"session", stored.id},
                                   {"upload_token", token},
                                   {"expires_at", "2026-12-05T21:15:00Z"},
                                   {"events_received", stored.lines.size()}}
                        .dump();
  }

  // Returns the session of the request's token, or null after setting a 401 response.
  StoredSession* authorize(const http::Request& request, http::Response& response) {
    const std::string header(request.header("Authorization").value_or(""));
    const std::string token = header.rfind("Bearer ", 0) == 0 ? header.substr(7) : "";
    if (expireOnce_) {
      expireOnce_ = false;
      tokens_.clear();
    }
    const auto found = tokens_.find(token);
    if (found == tokens_.end()) {
      response.setError(401, "unknown or expired upload token; register again", "test");
      return nullptr;
    }
    return &byKey_[found->second];
  }

  void receiveEvents(const http::Request& request, http::Response& response) {
    std::lock_guard lock(mutex_);
    StoredSession* stored = authorize(request, response);
    if (stored == nullptr) return;
    if (eventsStatus_ != 0) {
      response.status = eventsStatus_;
      response.body = eventsBody_;
      return;
    }
    const std::optional<std::string> text = gunzip(request.body);
    const std::uint64_t first =
        std::stoull(std::string(request.header("X-Odscan-First-Line").value_or("0")));
    if (!text) {
      response.setError(400, "the body is not gzip", "test");
      return;
    }
    std::vector<std::string> lines;
    std::istringstream stream(*text);
    for (std::string line; std::getline(stream, line);) lines.push_back(line);

    if (lines.size() > maxLines_) {
      ++rejected413_;
      response.setError(413, "the batch is too large", "test");
      return;
    }
    if (first > stored->lines.size()) {
      response.setError(409, "a gap before line " + std::to_string(first), "test");
      return;
    }
    for (const std::string& line : lines) {
      const nlohmann::json event = nlohmann::json::parse(line, nullptr, false);
      if (!event.is_object() || !event.contains("event") ||
          event.value("session", "") != stored->sessionId) {
        response.setError(400, "a line is not an event of this session", "test");
        return;
      }
    }

    stored->batches.emplace_back(first, lines.size());
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (first + i >= stored->lines.size()) stored->lines.push_back(lines[i]);
    }
    response.contentType = "application/json";
    response.body = nlohmann::json{{"events_received", stored->lines.size()}}.dump();
  }

  void receiveFile(const http::Request& request, http::Response& response,
                   std::string StoredSession::*target) {
    std::lock_guard lock(mutex_);
    StoredSession* stored = authorize(request, response);
    if (stored == nullptr) return;
    const std::optional<std::string> text = gunzip(request.body);
    if (!text) {
      response.setError(400, "the body is not gzip", "test");
      return;
    }
    stored->*target = *text;
    response.status = 204;
  }

  http::MetricsRegistry metrics_;
  std::unique_ptr<http::HttpServer> server_;
  mutable std::mutex mutex_;
  std::map<std::string, StoredSession> byKey_;
  std::map<std::string, std::string> tokens_;
  int tokenCount_ = 0;
  bool expireOnce_ = false;
  unsigned eventsStatus_ = 0;
  std::string eventsBody_;
  std::size_t maxLines_ = 1000000;
  int rejected413_ = 0;
};

class SessionUploadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pattern_ = testing::writeTestPattern(temp_ / "publisher");
    for (int i = 0; i < 5; ++i) {
      writeFile(temp_ / "tree" / ("file" + std::to_string(i) + ".txt"), "clean text\n");
    }
    writeFile(temp_ / "tree" / "threat.txt", testing::testThreatText());
    options_.home = temp_ / "HCEXEC";
    options_.patternPath = pattern_.pattern;
    options_.publicKeyPath = pattern_.publicKey;
    options_.roots = {temp_ / "tree"};
    options_.engine.threads = 2;
    options_.upload.interval = 20ms;
    options_.upload.maxBatchLines = 3;
    options_.upload.client.connectTimeout = 1000ms;
    options_.upload.client.requestTimeout = 5000ms;
  }

  int runScan(const std::string& consoleUrl) {
    options_.consoleUrl = consoleUrl;
    out_.str("");
    err_.str("");
    CommandIo io{out_, err_, false, nullptr};
    return runScanCommand(options_, io);
  }

  // Session folders, oldest first.
  std::vector<fs::path> sessionFolders() const {
    std::vector<fs::path> folders;
    for (const auto& item : fs::directory_iterator(temp_ / "HCEXEC" / "sessions")) {
      folders.push_back(item.path());
    }
    std::sort(folders.begin(), folders.end());
    return folders;
  }

  static UploadState stateOf(const fs::path& folder) {
    Result<UploadState> state = readUploadState(folder / "upload.json");
    EXPECT_TRUE(state.ok()) << state.status().message();
    return state.ok() ? *state : UploadState{};
  }

  // Checks that the console stores the session of `folder` completely and once.
  void expectDelivered(const fs::path& folder) {
    const UploadState state = stateOf(folder);
    const auto sessions = console_.sessions();
    const auto found = sessions.find(state.clientKey);
    ASSERT_NE(found, sessions.end()) << folder;
    const StoredSession& stored = found->second;
    EXPECT_EQ(stored.lines, readLines(folder / "events.jsonl")) << folder;
    EXPECT_EQ(stored.report, readFile(folder / "report.json")) << folder;
    EXPECT_FALSE(stored.log.empty()) << folder;
    EXPECT_TRUE(state.complete()) << folder;
    EXPECT_EQ(state.session, stored.id);
  }

  // A URL where nothing listens: the port of a console that was stopped.
  std::string unusedUrl() {
    TestConsole closed;
    closed.start();
    const std::string url = closed.url();
    closed.stop();
    return url;
  }

  TempFolder temp_;
  testing::TestPattern pattern_;
  ScanCommandOptions options_;
  std::ostringstream out_;
  std::ostringstream err_;
  TestConsole console_;
};

TEST_F(SessionUploadTest, ScanDeliversEventsReportAndLog) {
  console_.start();
  EXPECT_EQ(runScan(console_.url()), 1) << err_.str();
  EXPECT_TRUE(err_.str().empty()) << err_.str();

  ASSERT_EQ(sessionFolders().size(), 1u);
  const fs::path folder = sessionFolders()[0];
  expectDelivered(folder);
  const StoredSession stored = console_.sessions().begin()->second;
  EXPECT_EQ(stored.registrations, 1);
  EXPECT_EQ(stored.sessionId, folder.filename().string().substr(17));
  EXPECT_EQ(stateOf(folder).eventsSent, readLines(folder / "events.jsonl").size());
}

TEST_F(SessionUploadTest, BatchesFollowTheLineNumbers) {
  console_.start();
  runScan(console_.url());

  const StoredSession stored = console_.sessions().begin()->second;
  ASSERT_GE(stored.batches.size(), 2u);
  std::uint64_t next = 0;
  for (const auto& [first, count] : stored.batches) {
    EXPECT_EQ(first, next);
    EXPECT_LE(count, 3u);
    next = first + count;
  }
}

TEST_F(SessionUploadTest, RegistrationDescribesTheEndpoint) {
  console_.start();
  runScan(console_.url());
  const fs::path folder = sessionFolders()[0];
  const nlohmann::json registration = stateOf(folder).registration;
  EXPECT_EQ(registration["pattern_version"], pattern_.version);
  EXPECT_FALSE(registration["host"].get<std::string>().empty());
  EXPECT_FALSE(registration["os_version"].get<std::string>().empty());
  EXPECT_TRUE(registration["ip_addresses"].is_array());
  EXPECT_EQ(registration["scanner_version"], scannerVersion());
}

TEST_F(SessionUploadTest, NoUploadKeepsLogsLocal) {
  console_.start();
  options_.noUpload = true;
  runScan(console_.url());
  EXPECT_TRUE(console_.sessions().empty());
  EXPECT_FALSE(fs::exists(sessionFolders()[0] / "upload.json"));
}

TEST_F(SessionUploadTest, ConsoleDownThenBackDeliversSpool) {
  const int exitCode = runScan(unusedUrl());
  EXPECT_EQ(exitCode, 1);
  EXPECT_NE(err_.str().find("session logs could not be sent to the console at"), std::string::npos)
      << err_.str();
  EXPECT_NE(err_.str().find("are sent on the next run"), std::string::npos) << err_.str();
  const fs::path first = sessionFolders()[0];
  EXPECT_FALSE(stateOf(first).complete());
  EXPECT_NE(readFile(first / "events.jsonl").find("\"upload_deferred\""), std::string::npos);

  console_.start();
  EXPECT_EQ(runScan(console_.url()), 1) << err_.str();
  EXPECT_TRUE(err_.str().empty()) << err_.str();
  ASSERT_EQ(sessionFolders().size(), 2u);
  EXPECT_EQ(console_.sessions().size(), 2u);
  for (const fs::path& folder : sessionFolders()) expectDelivered(folder);
}

TEST_F(SessionUploadTest, ResumesFromTheConsolePosition) {
  runScan(unusedUrl());
  const fs::path first = sessionFolders()[0];
  const std::vector<std::string> lines = readLines(first / "events.jsonl");
  ASSERT_GT(lines.size(), 4u);
  console_.preload(stateOf(first).clientKey, lines, 4);

  console_.start();
  runScan(console_.url());
  expectDelivered(first);
  const StoredSession stored = console_.sessions()[stateOf(first).clientKey];
  ASSERT_FALSE(stored.batches.empty());
  EXPECT_EQ(stored.batches.front().first, 4u);
}

TEST_F(SessionUploadTest, ExpiredTokenRegistersAgain) {
  console_.start();
  console_.expireTokensOnce();
  EXPECT_EQ(runScan(console_.url()), 1);
  EXPECT_TRUE(err_.str().empty()) << err_.str();
  const fs::path folder = sessionFolders()[0];
  expectDelivered(folder);
  EXPECT_EQ(console_.sessions()[stateOf(folder).clientKey].registrations, 2);
}

TEST_F(SessionUploadTest, OversizedBatchesAreSplit) {
  console_.start();
  console_.rejectBatchesOver(1);
  runScan(console_.url());
  EXPECT_TRUE(err_.str().empty()) << err_.str();
  expectDelivered(sessionFolders()[0]);
  EXPECT_GE(console_.requests413(), 1);
}

// --- error paths ---

TEST_F(SessionUploadTest, RejectedBatchKeepsTheSpool) {
  console_.start();
  console_.answerEventsWith(400, "\x1f\x8b garbled <html>");
  EXPECT_EQ(runScan(console_.url()), 1);
  EXPECT_NE(err_.str().find("HTTP 400"), std::string::npos) << err_.str();
  const UploadState state = stateOf(sessionFolders()[0]);
  EXPECT_EQ(state.eventsSent, 0u);
  EXPECT_FALSE(state.complete());

  console_.answerEventsWith(0, "");
  runScan(console_.url());
  for (const fs::path& folder : sessionFolders()) expectDelivered(folder);
}

TEST_F(SessionUploadTest, GarbledAnswerIsReported) {
  console_.start();
  console_.answerEventsWith(200, "not json at all");
  EXPECT_EQ(runScan(console_.url()), 1);
  EXPECT_NE(err_.str().find("not a JSON object"), std::string::npos) << err_.str();
  EXPECT_FALSE(stateOf(sessionFolders()[0]).complete());
}

TEST_F(SessionUploadTest, StandstillAnswerIsReported) {
  console_.start();
  console_.answerEventsWith(200, "{\"events_received\": 0}");
  runScan(console_.url());
  EXPECT_NE(err_.str().find("did not store them"), std::string::npos) << err_.str();
}

TEST_F(SessionUploadTest, DamagedEarlierStateIsSkipped) {
  runScan(unusedUrl());
  const fs::path first = sessionFolders()[0];
  writeFile(first / "upload.json", "{");

  console_.start();
  runScan(console_.url());
  EXPECT_TRUE(err_.str().empty()) << err_.str();
  EXPECT_EQ(console_.sessions().size(), 1u);
  // Folder names sort by the second a run started, so two runs within one second
  // may sort either way.
  const std::vector<fs::path> folders = sessionFolders();
  ASSERT_EQ(folders.size(), 2u);
  const fs::path second = folders[0] == first ? folders[1] : folders[0];
  expectDelivered(second);
  EXPECT_NE(readFile(second / "scan.log").find("is damaged"), std::string::npos);
}

TEST_F(SessionUploadTest, NotStartedRunIsDeliveredToo) {
  console_.start();
  options_.patternPath = temp_ / "missing.ptn";
  EXPECT_EQ(runScan(console_.url()), 2);
  const fs::path folder = sessionFolders()[0];
  expectDelivered(folder);
  EXPECT_TRUE(stateOf(folder).registration["pattern_version"].is_null());
}

}  // namespace
}  // namespace odscan::scanner
