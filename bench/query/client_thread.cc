#include "client_thread.h"

#include <algorithm>
#include <exception>

namespace odscan::bench {
namespace {

// Timeouts fire at most this late. The sweep is cheap, since it only compares
// one time per connection.
constexpr std::chrono::milliseconds kSweepInterval{50};
// In an open loop a request leaves up to this long after its due time while the
// thread has nothing else to do. The measured latency includes that delay.
constexpr std::chrono::microseconds kPacingInterval{100};

}  // namespace

ClientThread::ClientThread(const ClientSettings& settings, const RequestPool& pool,
                           const RunSchedule& schedule,
                           const std::vector<std::size_t>& connectionIndexes)
    : settings_(settings), pool_(pool), schedule_(schedule) {
  connections_.reserve(connectionIndexes.size());
  for (const std::size_t index : connectionIndexes) {
    connections_.push_back(std::make_unique<LoadConnection>(*this, index));
  }
  active_ = connections_.size();
}

ClientThread::~ClientThread() { join(); }

void ClientThread::start() {
  thread_ = std::thread([this] { run(); });
}

void ClientThread::join() {
  if (thread_.joinable()) thread_.join();
}

void ClientThread::run() {
  // Connections start connecting at once; in an open loop the first requests
  // then wait for their due times.
  for (auto& connection : connections_) connection->start();
  if (active_ > 0) scheduleSweep();
  if (active_ > 0 && schedule_.openLoop()) schedulePacing(schedule_.start);
  try {
    context_.run();
  } catch (const std::exception& error) {
    // Handlers do not throw; if one does, the thread's figures are incomplete,
    // and the error is counted so that the run is reported as failed.
    statistics_.recordError("load generator failure", error.what());
  }
}

void ClientThread::connectionFinished() {
  if (active_ > 0) --active_;
  if (active_ == 0) {
    sweepTimer_.cancel();
    pacingTimer_.cancel();
  }
}

void ClientThread::schedulePacing(Clock::time_point tick) {
  pacingTimer_.expires_at(tick);
  pacingTimer_.async_wait([this, tick](const boost::system::error_code& error) {
    if (error || active_ == 0) return;
    const Clock::time_point now = Clock::now();
    for (auto& connection : connections_) connection->sendIfDue(now);

    // A thread that fell behind its ticks skips them instead of firing them all
    // at once.
    Clock::time_point next = tick + kPacingInterval;
    if (next <= now) next = now + kPacingInterval;
    schedulePacing(next);
  });
}

void ClientThread::scheduleSweep() {
  sweepTimer_.expires_after(kSweepInterval);
  sweepTimer_.async_wait([this](const boost::system::error_code& error) {
    if (error || active_ == 0) return;
    sweep();
    if (active_ > 0) scheduleSweep();
    if (active_ > 0 && schedule_.openLoop()) schedulePacing(schedule_.start);
  });
}

void ClientThread::sweep() {
  const Clock::time_point now = Clock::now();
  for (auto& connection : connections_) connection->checkDeadline(now);

  // A connection that still waits after the last response was due is stuck,
  // for example behind a server that stopped reading. It is ended so that the
  // run can end.
  if (now >= schedule_.end + settings_.timeout + kSweepInterval) {
    for (auto& connection : connections_) {
      if (!connection->finished()) {
        statistics_.recordError("timeout", "the connection was still busy when the run ended");
        connection->abort();
      }
    }
  }
}

}  // namespace odscan::bench
