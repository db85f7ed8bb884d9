// Integration tests: a real EventForwarder against collectors this test runs on
// 127.0.0.1 (UDP, TCP and TLS with a certificate made at test time).
#include "odscan/forwarding/event_forwarder.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <spdlog/sinks/ostream_sink.h>

#include <fstream>
#include <functional>
#include <sstream>

#include "collector_listener.h"
#include "message_parsing.h"

namespace odscan::forwarding {
namespace {

using namespace std::chrono_literals;
using testing::MessageLog;
using testing::StreamCollector;
using testing::TempFolder;
using testing::TlsServerFiles;
using testing::UdpCollector;

ForwarderConfig configFor(Transport transport, std::uint16_t port) {
  ForwarderConfig config;
  config.collector = CollectorAddress{"127.0.0.1", port};
  config.transport = transport;
  config.hostname = "tm-test";
  config.connectTimeout = 2s;
  config.writeTimeout = 2s;
  config.reconnectMin = 20ms;
  config.reconnectMax = 100ms;
  return config;
}

ConsoleEvent numberedEvent(int number) {
  ConsoleEvent event = makeConsoleEvent(EventType::kDetection);
  event.endpointHost = "LAPTOP-42";
  event.endpointIp = "192.0.2.15";
  event.sessionId = "session-" + std::to_string(number);
  event.filePath = "C:\\Users\\guest\\file-" + std::to_string(number) + ".exe";
  event.threatName = "Eicar-Test-Signature";
  event.detail = "line one\nline two ] \" \\ | =";
  return event;
}

// A logger that writes into a string, so tests can check what operators read.
struct CapturedLog {
  std::ostringstream stream;
  std::shared_ptr<spdlog::logger> logger = std::make_shared<spdlog::logger>(
      "forwarding-test", std::make_shared<spdlog::sinks::ostream_sink_mt>(stream));

  CapturedLog() { logger->set_level(spdlog::level::debug); }
  std::string text() {
    logger->flush();
    return stream.str();
  }
};

std::unique_ptr<EventForwarder> startForwarder(const ForwarderConfig& config,
                                               std::shared_ptr<spdlog::logger> logger = nullptr) {
  auto forwarder = EventForwarder::create(config, std::move(logger));
  EXPECT_TRUE(forwarder.ok()) << forwarder.status().toString();
  return forwarder.ok() ? std::move(*forwarder) : nullptr;
}

// Checks that `messages` are events `first` to `first + count - 1`, in order
// and with every member intact.
void expectNumberedEvents(const std::vector<std::string>& messages, int first, int count) {
  ASSERT_EQ(messages.size(), static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    const auto message = testing::parseSyslogMessage(messages[static_cast<std::size_t>(i)]);
    ASSERT_TRUE(message.has_value()) << messages[static_cast<std::size_t>(i)];
    EXPECT_EQ(message->params.at("sessionId"), "session-" + std::to_string(first + i));
    EXPECT_EQ(message->params.at("detail"), "line one line two ] \" \\ | =");
    EXPECT_EQ(message->hostname, "tm-test");
  }
}

bool waitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return condition();
}

TEST(EventForwarderTest, UdpEventsArriveIntactInOrder) {
  UdpCollector collector;
  auto forwarder = startForwarder(configFor(Transport::kUdp, collector.port()));
  ASSERT_NE(forwarder, nullptr);

  for (int i = 0; i < 50; ++i) EXPECT_TRUE(forwarder->forward(numberedEvent(i)));
  ASSERT_TRUE(forwarder->flush(10s).ok());

  expectNumberedEvents(collector.messages().waitFor(50), 0, 50);
  EXPECT_EQ(forwarder->counters().sent, 50u);
}

TEST(EventForwarderTest, TcpFramesArriveIntactInOrder) {
  StreamCollector collector;
  auto forwarder = startForwarder(configFor(Transport::kTcp, collector.port()));
  ASSERT_NE(forwarder, nullptr);

  for (int i = 0; i < 200; ++i) EXPECT_TRUE(forwarder->forward(numberedEvent(i)));
  ASSERT_TRUE(forwarder->flush(10s).ok());

  expectNumberedEvents(collector.messages().waitFor(200), 0, 200);
  EXPECT_TRUE(collector.errors().empty());
  EXPECT_EQ(collector.connectionsAccepted(), 1);
}

TEST(EventForwarderTest, CefOverTcpKeepsHostileValues) {
  StreamCollector collector;
  ForwarderConfig config = configFor(Transport::kTcp, collector.port());
  config.format = MessageFormat::kCef;
  auto forwarder = startForwarder(config);
  ASSERT_NE(forwarder, nullptr);

  ConsoleEvent event = numberedEvent(1);
  event.filePath = "C:\\a=b|c\\x.exe";
  forwarder->forward(event);
  const auto messages = collector.messages().waitFor(1);

  ASSERT_EQ(messages.size(), 1u);
  const auto message = testing::parseSyslogMessage(messages[0]);
  ASSERT_TRUE(message.has_value());
  const auto record = testing::parseCefRecord(message->message);
  ASSERT_TRUE(record.has_value()) << message->message;
  EXPECT_EQ(record->extension.at("filePath"), event.filePath);
  EXPECT_EQ(record->extension.at("msg"), "line one\nline two ] \" \\ | =");
}

TEST(EventForwarderTest, TlsDeliversToVerifiedCollector) {
  TempFolder folder;
  const TlsServerFiles files{folder / "collector.pem", folder / "collector.key"};
  testing::makeSelfSignedCertificate(files.certificate, files.key);
  StreamCollector collector(0, &files);
  ForwarderConfig config = configFor(Transport::kTls, collector.port());
  config.caFile = files.certificate;
  auto forwarder = startForwarder(config);
  ASSERT_NE(forwarder, nullptr);

  for (int i = 0; i < 100; ++i) forwarder->forward(numberedEvent(i));
  ASSERT_TRUE(forwarder->flush(10s).ok());

  expectNumberedEvents(collector.messages().waitFor(100), 0, 100);
  EXPECT_TRUE(forwarder->counters().connected);
}

TEST(EventForwarderTest, TlsChecksConfiguredServerName) {
  TempFolder folder;
  const TlsServerFiles files{folder / "collector.pem", folder / "collector.key"};
  testing::makeSelfSignedCertificate(files.certificate, files.key, "siem.example.org");
  StreamCollector collector(0, &files);
  ForwarderConfig config = configFor(Transport::kTls, collector.port());
  config.caFile = files.certificate;
  config.serverName = "siem.example.org";
  auto forwarder = startForwarder(config);
  ASSERT_NE(forwarder, nullptr);

  forwarder->forward(numberedEvent(7));

  expectNumberedEvents(collector.messages().waitFor(1), 7, 1);
}

TEST(EventForwarderTest, TcpCollectorDownThenUpGetsEveryEvent) {
  const std::uint16_t port = testing::unusedTcpPort();
  CapturedLog log;
  auto forwarder = startForwarder(configFor(Transport::kTcp, port), log.logger);
  ASSERT_NE(forwarder, nullptr);

  for (int i = 0; i < 10; ++i) forwarder->forward(numberedEvent(i));
  ASSERT_TRUE(waitUntil([&] { return forwarder->counters().connectionFailures >= 2; }));
  EXPECT_EQ(forwarder->counters().sent, 0u);

  StreamCollector collector(port);
  ASSERT_TRUE(forwarder->flush(10s).ok());

  expectNumberedEvents(collector.messages().waitFor(10), 0, 10);
  EXPECT_NE(log.text().find("cannot deliver events to syslog collector tcp://127.0.0.1:" +
                            std::to_string(port)),
            std::string::npos);
  EXPECT_NE(log.text().find("connected to syslog collector"), std::string::npos);
}

TEST(EventForwarderTest, TcpCollectorRestartReconnects) {
  const std::uint16_t port = testing::unusedTcpPort();
  auto forwarder = startForwarder(configFor(Transport::kTcp, port));
  ASSERT_NE(forwarder, nullptr);
  std::vector<std::string> received;

  {
    StreamCollector first(port);
    for (int i = 0; i < 5; ++i) forwarder->forward(numberedEvent(i));
    ASSERT_TRUE(forwarder->flush(10s).ok());
    received = first.messages().waitFor(5);
  }
  for (int i = 5; i < 10; ++i) forwarder->forward(numberedEvent(i));
  ASSERT_TRUE(waitUntil([&] { return forwarder->counters().connectionFailures >= 1; }));
  StreamCollector second(port);
  ASSERT_TRUE(forwarder->flush(10s).ok());
  const std::vector<std::string> later = second.messages().waitFor(5);
  received.insert(received.end(), later.begin(), later.end());

  expectNumberedEvents(received, 0, 10);
  EXPECT_EQ(second.connectionsAccepted(), 1);
}

TEST(EventForwarderTest, TlsCollectorDownThenUpGetsEveryEvent) {
  TempFolder folder;
  const TlsServerFiles files{folder / "collector.pem", folder / "collector.key"};
  testing::makeSelfSignedCertificate(files.certificate, files.key);
  const std::uint16_t port = testing::unusedTcpPort();
  ForwarderConfig config = configFor(Transport::kTls, port);
  config.caFile = files.certificate;
  auto forwarder = startForwarder(config);
  ASSERT_NE(forwarder, nullptr);

  for (int i = 0; i < 5; ++i) forwarder->forward(numberedEvent(i));
  ASSERT_TRUE(waitUntil([&] { return forwarder->counters().connectionFailures >= 1; }));
  StreamCollector collector(port, &files);

  ASSERT_TRUE(forwarder->flush(10s).ok());
  expectNumberedEvents(collector.messages().waitFor(5), 0, 5);
}

// A connection whose send() waits until its deadline or until the forwarder
// cancels it: a collector that accepted the connection and stopped reading.
class StalledConnection final : public CollectorConnection {
 public:
  explicit StalledConnection(std::atomic<bool>& sending) : sending_(sending) {}

  Status open(const IoLimits&) override { return Status::success(); }
  Status send(std::string_view, const IoLimits& limits) override {
    sending_ = true;
    pollfd cancel{limits.cancelFd, POLLIN, 0};
    ::poll(&cancel, 1, 60'000);
    return Status(StatusCode::kUnavailable, "cancelled");
  }
  bool isOpen() override { return true; }
  void close() override {}
  std::string describe() const override { return "tcp://stalled"; }

 private:
  std::atomic<bool>& sending_;
};

TEST(EventForwarderTest, FullQueueDropsWithoutBlockingCaller) {
  std::atomic<bool> sending{false};
  ForwarderConfig config = configFor(Transport::kTcp, 9);
  config.maxQueue = 5;
  config.writeTimeout = 60s;
  CapturedLog log;
  auto created =
      EventForwarder::create(config, log.logger, std::make_unique<StalledConnection>(sending));
  ASSERT_TRUE(created.ok()) << created.status().toString();
  auto& forwarder = *created;
  forwarder->forward(numberedEvent(0));
  ASSERT_TRUE(waitUntil([&] { return sending.load(); }));

  const auto start = std::chrono::steady_clock::now();
  int accepted = 0;
  for (int i = 1; i <= 1000; ++i) accepted += forwarder->forward(numberedEvent(i)) ? 1 : 0;
  const auto elapsed = std::chrono::steady_clock::now() - start;

  EXPECT_EQ(accepted, 5);
  EXPECT_LT(elapsed, 2s);
  const ForwarderCounters counters = forwarder->counters();
  EXPECT_EQ(counters.dropped, 995u);
  EXPECT_EQ(counters.accepted, 6u);
  EXPECT_EQ(counters.queued, 6u);
}

TEST(EventForwarderTest, StopCancelsStalledSendAndCountsFailures) {
  std::atomic<bool> sending{false};
  ForwarderConfig config = configFor(Transport::kTcp, 9);
  config.writeTimeout = 60s;
  CapturedLog log;
  auto created =
      EventForwarder::create(config, log.logger, std::make_unique<StalledConnection>(sending));
  ASSERT_TRUE(created.ok()) << created.status().toString();
  auto& forwarder = *created;
  for (int i = 0; i < 3; ++i) forwarder->forward(numberedEvent(i));
  ASSERT_TRUE(waitUntil([&] { return sending.load(); }));

  const auto start = std::chrono::steady_clock::now();
  const Status stopped = forwarder->stop(100ms);
  const auto elapsed = std::chrono::steady_clock::now() - start;

  EXPECT_EQ(stopped.code(), StatusCode::kTimeout);
  EXPECT_LT(elapsed, 5s);
  EXPECT_EQ(forwarder->counters().failed, 3u);
  EXPECT_FALSE(forwarder->forward(numberedEvent(9)));
  EXPECT_NE(log.text().find("stopped forwarding to syslog collector tcp://stalled"),
            std::string::npos);
}

TEST(EventForwarderTest, DropsAreLoggedWithTheFix) {
  const std::uint16_t port = testing::unusedTcpPort();
  ForwarderConfig config = configFor(Transport::kTcp, port);
  config.maxQueue = 2;
  CapturedLog log;
  auto forwarder = startForwarder(config, log.logger);
  ASSERT_NE(forwarder, nullptr);

  for (int i = 0; i < 20; ++i) forwarder->forward(numberedEvent(i));

  ASSERT_TRUE(waitUntil([&] { return log.text().find("dropped") != std::string::npos; }));
  EXPECT_NE(log.text().find("Raise syslog.max_queue"), std::string::npos);
}

TEST(EventForwarderTest, FlushTimesOutWhileCollectorIsDown) {
  auto forwarder = startForwarder(configFor(Transport::kTcp, testing::unusedTcpPort()));
  ASSERT_NE(forwarder, nullptr);
  forwarder->forward(numberedEvent(0));

  const Status flushed = forwarder->flush(50ms);

  EXPECT_EQ(flushed.code(), StatusCode::kTimeout);
  EXPECT_NE(flushed.message().find("1 events are still waiting"), std::string::npos);
}

TEST(EventForwarderTest, StopDeliversQueuedEventsFirst) {
  StreamCollector collector;
  auto forwarder = startForwarder(configFor(Transport::kTcp, collector.port()));
  ASSERT_NE(forwarder, nullptr);
  for (int i = 0; i < 20; ++i) forwarder->forward(numberedEvent(i));

  ASSERT_TRUE(forwarder->stop(10s).ok());

  expectNumberedEvents(collector.messages().waitFor(20), 0, 20);
  EXPECT_EQ(forwarder->counters().sent, 20u);
}

// Error paths.

TEST(EventForwarderTest, UntrustedCertificateIsRejected) {
  TempFolder folder;
  const TlsServerFiles files{folder / "collector.pem", folder / "collector.key"};
  testing::makeSelfSignedCertificate(files.certificate, files.key);
  testing::makeSelfSignedCertificate(folder / "other.pem", folder / "other.key");
  StreamCollector collector(0, &files);
  ForwarderConfig config = configFor(Transport::kTls, collector.port());
  config.caFile = folder / "other.pem";
  CapturedLog log;
  auto forwarder = startForwarder(config, log.logger);
  ASSERT_NE(forwarder, nullptr);

  forwarder->forward(numberedEvent(0));
  ASSERT_TRUE(waitUntil([&] { return forwarder->counters().connectionFailures >= 1; }));

  EXPECT_TRUE(collector.messages().all().empty());
  EXPECT_FALSE(forwarder->counters().connected);
  EXPECT_NE(log.text().find("was rejected"), std::string::npos);
}

TEST(EventForwarderTest, WrongServerNameIsRejected) {
  TempFolder folder;
  const TlsServerFiles files{folder / "collector.pem", folder / "collector.key"};
  testing::makeSelfSignedCertificate(files.certificate, files.key);
  StreamCollector collector(0, &files);
  ForwarderConfig config = configFor(Transport::kTls, collector.port());
  config.caFile = files.certificate;
  config.serverName = "siem.example.org";
  CapturedLog log;
  auto forwarder = startForwarder(config, log.logger);
  ASSERT_NE(forwarder, nullptr);

  forwarder->forward(numberedEvent(0));
  ASSERT_TRUE(waitUntil([&] { return forwarder->counters().connectionFailures >= 1; }));

  EXPECT_TRUE(collector.messages().all().empty());
  EXPECT_NE(log.text().find("siem.example.org"), std::string::npos);
}

TEST(EventForwarderTest, MissingCaFileFailsCreate) {
  ForwarderConfig config = configFor(Transport::kTls, 6514);
  config.caFile = "/nonexistent/odscan-ca.pem";

  const auto forwarder = EventForwarder::create(config, nullptr);

  ASSERT_FALSE(forwarder.ok());
  EXPECT_EQ(forwarder.status().code(), StatusCode::kNotFound);
  EXPECT_NE(forwarder.status().message().find("syslog.ca_file"), std::string::npos);
}

TEST(EventForwarderTest, CaFileWithoutCertificateFailsCreate) {
  TempFolder folder;
  { std::ofstream(folder / "empty.pem") << "not a certificate\n"; }
  ForwarderConfig config = configFor(Transport::kTls, 6514);
  config.caFile = folder / "empty.pem";

  const auto forwarder = EventForwarder::create(config, nullptr);

  ASSERT_FALSE(forwarder.ok());
  EXPECT_EQ(forwarder.status().code(), StatusCode::kInvalidArgument);
}

TEST(EventForwarderTest, InvalidConfigFailsCreate) {
  ForwarderConfig config = configFor(Transport::kUdp, 514);
  config.maxQueue = 0;

  const auto forwarder = EventForwarder::create(config, nullptr);

  EXPECT_EQ(forwarder.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace odscan::forwarding
