// RunSchedule: the clock of one run, which every connection of every client
// thread follows. In a closed loop a connection sends its next request as soon
// as the previous response arrives. In an open loop the run has a fixed rate R,
// and request n of the whole run is due at start + n / R. The requests are dealt
// to the C connections in turn, so connection c sends requests c, c + C, c + 2C
// and so on. Latency in an open loop is measured from the due time, so a request
// that waits behind a slow response counts its wait.
//
// Thread safety: immutable once the client threads start.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace odscan::bench {

using Clock = std::chrono::steady_clock;

struct RunSchedule {
  Clock::time_point start;
  // End of the warm-up: only responses that arrive from here on are measured.
  Clock::time_point measureFrom;
  // No request is sent at or after this time, and responses after it are not
  // measured.
  Clock::time_point end;
  std::size_t connections = 1;
  // Open loop: time between two requests of the whole run (1 / R). Zero means
  // closed loop.
  std::chrono::nanoseconds interval{0};

  bool openLoop() const { return interval.count() > 0; }

  // Returns the time at which the `round`-th request of `connection` is due in
  // an open loop.
  Clock::time_point dueTime(std::size_t connection, std::uint64_t round) const {
    const auto sequence = static_cast<std::int64_t>(round * connections + connection);
    return start + interval * sequence;
  }
};

}  // namespace odscan::bench
