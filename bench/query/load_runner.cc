#include "load_runner.h"

#include <boost/asio/io_context.hpp>
#include <memory>
#include <thread>
#include <vector>

#include "client_thread.h"
#include "run_schedule.h"

namespace odscan::bench {
namespace {

// Time for the client threads to start before the first request is due.
constexpr std::chrono::milliseconds kStartDelay{20};

Status checkOptions(const LoadOptions& options) {
  if (options.connections == 0) {
    return Status(StatusCode::kInvalidArgument, "the run needs at least 1 connection");
  }
  if (options.threads == 0) {
    return Status(StatusCode::kInvalidArgument, "the run needs at least 1 client thread");
  }
  if (!(options.rate >= 0.0) || options.rate > 1e9) {
    return Status(StatusCode::kInvalidArgument,
                  "the rate must be between 0 (closed loop) and 1e9 requests/s");
  }
  if (options.duration.count() <= 0 || options.timeout.count() <= 0 || options.warmup.count() < 0) {
    return Status(StatusCode::kInvalidArgument,
                  "the duration and timeout must be positive and the warm-up not negative");
  }
  return Status::success();
}

// Opens and closes one connection, so that a server that is not running is
// reported once and clearly instead of as thousands of connect errors.
Status probeServer(const boost::asio::ip::tcp::endpoint& server) {
  boost::asio::io_context context;
  boost::asio::ip::tcp::socket socket(context);
  boost::system::error_code error;
  socket.connect(server, error);
  if (error) {
    return Status(StatusCode::kUnreachable,
                  "cannot connect to " + server.address().to_string() + ":" +
                      std::to_string(server.port()) + ": " + error.message() +
                      "; start smartscan-server first and check the port");
  }
  socket.close(error);
  return Status::success();
}

RunSchedule makeSchedule(const LoadOptions& options) {
  RunSchedule schedule;
  schedule.start = Clock::now() + kStartDelay;
  schedule.measureFrom = schedule.start + options.warmup;
  schedule.end = schedule.measureFrom + options.duration;
  schedule.connections = options.connections;
  if (options.rate > 0) {
    schedule.interval = std::chrono::nanoseconds(static_cast<std::int64_t>(1e9 / options.rate));
  }
  return schedule;
}

}  // namespace

Result<LoadResult> runLoad(const LoadOptions& options, const RequestPool& pool) {
  if (Status status = checkOptions(options); !status.ok()) return status;
  if (Status status = probeServer(options.server); !status.ok()) return status;

  ClientSettings settings;
  settings.server = options.server;
  settings.timeout = options.timeout;
  const RunSchedule schedule = makeSchedule(options);

  // Connection i runs on thread i mod threads, so every thread gets a share of
  // the due times of an open loop.
  const std::size_t threadCount = std::min<std::size_t>(options.threads, options.connections);
  std::vector<std::vector<std::size_t>> indexes(threadCount);
  for (std::size_t i = 0; i < options.connections; ++i) indexes[i % threadCount].push_back(i);
  std::vector<std::unique_ptr<ClientThread>> threads;
  threads.reserve(threadCount);
  for (const auto& share : indexes) {
    threads.push_back(std::make_unique<ClientThread>(settings, pool, schedule, share));
  }
  for (auto& thread : threads) thread->start();

  std::this_thread::sleep_until(schedule.measureFrom);
  auto before = sampleCpu(options.serverPid);
  std::this_thread::sleep_until(schedule.end);
  auto after = sampleCpu(options.serverPid);
  for (auto& thread : threads) thread->join();

  LoadResult result;
  result.measuredSeconds =
      std::chrono::duration<double>(schedule.end - schedule.measureFrom).count();
  for (auto& thread : threads) result.statistics.merge(thread->statistics());
  if (before.ok() && after.ok()) {
    result.cpu = cpuShareBetween(*before, *after);
  } else {
    result.cpuError = (before.ok() ? after.status() : before.status()).message();
  }
  return result;
}

}  // namespace odscan::bench
