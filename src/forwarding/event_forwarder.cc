#include "odscan/forwarding/event_forwarder.h"

#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <deque>
#include <mutex>
#include <random>
#include <thread>

#include "odscan/forwarding/syslog_formatter.h"
#include "socket_io.h"

namespace odscan::forwarding {
namespace {

using Clock = std::chrono::steady_clock;

// A full queue is reported at most this often, with the count since the last line.
constexpr std::chrono::seconds kDropReportInterval{10};
// While the collector stays unreachable, a reminder is logged this often; the
// attempts in between are logged at debug level.
constexpr std::chrono::seconds kOutageReminderInterval{60};

double toSeconds(std::chrono::milliseconds duration) {
  return std::chrono::duration<double>(duration).count();
}

// OpenSSL writes to the socket with write(), which raises SIGPIPE when the
// collector has reset the connection. SIGPIPE from a write is sent to the
// writing thread, so blocking it here keeps the console alive and the write
// fails with EPIPE instead.
void blockSigpipeOnThisThread() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

}  // namespace

class EventForwarder::Impl {
 public:
  Impl(ForwarderConfig config, std::shared_ptr<spdlog::logger> logger,
       std::unique_ptr<CollectorConnection> connection, detail::UniqueFd cancelFd)
      : config_(std::move(config)),
        logger_(std::move(logger)),
        connection_(std::move(connection)),
        collector_(connection_->describe()),
        formatter_(config_, config_.hostname.empty() ? localHostName() : config_.hostname,
                   static_cast<long>(::getpid())),
        cancelFd_(std::move(cancelFd)),
        backoff_(config_.reconnectMin),
        random_(std::random_device{}()) {}

  void start() {
    logger_->info("forwarding console events to syslog collector {} as {} (queue of {} events)",
                  collector_, messageFormatName(config_.format), config_.maxQueue);
    thread_ = std::thread([this] { run(); });
  }

  bool forward(ConsoleEvent event) {
    {
      std::lock_guard lock(mutex_);
      if (accepting_ && queue_.size() < config_.maxQueue) {
        queue_.push_back(std::move(event));
        accepted_.fetch_add(1, std::memory_order_relaxed);
        workReady_.notify_one();
        return true;
      }
    }
    dropped_.fetch_add(1, std::memory_order_relaxed);
    droppedSinceReport_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }

  Status flush(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (idle_.wait_for(lock, timeout, [this] { return queue_.empty() && !inFlight_; })) {
      return Status::success();
    }
    return Status(StatusCode::kTimeout, std::to_string(waitingLocked()) +
                                            " events are still waiting for " + collector_ +
                                            " after " + std::to_string(timeout.count()) +
                                            " ms; check that the collector is reachable");
  }

  Status stop(std::chrono::milliseconds timeout);
  ForwarderCounters counters() const;
  const ForwarderConfig& config() const { return config_; }

 private:
  void run();
  bool takeNext(ConsoleEvent& event);
  bool deliver(const std::string& message);
  bool ensureConnected();
  bool sendUdp(const std::string& message);
  void noteFailure(const Status& error);
  void noteConnected();
  void waitBackoff();
  void reportDrops();
  IoLimits limitsFor(std::chrono::milliseconds timeout) const {
    return IoLimits{Clock::now() + timeout, cancelFd_.get()};
  }
  bool abandoned() const {
    std::lock_guard lock(mutex_);
    return abandon_;
  }
  std::size_t waitingLocked() const { return queue_.size() + (inFlight_ ? 1 : 0); }

  const ForwarderConfig config_;
  const std::shared_ptr<spdlog::logger> logger_;
  const std::unique_ptr<CollectorConnection> connection_;
  const std::string collector_;
  const SyslogFormatter formatter_;
  const detail::UniqueFd cancelFd_;

  mutable std::mutex mutex_;
  std::condition_variable workReady_;  // the thread waits for events or stop
  std::condition_variable idle_;       // flush() and stop() wait for an empty queue
  std::deque<ConsoleEvent> queue_;
  bool inFlight_ = false;
  bool accepting_ = true;
  bool abandon_ = false;

  std::mutex stopMutex_;  // serializes stop() calls
  bool stopped_ = false;
  std::thread thread_;

  std::atomic<std::uint64_t> accepted_{0};
  std::atomic<std::uint64_t> sent_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> failed_{0};
  std::atomic<std::uint64_t> connectionFailures_{0};
  std::atomic<std::uint64_t> droppedSinceReport_{0};
  std::atomic<bool> connected_{false};

  // Used by the thread only.
  std::chrono::milliseconds backoff_;
  std::minstd_rand random_;
  std::uint64_t failuresInOutage_ = 0;
  Clock::time_point lastOutageLog_;
  std::optional<Clock::time_point> lastDropReport_;
};

void EventForwarder::Impl::run() {
  blockSigpipeOnThisThread();
  ConsoleEvent event;
  while (takeNext(event)) {
    reportDrops();
    const bool delivered = deliver(formatter_.format(event));
    (delivered ? sent_ : failed_).fetch_add(1, std::memory_order_relaxed);

    std::lock_guard lock(mutex_);
    inFlight_ = false;
    if (queue_.empty()) idle_.notify_all();
  }
  reportDrops();
  connection_->close();
  connected_.store(false);
}

// Takes the next event, or returns false when the forwarder stops: the queue is
// empty after stop(), or stop() gave up waiting.
bool EventForwarder::Impl::takeNext(ConsoleEvent& event) {
  std::unique_lock lock(mutex_);
  workReady_.wait(lock, [this] { return abandon_ || !queue_.empty() || !accepting_; });
  if (abandon_ || queue_.empty()) {
    failed_.fetch_add(queue_.size(), std::memory_order_relaxed);
    queue_.clear();
    idle_.notify_all();
    return false;
  }
  event = std::move(queue_.front());
  queue_.pop_front();
  inFlight_ = true;
  return true;
}

// Sends one message, reconnecting as often as needed. Returns false when the
// message is given up: a UDP send failed, or stop() stopped waiting.
bool EventForwarder::Impl::deliver(const std::string& message) {
  if (config_.transport == Transport::kUdp) return ensureConnected() && sendUdp(message);

  while (ensureConnected()) {
    Status sent = connection_->send(message, limitsFor(config_.writeTimeout));
    if (sent.ok()) {
      backoff_ = config_.reconnectMin;
      return true;
    }
    if (abandoned()) return false;
    connected_.store(false);
    noteFailure(sent);
    waitBackoff();
  }
  return false;
}

// Opens the connection when it is closed, waiting out the backoff after each
// failure. Returns false only when stop() stopped waiting.
bool EventForwarder::Impl::ensureConnected() {
  while (!abandoned()) {
    if (connection_->isOpen()) return true;
    connected_.store(false);
    Status opened = connection_->open(limitsFor(config_.connectTimeout));
    if (opened.ok()) {
      noteConnected();
      return true;
    }
    if (abandoned()) return false;
    noteFailure(opened);
    waitBackoff();
  }
  return false;
}

// A failed datagram is sent once more, because a connected UDP socket reports
// an ICMP error for an earlier datagram on the next send, which then fails.
bool EventForwarder::Impl::sendUdp(const std::string& message) {
  Status sent;
  for (int attempt = 0; attempt < 2; ++attempt) {
    sent = connection_->send(message, limitsFor(config_.writeTimeout));
    if (sent.ok()) return true;
  }
  noteFailure(sent);
  return false;
}

void EventForwarder::Impl::noteFailure(const Status& error) {
  connectionFailures_.fetch_add(1, std::memory_order_relaxed);
  ++failuresInOutage_;
  const Clock::time_point now = Clock::now();
  std::size_t waiting = 0;
  {
    std::lock_guard lock(mutex_);
    waiting = waitingLocked();
  }

  if (failuresInOutage_ == 1) {
    lastOutageLog_ = now;
    logger_->warn(
        "cannot deliver events to syslog collector {}: {}; {} events waiting, retrying with "
        "backoff from {} s up to {} s. Check that the collector runs and accepts {} on {}, or "
        "fix syslog.collector in the console config",
        collector_, error.message(), waiting, toSeconds(config_.reconnectMin),
        toSeconds(config_.reconnectMax), transportName(config_.transport),
        config_.collector.toString());
  } else if (now - lastOutageLog_ >= kOutageReminderInterval) {
    lastOutageLog_ = now;
    logger_->warn(
        "syslog collector {} is still unreachable after {} attempts: {}; {} events waiting",
        collector_, failuresInOutage_, error.message(), waiting);
  } else {
    logger_->debug("syslog collector {}: attempt {} failed: {}", collector_, failuresInOutage_,
                   error.message());
  }
}

void EventForwarder::Impl::noteConnected() {
  connected_.store(true);
  if (failuresInOutage_ > 0 && config_.transport != Transport::kUdp) {
    logger_->info("connected to syslog collector {} after {} failed attempts", collector_,
                  failuresInOutage_);
  } else {
    logger_->debug("connected to syslog collector {}", collector_);
  }
  failuresInOutage_ = 0;
}

// Sleeps for the current backoff with 20 % jitter, so that consoles restarted
// together do not reconnect in step, then doubles it up to reconnectMax.
void EventForwarder::Impl::waitBackoff() {
  std::uniform_real_distribution<double> jitter(0.8, 1.0);
  const auto delay =
      std::chrono::duration_cast<std::chrono::milliseconds>(backoff_ * jitter(random_));
  backoff_ = std::min(backoff_ * 2, config_.reconnectMax);

  std::unique_lock lock(mutex_);
  workReady_.wait_for(lock, delay, [this] { return abandon_; });
  lock.unlock();
  reportDrops();
}

void EventForwarder::Impl::reportDrops() {
  if (droppedSinceReport_.load(std::memory_order_relaxed) == 0) return;
  const Clock::time_point now = Clock::now();
  if (lastDropReport_ && now - *lastDropReport_ < kDropReportInterval) return;

  lastDropReport_ = now;
  const std::uint64_t dropped = droppedSinceReport_.exchange(0, std::memory_order_relaxed);
  logger_->warn(
      "dropped {} events for syslog collector {} because the queue was full ({} events, "
      "syslog.max_queue); the collector is unreachable or slower than the event rate. Raise "
      "syslog.max_queue in the console config, or check the collector",
      dropped, collector_, config_.maxQueue);
}

Status EventForwarder::Impl::stop(std::chrono::milliseconds timeout) {
  std::lock_guard stopLock(stopMutex_);
  if (stopped_) return Status::success();

  std::unique_lock lock(mutex_);
  accepting_ = false;
  workReady_.notify_all();
  const bool drained =
      idle_.wait_for(lock, timeout, [this] { return queue_.empty() && !inFlight_; });
  const std::size_t abandoned = waitingLocked();
  if (!drained) {
    abandon_ = true;
    workReady_.notify_all();
    const std::uint64_t cancelSignal = 1;
    // Wakes a connect or send that waits in poll().
    [[maybe_unused]] const ssize_t written =
        ::write(cancelFd_.get(), &cancelSignal, sizeof(cancelSignal));
  }
  lock.unlock();

  if (thread_.joinable()) thread_.join();
  stopped_ = true;
  const ForwarderCounters totals = counters();
  logger_->info("stopped forwarding to syslog collector {}: {} sent, {} dropped, {} failed",
                collector_, totals.sent, totals.dropped, totals.failed);
  if (drained) return Status::success();
  return Status(StatusCode::kTimeout,
                std::to_string(abandoned) + " events were not delivered to " + collector_ +
                    " within " + std::to_string(timeout.count()) + " ms and were discarded");
}

ForwarderCounters EventForwarder::Impl::counters() const {
  ForwarderCounters totals;
  totals.accepted = accepted_.load(std::memory_order_relaxed);
  totals.sent = sent_.load(std::memory_order_relaxed);
  totals.dropped = dropped_.load(std::memory_order_relaxed);
  totals.failed = failed_.load(std::memory_order_relaxed);
  totals.connectionFailures = connectionFailures_.load(std::memory_order_relaxed);
  totals.connected = connected_.load();
  std::lock_guard lock(mutex_);
  totals.queued = waitingLocked();
  return totals;
}

Result<std::unique_ptr<EventForwarder>> EventForwarder::create(
    ForwarderConfig config, std::shared_ptr<spdlog::logger> logger) {
  Status valid = validateForwarderConfig(config);
  if (!valid.ok()) return valid;
  auto connection = makeCollectorConnection(config);
  if (!connection.ok()) return connection.status();
  return create(std::move(config), std::move(logger), std::move(*connection));
}

Result<std::unique_ptr<EventForwarder>> EventForwarder::create(
    ForwarderConfig config, std::shared_ptr<spdlog::logger> logger,
    std::unique_ptr<CollectorConnection> connection) {
  Status valid = validateForwarderConfig(config);
  if (!valid.ok()) return valid;
  if (!connection) {
    return Status(StatusCode::kInvalidArgument, "EventForwarder::create needs a connection");
  }
  if (!logger) logger = std::make_shared<spdlog::logger>("forwarding");

  detail::UniqueFd cancelFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!cancelFd.valid()) {
    return Status(StatusCode::kIoError,
                  detail::systemError("cannot create the forwarder's eventfd", errno));
  }
  auto impl = std::make_unique<Impl>(std::move(config), std::move(logger), std::move(connection),
                                     std::move(cancelFd));
  impl->start();
  return std::unique_ptr<EventForwarder>(new EventForwarder(std::move(impl)));
}

EventForwarder::EventForwarder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

EventForwarder::~EventForwarder() {
  if (impl_) {
    [[maybe_unused]] Status stopped = impl_->stop(std::chrono::milliseconds(0));
  }
}

bool EventForwarder::forward(ConsoleEvent event) { return impl_->forward(std::move(event)); }

Status EventForwarder::flush(std::chrono::milliseconds timeout) { return impl_->flush(timeout); }

Status EventForwarder::stop(std::chrono::milliseconds timeout) { return impl_->stop(timeout); }

ForwarderCounters EventForwarder::counters() const { return impl_->counters(); }

const ForwarderConfig& EventForwarder::config() const { return impl_->config(); }

}  // namespace odscan::forwarding
