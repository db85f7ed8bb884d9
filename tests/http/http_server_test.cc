// Runs HttpServer in-process on 127.0.0.1 with an ephemeral port and talks to it
// with libcurl and raw sockets.
#include "odscan/http/http_server.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "http_test_support.h"
#include "odscan/http/request_id.h"

namespace odscan::http {
namespace {

using namespace std::chrono_literals;
using testing::HttpCall;
using testing::HttpClient;
using testing::HttpReply;
using testing::RawConnection;

constexpr auto kReadLimit = 3000ms;

// Holds handlers inside their call until the test opens it.
class Gate {
 public:
  void enterAndWait() {
    std::unique_lock lock(mutex_);
    ++entered_;
    changed_.notify_all();
    changed_.wait(lock, [this] { return open_; });
  }
  bool waitForEntered(int count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 3s, [&] { return entered_ >= count; });
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int entered_ = 0;
  bool open_ = false;
};

HttpServerOptions testOptions() {
  HttpServerOptions options;
  options.listen = ListenAddress{"127.0.0.1", 0};
  options.threads = 2;
  options.maxBodyBytes = 1024;
  options.headerTimeout = 300ms;
  options.bodyTimeout = 300ms;
  options.keepAliveTimeout = 2s;
  options.writeTimeout = 1s;
  options.stopTimeout = 2s;
  return options;
}

class HttpServerTest : public ::testing::Test {
 protected:
  HttpServerTest() {
    logger_ = std::make_shared<spdlog::logger>(
        "test", std::make_shared<spdlog::sinks::ostream_sink_mt>(log_, true));
    logger_->set_level(spdlog::level::debug);
  }

  ~HttpServerTest() override {
    gate_.open();
    if (server_) server_->stop();
  }

  // Routes: GET/POST /echo (returns the body), GET /slow (waits at the gate),
  // GET /throw (throws).
  Router testRouter() {
    Router router;
    EXPECT_TRUE(router
                    .add("POST", "/echo",
                         [](const Request& request, Response& response) {
                           response.contentType = "text/plain";
                           response.body = std::string(request.body);
                           response.addLogField("echoed", std::to_string(request.body.size()));
                         })
                    .ok());
    EXPECT_TRUE(router
                    .add("GET", "/echo",
                         [](const Request& request, Response& response) {
                           response.contentType = "text/plain";
                           response.body = std::string(request.header("X-Probe").value_or("none"));
                         })
                    .ok());
    EXPECT_TRUE(router
                    .add("GET", "/slow",
                         [this](const Request&, Response& response) {
                           gate_.enterAndWait();
                           response.body = "done";
                         })
                    .ok());
    EXPECT_TRUE(router
                    .add("GET", "/throw",
                         [](const Request&, Response&) { throw std::runtime_error("boom"); })
                    .ok());
    return router;
  }

  void start(HttpServerOptions options = testOptions()) {
    auto server = HttpServer::start(std::move(options), testRouter(), logger_, metrics_);
    ASSERT_TRUE(server.ok()) << server.status().toString();
    server_ = std::move(server).value();
  }

  std::string url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + std::string(path);
  }

  std::string logText() {
    logger_->flush();
    return log_.str();
  }

  // Waits for `part` to appear in the log. The server writes a request's access
  // line after the response is sent, so the client may see the response first.
  std::string waitForLog(std::string_view part) {
    for (int i = 0; i < 400 && logText().find(part) == std::string::npos; ++i) {
      std::this_thread::sleep_for(5ms);
    }
    return logText();
  }

  std::string metricsText() const { return metrics_.render(); }

  // Waits for `part` to appear in the metrics, which are recorded after the
  // response is sent.
  std::string waitForMetric(std::string_view part) {
    for (int i = 0; i < 400 && metricsText().find(part) == std::string::npos; ++i) {
      std::this_thread::sleep_for(5ms);
    }
    return metricsText();
  }

  std::ostringstream log_;
  std::shared_ptr<spdlog::logger> logger_;
  MetricsRegistry metrics_;
  Gate gate_;
  std::unique_ptr<HttpServer> server_;
};

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST_F(HttpServerTest, AnswersOnEphemeralPort) {
  start();
  HttpClient client;

  const HttpReply reply = client.post(url("/echo"), "hello", "text/plain");

  EXPECT_NE(server_->port(), 0);
  EXPECT_EQ(reply.status, 200) << reply.error;
  EXPECT_EQ(reply.body, "hello");
  EXPECT_EQ(reply.header("content-type"), "text/plain");
}

TEST_F(HttpServerTest, KeepAliveReusesConnection) {
  start();
  HttpClient client;

  const HttpReply first = client.get(url("/echo"));
  const HttpReply second = client.get(url("/echo"));

  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.newConnections, 0);
}

TEST_F(HttpServerTest, HandlerSeesRequestHeaders) {
  start();
  HttpClient client;
  HttpCall call;
  call.url = url("/echo");
  call.headers = {"x-PROBE: value 1"};

  EXPECT_EQ(client.send(call).body, "value 1");
}

TEST_F(HttpServerTest, ValidRequestIdIsEchoedAndLogged) {
  start();
  HttpClient client;
  HttpCall call;
  call.url = url("/echo");
  call.headers = {"X-Request-Id: scan-42.a_b"};

  const HttpReply reply = client.send(call);

  EXPECT_EQ(reply.header("x-request-id"), "scan-42.a_b");
  const std::string log = waitForLog("request_id=scan-42.a_b");
  EXPECT_TRUE(contains(log, "request_id=scan-42.a_b")) << log;
}

TEST_F(HttpServerTest, InvalidRequestIdIsReplaced) {
  start();
  HttpClient client;
  HttpCall call;
  call.url = url("/echo");
  call.headers = {"X-Request-Id: has space"};

  const HttpReply reply = client.send(call);

  EXPECT_NE(reply.header("x-request-id"), "has space");
  EXPECT_TRUE(isValidRequestId(reply.header("x-request-id"))) << reply.header("x-request-id");
}

TEST_F(HttpServerTest, AccessLineNamesRequest) {
  start();
  HttpClient client;

  const HttpReply reply = client.post(url("/echo?x=1"), "abc", "text/plain",
                                      {"X-Odscan-Product: scanner/1", "X-Odscan-Endpoint: pc 7"});

  const std::string log = waitForLog("echoed=3");
  EXPECT_TRUE(contains(log, "access request_id=" + reply.header("x-request-id"))) << log;
  EXPECT_TRUE(contains(log, "method=POST path=/echo status=200")) << log;
  EXPECT_TRUE(contains(log, "product=scanner/1 endpoint=\"pc 7\" echoed=3")) << log;
}

TEST_F(HttpServerTest, PipelinedRequestsAnswerInOrder) {
  start();
  RawConnection connection(server_->port());
  ASSERT_TRUE(connection.connected());

  ASSERT_TRUE(
      connection.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nfirst"
                      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 6\r\n\r\nsecond"));
  const std::string received = connection.readUntil("second", kReadLimit);

  const std::size_t first = received.find("first");
  ASSERT_NE(first, std::string::npos) << received;
  EXPECT_NE(received.find("second", first), std::string::npos) << received;
}

TEST_F(HttpServerTest, Http10ClientIsClosedAfterResponse) {
  start();
  RawConnection connection(server_->port());
  ASSERT_TRUE(connection.send("GET /echo HTTP/1.0\r\n\r\n"));

  const auto received = connection.readUntilClosed(kReadLimit);

  EXPECT_EQ(testing::statusOf(received.bytes), 200);
  EXPECT_TRUE(received.closed);
}

TEST_F(HttpServerTest, ExpectContinueGetsInterimResponse) {
  start();
  HttpClient client;
  HttpCall call;
  call.method = "POST";
  call.url = url("/echo");
  call.body = std::string(600, 'x');
  call.headers = {"Expect: 100-continue", "Content-Type: text/plain"};

  const auto started = std::chrono::steady_clock::now();
  const HttpReply reply = client.send(call);
  const auto elapsed = std::chrono::steady_clock::now() - started;

  EXPECT_EQ(reply.status, 200) << reply.error;
  EXPECT_EQ(reply.body.size(), 600u);
  // libcurl sends the body after one second without a 100 Continue.
  EXPECT_LT(elapsed, 900ms);
}

TEST_F(HttpServerTest, MetricsCountRequestsByRouteAndStatus) {
  start();
  HttpClient client;
  client.get(url("/echo"));
  client.get(url("/missing"));

  const std::string text = waitForMetric("code=\"404\"} 1");

  EXPECT_TRUE(contains(text, "odscan_http_requests_total{route=\"/echo\",code=\"200\"} 1")) << text;
  EXPECT_TRUE(contains(text, "odscan_http_requests_total{route=\"unmatched\",code=\"404\"} 1"))
      << text;
  EXPECT_TRUE(contains(text, "odscan_http_request_duration_seconds_count{route=\"/echo\"} 1"))
      << text;
  EXPECT_TRUE(contains(text, "odscan_http_requests_in_flight 0")) << text;
}

TEST_F(HttpServerTest, StopLetsRunningRequestFinish) {
  start();
  HttpReply slowReply;
  std::thread slowClient([&] {
    HttpClient client;
    slowReply = client.get(url("/slow"));
  });
  ASSERT_TRUE(gate_.waitForEntered(1));

  std::thread stopper([&] { server_->stop(); });
  std::this_thread::sleep_for(100ms);
  gate_.open();
  slowClient.join();
  stopper.join();

  EXPECT_EQ(slowReply.status, 200) << slowReply.error;
  EXPECT_EQ(slowReply.header("connection"), "close");
}

TEST_F(HttpServerTest, TlsServerAnswersTrustedClient) {
  testing::TempFolder folder;
  ASSERT_TRUE(testing::makeSelfSignedCertificate(folder.path()));
  HttpServerOptions options = testOptions();
  options.tls = TlsFiles{folder / "cert.pem", folder / "key.pem"};
  start(options);
  HttpClient client;
  HttpCall call;
  call.url = "https://127.0.0.1:" + std::to_string(server_->port()) + "/echo";
  call.caFile = folder / "cert.pem";

  const HttpReply first = client.send(call);
  const HttpReply second = client.send(call);

  EXPECT_TRUE(server_->usesTls());
  EXPECT_EQ(first.status, 200) << first.error;
  EXPECT_EQ(second.newConnections, 0);
}

// Error paths.

TEST_F(HttpServerTest, UnknownPathIs404WithJsonError) {
  start();
  HttpClient client;

  const HttpReply reply = client.get(url("/nothing"));
  const auto body = nlohmann::json::parse(reply.body);

  EXPECT_EQ(reply.status, 404);
  EXPECT_TRUE(contains(body["error"], "/nothing")) << reply.body;
  EXPECT_EQ(body["request_id"], reply.header("x-request-id"));
}

TEST_F(HttpServerTest, WrongMethodIs405WithAllow) {
  start();
  HttpClient client;
  HttpCall call;
  call.method = "DELETE";
  call.url = url("/echo");

  const HttpReply reply = client.send(call);

  EXPECT_EQ(reply.status, 405);
  EXPECT_EQ(reply.header("allow"), "POST, GET");
}

TEST_F(HttpServerTest, DeclaredBodyOverLimitIs413) {
  start();
  HttpClient client;

  const HttpReply reply = client.post(url("/echo"), std::string(5000, 'x'), "text/plain");

  EXPECT_EQ(reply.status, 413) << reply.error;
  EXPECT_TRUE(contains(reply.body, "1024 bytes")) << reply.body;
  EXPECT_TRUE(contains(metricsText(), "odscan_http_rejections_total{reason=\"body_too_large\"} 1"));
}

TEST_F(HttpServerTest, ChunkedBodyOverLimitIs413) {
  start();
  RawConnection connection(server_->port());
  const std::string chunk(2000, 'x');

  connection.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n7d0\r\n" +
                  chunk + "\r\n0\r\n\r\n");
  const auto received = connection.readUntilClosed(kReadLimit);

  EXPECT_EQ(testing::statusOf(received.bytes), 413) << received.bytes;
  EXPECT_TRUE(received.closed);
}

TEST_F(HttpServerTest, MalformedRequestIs400WithMessage) {
  start();
  RawConnection connection(server_->port());

  connection.send("THIS IS NOT HTTP\r\n\r\n");
  const auto received = connection.readUntilClosed(kReadLimit);

  EXPECT_EQ(testing::statusOf(received.bytes), 400) << received.bytes;
  EXPECT_TRUE(contains(received.bytes, "malformed HTTP request")) << received.bytes;
  EXPECT_TRUE(received.closed);
}

TEST_F(HttpServerTest, OversizedHeaderIs431) {
  start();
  RawConnection connection(server_->port());

  connection.send("GET /echo HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(10000, 'a') +
                  "\r\n\r\n");
  const auto received = connection.readUntilClosed(kReadLimit);

  EXPECT_EQ(testing::statusOf(received.bytes), 431) << received.bytes.substr(0, 200);
}

TEST_F(HttpServerTest, HalfHeaderTimesOutWith408) {
  start();
  RawConnection connection(server_->port());

  const auto started = std::chrono::steady_clock::now();
  connection.send("GET /echo HTTP/1.1\r\nHost: t\r\n");
  const auto received = connection.readUntilClosed(kReadLimit);
  const auto elapsed = std::chrono::steady_clock::now() - started;

  EXPECT_EQ(testing::statusOf(received.bytes), 408) << received.bytes;
  EXPECT_TRUE(received.closed);
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 2s);
  EXPECT_TRUE(contains(metricsText(), "odscan_http_rejections_total{reason=\"timeout\"} 1"));
}

TEST_F(HttpServerTest, SlowBodyTimesOutWith408) {
  start();
  RawConnection connection(server_->port());

  connection.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nonly-part");
  const auto received = connection.readUntilClosed(kReadLimit);

  EXPECT_EQ(testing::statusOf(received.bytes), 408) << received.bytes;
  EXPECT_TRUE(contains(received.bytes, "body")) << received.bytes;
}

TEST_F(HttpServerTest, SilentConnectionIsClosedWithoutResponse) {
  start();
  RawConnection connection(server_->port());

  const auto received = connection.readUntilClosed(kReadLimit);

  EXPECT_TRUE(received.closed);
  EXPECT_TRUE(received.bytes.empty()) << received.bytes;
}

TEST_F(HttpServerTest, OverloadAnswers503WithRetryAfter) {
  HttpServerOptions options = testOptions();
  options.maxInFlight = 1;
  options.retryAfter = 7s;
  start(options);
  std::thread slowClient([&] {
    HttpClient client;
    client.get(url("/slow"));
  });
  ASSERT_TRUE(gate_.waitForEntered(1));

  HttpClient client;
  const HttpReply reply = client.get(url("/echo"));
  gate_.open();
  slowClient.join();

  EXPECT_EQ(reply.status, 503);
  EXPECT_EQ(reply.header("retry-after"), "7");
  EXPECT_TRUE(contains(metricsText(), "odscan_http_rejections_total{reason=\"overloaded\"} 1"));
}

TEST_F(HttpServerTest, OverloadedPostIsAnsweredWithoutReadingBody) {
  HttpServerOptions options = testOptions();
  options.maxInFlight = 1;
  start(options);
  std::thread slowClient([&] {
    HttpClient client;
    client.get(url("/slow"));
  });
  ASSERT_TRUE(gate_.waitForEntered(1));

  RawConnection connection(server_->port());
  connection.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 500\r\n\r\n");
  const auto received = connection.readUntilClosed(kReadLimit);
  gate_.open();
  slowClient.join();

  EXPECT_EQ(testing::statusOf(received.bytes), 503) << received.bytes;
  EXPECT_TRUE(received.closed);
}

TEST_F(HttpServerTest, ThrowingHandlerGives500AndLogsRequestId) {
  start();
  HttpClient client;

  const HttpReply reply = client.get(url("/throw"));

  EXPECT_EQ(reply.status, 500);
  EXPECT_TRUE(
      contains(logText(), "request_id=" + reply.header("x-request-id") + " peer=127.0.0.1:"))
      << logText();
  EXPECT_TRUE(contains(logText(), "boom")) << logText();
}

TEST_F(HttpServerTest, ConnectionsOverLimitAreClosed) {
  HttpServerOptions options = testOptions();
  options.maxConnections = 1;
  options.headerTimeout = 2s;
  start(options);
  RawConnection first(server_->port());
  // The first connection counts once the acceptor has taken it.
  for (int i = 0; i < 200 && !contains(metricsText(), "odscan_http_connections 1"); ++i) {
    std::this_thread::sleep_for(5ms);
  }

  RawConnection second(server_->port());
  const auto received = second.readUntilClosed(kReadLimit);

  EXPECT_TRUE(received.closed);
  EXPECT_TRUE(
      contains(metricsText(), "odscan_http_rejections_total{reason=\"connection_limit\"} 1"));
}

TEST_F(HttpServerTest, StartRejectsInvalidOptions) {
  HttpServerOptions options = testOptions();
  options.maxInFlight = 0;

  const auto server = HttpServer::start(options, Router(), logger_, metrics_);

  EXPECT_EQ(server.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(contains(server.status().message(), "max in-flight")) << server.status().message();
}

TEST_F(HttpServerTest, StartReportsPortInUse) {
  start();
  HttpServerOptions options = testOptions();
  options.listen.port = server_->port();
  MetricsRegistry otherMetrics;

  const auto other = HttpServer::start(options, Router(), logger_, otherMetrics);

  EXPECT_EQ(other.status().code(), StatusCode::kIoError);
  EXPECT_TRUE(contains(other.status().message(), "127.0.0.1:" + std::to_string(server_->port())))
      << other.status().message();
}

TEST_F(HttpServerTest, StartReportsMissingTlsFile) {
  testing::TempFolder folder;
  HttpServerOptions options = testOptions();
  options.tls = TlsFiles{folder / "absent.pem", folder / "absent.key"};

  const auto server = HttpServer::start(options, Router(), logger_, metrics_);

  EXPECT_EQ(server.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(contains(server.status().message(), "absent.pem")) << server.status().message();
}

}  // namespace
}  // namespace odscan::http
