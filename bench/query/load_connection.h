// LoadConnection: one keep-alive HTTP/1.1 connection of the load generator. It
// sends prepared scan queries one at a time (no pipelining, as scanners do),
// reads each response by its Content-Length, checks it and records the latency:
//
//   connect -> [wait for the due time] -> write -> read -> check -> next request
//
// Errors (refused connection, closed connection, timeout, non-200 status, a
// response that fails the check) are counted, and the connection reconnects and
// goes on until the run ends, so one bad response does not end a run.
//
// Ownership: owned by its ClientThread, which keeps it alive until the thread's
// io_context has run every pending handler.
// Thread safety: every member runs on the owning thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "request_pool.h"
#include "response_head.h"
#include "run_schedule.h"

namespace odscan::bench {

class ClientThread;

class LoadConnection {
 public:
  // `index` is the connection's number in the whole run, 0 to connections - 1.
  LoadConnection(ClientThread& thread, std::size_t index);
  LoadConnection(const LoadConnection&) = delete;
  LoadConnection& operator=(const LoadConnection&) = delete;

  void start();

  // Open loop: sends the request that waits for its due time once `now` has
  // reached that time. The thread's pacing tick calls it.
  void sendIfDue(Clock::time_point now);

  // Counts a timeout and closes the socket when a connect or a response is
  // overdue at `now`. The pending handler then reconnects.
  void checkDeadline(Clock::time_point now);

  // Ends the connection at once, whatever it is waiting for.
  void abort();

  bool finished() const { return finished_; }

 private:
  using ErrorCode = boost::system::error_code;

  void connect();
  void onConnect(const ErrorCode& error);
  void sendWhenDue();
  void send();
  void onWrite(const ErrorCode& error);
  void readMore();
  void onRead(const ErrorCode& error, std::size_t bytes);
  void handleBuffered();
  void completeResponse(const ResponseHead& head);

  // Returns true when a completion handler must return at once: the connection
  // has finished, or checkDeadline() closed it and a reconnect is now scheduled.
  bool handlerCancelled();
  void failAndReconnect(const std::string& kind, std::string_view detail);
  void reconnectAfter(std::chrono::milliseconds delay);
  void finish();
  void closeSocket();

  ClientThread& thread_;
  const std::size_t index_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer timer_;

  // Received bytes are buffer_[0, filled_).
  std::vector<char> buffer_;
  std::size_t filled_ = 0;

  std::size_t nextRequest_ = 0;
  std::uint64_t round_ = 0;  // open loop: requests this connection has sent
  const PreparedRequest* inFlight_ = nullptr;
  // Send time in a closed loop, due time in an open loop.
  Clock::time_point latencyStart_{};
  Clock::time_point deadline_ = Clock::time_point::max();
  bool waitingForDue_ = false;
  bool timedOut_ = false;
  bool finished_ = false;
};

}  // namespace odscan::bench
