// ClientThread: one thread of the load generator, with its own io_context, its
// share of the connections and its own RunStatistics, so that threads share
// nothing while the run lasts. Two timers per thread replace timers per request:
// a sweep that enforces every connection's timeout, and in an open loop a pacing
// tick that sends the requests whose due time has come.
//
// Thread safety: start() and join() are called by the runner's thread; all else
// runs on this thread. statistics() may be read after join().
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "load_connection.h"
#include "request_pool.h"
#include "run_schedule.h"
#include "run_statistics.h"

namespace odscan::bench {

struct ClientSettings {
  boost::asio::ip::tcp::endpoint server;
  std::chrono::milliseconds timeout{5000};
  // Largest response the generator accepts, head and body. A response to 1000
  // digests with long threat names stays far below it.
  std::size_t maxResponseBytes = std::size_t{8} * 1024 * 1024;
  std::size_t maxHeadBytes = std::size_t{16} * 1024;
};

class ClientThread {
 public:
  // The thread serves the connections with the given run-wide indexes.
  ClientThread(const ClientSettings& settings, const RequestPool& pool, const RunSchedule& schedule,
               const std::vector<std::size_t>& connectionIndexes);
  ~ClientThread();
  ClientThread(const ClientThread&) = delete;
  ClientThread& operator=(const ClientThread&) = delete;

  void start();
  void join();

  RunStatistics& statistics() { return statistics_; }

  // For the connections.
  boost::asio::io_context& context() { return context_; }
  const ClientSettings& settings() const { return settings_; }
  const RequestPool& pool() const { return pool_; }
  const RunSchedule& schedule() const { return schedule_; }
  void connectionFinished();

 private:
  void run();
  void scheduleSweep();
  void sweep();
  void schedulePacing(Clock::time_point tick);

  const ClientSettings& settings_;
  const RequestPool& pool_;
  const RunSchedule& schedule_;
  RunStatistics statistics_;
  boost::asio::io_context context_{1};
  boost::asio::steady_timer sweepTimer_{context_};
  boost::asio::steady_timer pacingTimer_{context_};
  // Declared after the io_context: connections are destroyed first, while the
  // context they were created with still exists.
  std::vector<std::unique_ptr<LoadConnection>> connections_;
  std::size_t active_ = 0;
  std::thread thread_;
};

}  // namespace odscan::bench
