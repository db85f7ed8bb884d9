// Worker: one thread running one io_context, the connections it owns, and the
// per-thread helpers they share (request ids, the Date header, the access log
// buffer). A periodic sweep closes connections whose deadline has passed; one
// timer per worker is cheaper than re-arming a timer per connection and request.
//
// Thread safety: everything except context() and the thread control is touched
// only on the worker's own thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "odscan/http/request_id.h"
#include "response_head.h"

namespace odscan::http {

struct ServerState;
class Worker;

using Clock = std::chrono::steady_clock;

// The part of a connection that the worker's sweep and stop() see. Connections
// link themselves into their worker's list on construction and unlink on
// destruction, both on the worker's thread.
class ConnectionBase {
 public:
  explicit ConnectionBase(Worker& worker);
  virtual ~ConnectionBase();
  ConnectionBase(const ConnectionBase&) = delete;
  ConnectionBase& operator=(const ConnectionBase&) = delete;

  // Cancels the pending I/O so that its completion handler handles the timeout.
  // The sweep calls it once the deadline has passed.
  virtual void expire() = 0;
  // Called when the server stops: closes the connection if it waits for a request.
  virtual void closeIfIdle() = 0;

  Clock::time_point deadline() const { return deadline_; }

 protected:
  void setDeadline(std::chrono::milliseconds timeout) { deadline_ = Clock::now() + timeout; }
  void clearDeadline() { deadline_ = Clock::time_point::max(); }

 private:
  friend class Worker;
  Worker& worker_;
  Clock::time_point deadline_ = Clock::time_point::max();
  // Intrusive list links; the worker owns the list, not the connections.
  ConnectionBase* previous_ = nullptr;
  ConnectionBase* next_ = nullptr;
};

class Worker {
 public:
  Worker(ServerState& state, std::size_t index);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  boost::asio::io_context& context() { return context_; }
  std::size_t index() const { return index_; }

  // Starts the sweep and the thread that runs the io_context.
  void start();
  // Asks the io_context to return and joins the thread.
  void stopAndJoin();

  // Creates the connection for a socket the acceptor assigned to this worker.
  // Runs on the worker's thread.
  void startConnection(boost::asio::ip::tcp::socket socket);
  // Runs on the worker's thread.
  void closeIdleConnections();

  RequestIdGenerator& requestIds() { return requestIds_; }
  HttpDateCache& date() { return date_; }
  // Reused for each access log line written on this thread.
  std::string& logLine() { return logLine_; }

 private:
  friend class ConnectionBase;
  void link(ConnectionBase* connection);
  void unlink(ConnectionBase* connection);
  void scheduleSweep();
  void sweep();

  ServerState& state_;
  const std::size_t index_;
  const std::chrono::milliseconds sweepInterval_;
  RequestIdGenerator requestIds_;
  HttpDateCache date_;
  std::string logLine_;
  ConnectionBase* connections_ = nullptr;
  // Declared after the list: destroying the context destroys the connections that
  // pending handlers still hold, and they unlink themselves from the list.
  boost::asio::io_context context_{1};
  boost::asio::steady_timer sweepTimer_{context_};
  std::thread thread_;
};

}  // namespace odscan::http
