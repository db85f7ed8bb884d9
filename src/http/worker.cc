#include "worker.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "connection.h"
#include "server_state.h"

namespace odscan::http {
namespace {

// The sweep runs often enough that a timeout fires at most about an eighth of the
// shortest timeout late, but not more often than every 5 ms.
std::chrono::milliseconds sweepIntervalFor(const HttpServerOptions& options) {
  const auto shortest = std::min(
      {options.headerTimeout, options.bodyTimeout, options.keepAliveTimeout, options.writeTimeout});
  return std::clamp(shortest / 8, std::chrono::milliseconds(5), std::chrono::milliseconds(250));
}

std::string peerText(const boost::asio::ip::tcp::socket& socket) {
  boost::system::error_code error;
  const auto endpoint = socket.remote_endpoint(error);
  if (error) return "unknown";
  const auto address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

}  // namespace

ConnectionBase::ConnectionBase(Worker& worker) : worker_(worker) { worker_.link(this); }

ConnectionBase::~ConnectionBase() { worker_.unlink(this); }

Worker::Worker(ServerState& state, std::size_t index)
    : state_(state), index_(index), sweepInterval_(sweepIntervalFor(state.options)) {}

Worker::~Worker() { stopAndJoin(); }

void Worker::start() {
  scheduleSweep();
  thread_ = std::thread([this] {
    const auto guard = boost::asio::make_work_guard(context_);
    while (true) {
      try {
        context_.run();
        return;
      } catch (const std::exception& error) {
        // Handlers catch their own errors. This loop keeps the worker alive if one
        // slips through, because a dead worker would strand its connections.
        state_.logger->error("HTTP worker {} caught an unexpected error: {}", index_, error.what());
      }
    }
  });
}

void Worker::stopAndJoin() {
  context_.stop();
  if (thread_.joinable()) thread_.join();
}

void Worker::startConnection(boost::asio::ip::tcp::socket socket) {
  std::string peer = peerText(socket);
  if (state_.tls) {
    auto connection = std::make_shared<Connection<TlsStream>>(
        state_, *this, TlsStream(std::move(socket), *state_.tls), std::move(peer));
    connection->start();
  } else {
    auto connection = std::make_shared<Connection<PlainStream>>(state_, *this, std::move(socket),
                                                                std::move(peer));
    connection->start();
  }
}

void Worker::closeIdleConnections() {
  for (ConnectionBase* connection = connections_; connection != nullptr;
       connection = connection->next_) {
    connection->closeIfIdle();
  }
}

void Worker::link(ConnectionBase* connection) {
  connection->next_ = connections_;
  if (connections_ != nullptr) connections_->previous_ = connection;
  connections_ = connection;
}

void Worker::unlink(ConnectionBase* connection) {
  if (connection->previous_ != nullptr) {
    connection->previous_->next_ = connection->next_;
  } else {
    connections_ = connection->next_;
  }
  if (connection->next_ != nullptr) connection->next_->previous_ = connection->previous_;
  connection->previous_ = nullptr;
  connection->next_ = nullptr;
}

void Worker::scheduleSweep() {
  sweepTimer_.expires_after(sweepInterval_);
  sweepTimer_.async_wait([this](boost::system::error_code error) {
    if (error) return;
    sweep();
    scheduleSweep();
  });
}

void Worker::sweep() {
  // expire() only cancels I/O, and the completion handlers run later. So no
  // connection leaves the list while this loop walks it.
  const auto now = Clock::now();
  for (ConnectionBase* connection = connections_; connection != nullptr;
       connection = connection->next_) {
    if (connection->deadline() <= now) connection->expire();
  }
}

}  // namespace odscan::http
