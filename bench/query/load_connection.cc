#include "load_connection.h"

#include <algorithm>
#include <boost/asio/write.hpp>

#include "client_thread.h"
#include "response_check.h"

namespace odscan::bench {
namespace asio = boost::asio;

namespace {

// Pause before reconnecting after an error, so that a server that refuses or
// drops every connection is not hammered in a tight loop.
constexpr std::chrono::milliseconds kReconnectDelay{20};
constexpr std::size_t kInitialBufferBytes = std::size_t{64} * 1024;
// Bytes of an error response body kept as the example in the report.
constexpr std::size_t kMaxExampleBytes = 200;

}  // namespace

LoadConnection::LoadConnection(ClientThread& thread, std::size_t index)
    : thread_(thread),
      index_(index),
      socket_(thread.context()),
      timer_(thread.context()),
      buffer_(kInitialBufferBytes) {
  // Connections start at different places in the pool, so that they do not send
  // the same digests at the same moment.
  const RequestPool& pool = thread.pool();
  nextRequest_ = index * pool.size() / std::max<std::size_t>(thread.schedule().connections, 1);
}

void LoadConnection::start() { connect(); }

void LoadConnection::connect() {
  if (Clock::now() >= thread_.schedule().end) {
    finish();
    return;
  }
  filled_ = 0;
  deadline_ = Clock::now() + thread_.settings().timeout;
  socket_.async_connect(thread_.settings().server,
                        [this](const ErrorCode& error) { onConnect(error); });
}

void LoadConnection::onConnect(const ErrorCode& error) {
  if (handlerCancelled()) return;
  deadline_ = Clock::time_point::max();
  if (error) {
    failAndReconnect("connect failed", error.message());
    return;
  }
  ErrorCode ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  sendWhenDue();
}

void LoadConnection::sendWhenDue() {
  const RunSchedule& schedule = thread_.schedule();
  const Clock::time_point now = Clock::now();
  if (now >= schedule.end) {
    finish();
    return;
  }
  if (!schedule.openLoop()) {
    latencyStart_ = now;
    send();
    return;
  }

  // A connection that fell behind sends its overdue requests at once, and their
  // latency includes the delay.
  const Clock::time_point due = schedule.dueTime(index_, round_);
  if (due >= schedule.end) {
    finish();
    return;
  }
  ++round_;
  latencyStart_ = due;
  if (due <= now) {
    send();
    return;
  }
  // A timer per request would cost the generator about twice the CPU of the
  // closed loop, so the thread's pacing tick sends the request instead.
  waitingForDue_ = true;
}

void LoadConnection::sendIfDue(Clock::time_point now) {
  if (!waitingForDue_ || finished_ || latencyStart_ > now) return;
  waitingForDue_ = false;
  send();
}

void LoadConnection::send() {
  const RequestPool& pool = thread_.pool();
  inFlight_ = &pool.at(nextRequest_);
  nextRequest_ = (nextRequest_ + 1) % pool.size();

  deadline_ = Clock::now() + thread_.settings().timeout;
  asio::async_write(socket_, asio::buffer(inFlight_->bytes),
                    [this](const ErrorCode& error, std::size_t) { onWrite(error); });
}

void LoadConnection::onWrite(const ErrorCode& error) {
  if (handlerCancelled()) return;
  if (error) {
    failAndReconnect("connection lost", "while sending: " + error.message());
    return;
  }
  readMore();
}

void LoadConnection::readMore() {
  if (filled_ == buffer_.size()) {
    if (buffer_.size() >= thread_.settings().maxResponseBytes) {
      failAndReconnect(
          "invalid HTTP response",
          "response larger than " + std::to_string(thread_.settings().maxResponseBytes) + " bytes");
      return;
    }
    buffer_.resize(std::min(buffer_.size() * 2, thread_.settings().maxResponseBytes));
  }
  socket_.async_read_some(
      asio::buffer(buffer_.data() + filled_, buffer_.size() - filled_),
      [this](const ErrorCode& error, std::size_t bytes) { onRead(error, bytes); });
}

void LoadConnection::onRead(const ErrorCode& error, std::size_t bytes) {
  if (handlerCancelled()) return;
  if (error) {
    failAndReconnect("connection lost", "while waiting for the response: " + error.message());
    return;
  }
  filled_ += bytes;
  handleBuffered();
}

void LoadConnection::handleBuffered() {
  const std::string_view received(buffer_.data(), filled_);
  auto head = parseResponseHead(received, thread_.settings().maxHeadBytes);
  if (!head.ok()) {
    failAndReconnect("invalid HTTP response", head.status().message());
    return;
  }
  if (!head->has_value()) {
    readMore();
    return;
  }

  const ResponseHead& parsed = **head;
  const std::size_t total = parsed.headBytes + parsed.contentLength;
  if (total > thread_.settings().maxResponseBytes) {
    failAndReconnect("invalid HTTP response", "Content-Length " +
                                                  std::to_string(parsed.contentLength) +
                                                  " is larger than the generator accepts");
    return;
  }
  if (filled_ < total) {
    if (buffer_.size() < total) buffer_.resize(total);
    readMore();
    return;
  }
  if (filled_ > total) {
    failAndReconnect("invalid HTTP response",
                     "bytes after the end of the response, which the generator did not request");
    return;
  }
  completeResponse(parsed);
}

void LoadConnection::completeResponse(const ResponseHead& head) {
  const Clock::time_point now = Clock::now();
  deadline_ = Clock::time_point::max();
  const RunSchedule& schedule = thread_.schedule();
  const bool measured = now >= schedule.measureFrom && now < schedule.end;
  const std::string_view body(buffer_.data() + head.headBytes, head.contentLength);
  filled_ = 0;

  if (head.status != 200) {
    thread_.statistics().recordError("status " + std::to_string(head.status),
                                     body.substr(0, kMaxExampleBytes));
  } else {
    const ResponseCheck check =
        checkQueryResponse(body, thread_.pool().format(), inFlight_->expectedMalicious);
    if (check.failure != CheckFailure::kNone) {
      thread_.statistics().recordError(std::string(checkFailureName(check.failure)), check.detail);
    } else if (measured) {
      thread_.statistics().recordResponse(now - latencyStart_, inFlight_->expectedMalicious.size(),
                                          check.hits, check.patternVersion);
    }
  }

  if (head.closeConnection) {
    closeSocket();
    reconnectAfter(std::chrono::milliseconds(0));
    return;
  }
  sendWhenDue();
}

bool LoadConnection::handlerCancelled() {
  if (finished_) return true;
  if (!timedOut_) return false;

  // checkDeadline() has counted the timeout and closed the socket, which ended
  // the pending operation with an error.
  timedOut_ = false;
  reconnectAfter(kReconnectDelay);
  return true;
}

void LoadConnection::checkDeadline(Clock::time_point now) {
  if (finished_ || timedOut_ || deadline_ > now) return;
  thread_.statistics().recordError(
      "timeout",
      "no response within " + std::to_string(thread_.settings().timeout.count()) + " ms");
  timedOut_ = true;
  deadline_ = Clock::time_point::max();
  closeSocket();
}

void LoadConnection::failAndReconnect(const std::string& kind, std::string_view detail) {
  thread_.statistics().recordError(kind, detail);
  closeSocket();
  reconnectAfter(kReconnectDelay);
}

void LoadConnection::reconnectAfter(std::chrono::milliseconds delay) {
  deadline_ = Clock::time_point::max();
  if (Clock::now() + delay >= thread_.schedule().end) {
    finish();
    return;
  }
  timer_.expires_after(delay);
  timer_.async_wait([this](const ErrorCode& error) {
    if (finished_ || error) return;
    connect();
  });
}

void LoadConnection::abort() {
  if (finished_) return;
  timer_.cancel();
  finish();
}

void LoadConnection::finish() {
  if (finished_) return;
  finished_ = true;
  waitingForDue_ = false;
  deadline_ = Clock::time_point::max();
  closeSocket();
  thread_.connectionFinished();
}

void LoadConnection::closeSocket() {
  ErrorCode ignored;
  socket_.close(ignored);
}

}  // namespace odscan::bench
