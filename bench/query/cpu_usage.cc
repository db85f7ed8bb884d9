#include "cpu_usage.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

namespace odscan::bench {
namespace {

double clockTicksPerSecond() {
  const long ticks = sysconf(_SC_CLK_TCK);
  return ticks > 0 ? static_cast<double>(ticks) : 100.0;
}

double secondsOf(const timeval& value) {
  return static_cast<double>(value.tv_sec) + static_cast<double>(value.tv_usec) / 1e6;
}

// Sums the busy fields of the first line of /proc/stat:
// "cpu user nice system idle iowait irq softirq steal guest guest_nice".
Result<double> readMachineBusySeconds() {
  std::ifstream file("/proc/stat");
  std::string line;
  if (!file || !std::getline(file, line) || line.rfind("cpu ", 0) != 0) {
    return Status(StatusCode::kIoError,
                  "cannot read the cpu line of /proc/stat; the CPU shares need Linux's /proc");
  }
  std::istringstream fields(line.substr(4));
  unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
                     steal = 0;
  fields >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  if (!fields) {
    return Status(StatusCode::kIoError,
                  "the cpu line of /proc/stat has fewer than 8 numbers: '" + line + "'");
  }
  const auto busy = user + nice + system + irq + softirq + steal;
  return static_cast<double>(busy) / clockTicksPerSecond();
}

// Reads utime and stime, fields 14 and 15 of /proc/PID/stat. The command name in
// field 2 may contain spaces and parentheses, so counting starts after its last ')'.
Result<double> readProcessSeconds(pid_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  std::ifstream file(path);
  std::string text;
  if (!file || !std::getline(file, text)) {
    return Status(StatusCode::kNotFound, "cannot read " + path + ": process " +
                                             std::to_string(pid) +
                                             " does not exist; pass the server's process id");
  }
  const auto nameEnd = text.rfind(')');
  if (nameEnd == std::string::npos) {
    return Status(StatusCode::kIoError, path + " has no command name in parentheses");
  }
  std::istringstream fields(text.substr(nameEnd + 1));
  std::string skipped;
  // Fields 3 to 13 come before utime.
  for (int field = 3; field <= 13; ++field) fields >> skipped;
  unsigned long long userTicks = 0, systemTicks = 0;
  fields >> userTicks >> systemTicks;
  if (!fields) return Status(StatusCode::kIoError, path + " has fewer than 15 fields");
  return static_cast<double>(userTicks + systemTicks) / clockTicksPerSecond();
}

}  // namespace

Result<CpuSample> sampleCpu(std::optional<pid_t> serverPid) {
  CpuSample sample;
  sample.time = std::chrono::steady_clock::now();

  auto machine = readMachineBusySeconds();
  if (!machine.ok()) return machine.status();
  sample.machineBusySeconds = *machine;

  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  sample.selfSeconds = secondsOf(usage.ru_utime) + secondsOf(usage.ru_stime);

  if (serverPid) {
    auto server = readProcessSeconds(*serverPid);
    if (!server.ok()) return server.status();
    sample.serverSeconds = *server;
  }
  return sample;
}

CpuShare cpuShareBetween(const CpuSample& start, const CpuSample& end) {
  CpuShare share;
  const long online = sysconf(_SC_NPROCESSORS_ONLN);
  share.cores = online > 0 ? static_cast<unsigned>(online) : 1;

  const double wall = std::chrono::duration<double>(end.time - start.time).count();
  if (wall <= 0) return share;
  const double machine = (end.machineBusySeconds - start.machineBusySeconds) / wall;
  share.loadGenerator = (end.selfSeconds - start.selfSeconds) / wall;
  double accounted = share.loadGenerator;
  if (start.serverSeconds && end.serverSeconds) {
    share.server = (*end.serverSeconds - *start.serverSeconds) / wall;
    accounted += *share.server;
  }
  // The counters tick at different granularities, so a small negative
  // difference is rounding, not a measurement.
  share.others = std::max(0.0, machine - accounted);
  return share;
}

}  // namespace odscan::bench
