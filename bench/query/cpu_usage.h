// CPU time counters of the machine, of this process and of the server process,
// read at the start and the end of the measured window. On a machine shared with
// other work they show whether the load generator, the server or someone else
// used the cores, which decides whether a figure can be trusted. Linux only: the
// counters come from /proc/stat and /proc/PID/stat.
//
// Thread safety: free functions without shared state.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>

#include "odscan/common/status.h"

namespace odscan::bench {

struct CpuSample {
  std::chrono::steady_clock::time_point time;
  // Busy time of all cores together (user, nice, system, irq, softirq, steal), in
  // seconds.
  double machineBusySeconds = 0;
  // User plus system time of this process, in seconds.
  double selfSeconds = 0;
  // User plus system time of the server process, when its id was given.
  std::optional<double> serverSeconds;
};

// Reads the counters. Fails with kIoError when /proc cannot be read and with
// kNotFound when the server process does not exist (any more).
Result<CpuSample> sampleCpu(std::optional<pid_t> serverPid);

// Average number of busy cores between two samples.
struct CpuShare {
  unsigned cores = 0;  // online cores (sysconf)
  double loadGenerator = 0;
  std::optional<double> server;
  // Busy cores that neither this process nor the server account for. It can
  // include kernel work for the loopback traffic (softirq time) that the kernel
  // charges to no process, so it is rarely exactly 0 on an idle machine.
  double others = 0;
};

CpuShare cpuShareBetween(const CpuSample& start, const CpuSample& end);

}  // namespace odscan::bench
