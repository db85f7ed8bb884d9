// runLoad(): one measured run of the load generator against a Smart Scan Server
// on this machine. It checks that the server accepts connections, starts the
// client threads on a common schedule (warm-up, then the measured window),
// samples the CPU counters at both ends of the window, and merges the threads'
// statistics.
//
// Thread safety: call from one thread; it starts and joins its own threads.
#pragma once

#include <sys/types.h>

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "cpu_usage.h"
#include "odscan/common/status.h"
#include "request_pool.h"
#include "run_statistics.h"

namespace odscan::bench {

struct LoadOptions {
  boost::asio::ip::tcp::endpoint server;
  std::size_t connections = 16;
  unsigned threads = 1;
  // Requests per second over all connections for an open loop; 0 for a closed
  // loop.
  double rate = 0;
  std::chrono::milliseconds warmup{2000};
  std::chrono::milliseconds duration{10000};
  std::chrono::milliseconds timeout{5000};
  // When set, the server's CPU time is measured as well.
  std::optional<pid_t> serverPid;
};

struct LoadResult {
  RunStatistics statistics;
  double measuredSeconds = 0;
  // Missing when /proc could not be read, and cpuError then gives the reason.
  std::optional<CpuShare> cpu;
  std::string cpuError;
};

// Fails with kUnreachable when no connection to the server can be opened, and
// with kInvalidArgument on options out of range. Errors during the run do not
// fail it; they are counted in the statistics.
Result<LoadResult> runLoad(const LoadOptions& options, const RequestPool& pool);

}  // namespace odscan::bench
