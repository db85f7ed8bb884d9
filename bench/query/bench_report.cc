#include "bench_report.h"

#include <fmt/format.h>

#include <string>

namespace odscan::bench {
namespace {

double milliseconds(std::chrono::nanoseconds duration) {
  return std::chrono::duration<double, std::milli>(duration).count();
}

std::string formatName(protocol::BodyFormat format) {
  return format == protocol::BodyFormat::kBinary ? "binary" : "json";
}

// Error kinds and examples are free text; the result line needs them as one
// token, so blanks become underscores.
std::string token(std::string_view text) {
  std::string result(text);
  for (char& c : result) {
    if (c == ' ' || c == '=' || c == '\t') c = '_';
  }
  return result;
}

struct Percentiles {
  double p50 = 0;
  double p90 = 0;
  double p99 = 0;
  double max = 0;
};

Percentiles percentilesOf(RunStatistics& statistics) {
  return Percentiles{milliseconds(statistics.latencyQuantile(0.50)),
                     milliseconds(statistics.latencyQuantile(0.90)),
                     milliseconds(statistics.latencyQuantile(0.99)),
                     milliseconds(statistics.maxLatency())};
}

void writeHeading(std::ostream& out, const ReportSettings& settings, const LoadResult& result) {
  const std::string loop = settings.rate > 0
                               ? fmt::format("open loop at {:.0f} requests/s", settings.rate)
                               : std::string("closed loop");
  out << fmt::format(
      "{}: {} connections, {} client thread{}, batches of {} digest{} ({}), {:.1f} s measured "
      "after {:.1f} s warm-up, {} prepared requests\n",
      loop, settings.connections, settings.threads, settings.threads == 1 ? "" : "s",
      settings.batchSize, settings.batchSize == 1 ? "" : "s", formatName(settings.format),
      result.measuredSeconds, settings.warmupSeconds, settings.poolRequests);
}

void writeErrors(std::ostream& out, const RunStatistics& statistics) {
  if (statistics.errorCount() == 0) {
    out << "errors:     none\n";
    return;
  }
  out << fmt::format("errors:     {} (warm-up included); THE FIGURES ARE NOT VALID\n",
                     statistics.errorCount());
  for (const auto& [kind, count] : statistics.errors()) {
    const std::string_view example = statistics.errorExample(kind);
    out << fmt::format("  {}: {}{}{}\n", kind, count, example.empty() ? "" : ", first: ", example);
  }
}

void writeCpu(std::ostream& out, const LoadResult& result) {
  if (!result.cpu) {
    out << "CPU:        not measured: " << result.cpuError << "\n";
    return;
  }
  const CpuShare& cpu = *result.cpu;
  out << fmt::format("CPU:        busy cores of {}: load generator {:.2f}", cpu.cores,
                     cpu.loadGenerator);
  if (cpu.server) out << fmt::format(", server {:.2f}", *cpu.server);
  out << fmt::format(", other processes {:.2f}", cpu.others);
  if (cpu.others >= 0.1 * cpu.cores) {
    out << fmt::format(" (CONTENDED: others used {:.0f}% of the cores)",
                       100.0 * cpu.others / cpu.cores);
  }
  out << "\n";
}

void writeResultLine(std::ostream& out, const ReportSettings& settings, const LoadResult& result,
                     const Percentiles& latency) {
  const RunStatistics& statistics = result.statistics;
  const double seconds = result.measuredSeconds > 0 ? result.measuredSeconds : 1.0;
  out << fmt::format(
      "result mode={} format={} batch={} connections={} threads={} target_rate={:.0f} "
      "requests={} seconds={:.3f} requests_per_second={:.1f} digests_per_second={:.0f} "
      "hit_share={:.4f} p50_ms={:.3f} p90_ms={:.3f} p99_ms={:.3f} max_ms={:.3f} errors={}",
      settings.rate > 0 ? "open" : "closed", formatName(settings.format), settings.batchSize,
      settings.connections, settings.threads, settings.rate, statistics.responses(), seconds,
      static_cast<double>(statistics.responses()) / seconds,
      static_cast<double>(statistics.digests()) / seconds,
      statistics.digests() > 0
          ? static_cast<double>(statistics.hits()) / static_cast<double>(statistics.digests())
          : 0.0,
      latency.p50, latency.p90, latency.p99, latency.max, statistics.errorCount());
  if (result.cpu) {
    out << fmt::format(" client_cpu={:.2f} other_cpu={:.2f} cores={}", result.cpu->loadGenerator,
                       result.cpu->others, result.cpu->cores);
    if (result.cpu->server) out << fmt::format(" server_cpu={:.2f}", *result.cpu->server);
  }
  for (const auto& [kind, count] : statistics.errors()) {
    out << " error_" << token(kind) << "=" << count;
  }
  out << "\n";
}

}  // namespace

void writeReport(std::ostream& out, const ReportSettings& settings, LoadResult& result) {
  RunStatistics& statistics = result.statistics;
  const double seconds = result.measuredSeconds > 0 ? result.measuredSeconds : 1.0;
  const double requestRate = static_cast<double>(statistics.responses()) / seconds;
  const Percentiles latency = percentilesOf(statistics);

  writeHeading(out, settings, result);
  out << fmt::format("requests:   {} responses = {:.1f} requests/s", statistics.responses(),
                     requestRate);
  if (settings.rate > 0) {
    out << fmt::format(" ({:.1f}% of the target rate)", 100.0 * requestRate / settings.rate);
  }
  out << "\n";
  out << fmt::format("digests:    {} = {:.0f} digests/s, {:.1f}% hits\n", statistics.digests(),
                     static_cast<double>(statistics.digests()) / seconds,
                     statistics.digests() > 0 ? 100.0 * static_cast<double>(statistics.hits()) /
                                                    static_cast<double>(statistics.digests())
                                              : 0.0);
  out << fmt::format("latency:    p50 {:.3f} ms, p90 {:.3f} ms, p99 {:.3f} ms, max {:.3f} ms{}\n",
                     latency.p50, latency.p90, latency.p99, latency.max,
                     settings.rate > 0 ? " (from the due time)" : "");
  if (statistics.responses() == 0) {
    out << "pattern:    no accepted responses\n";
  } else if (statistics.firstPatternVersion() == statistics.lastPatternVersion()) {
    out << "pattern:    version " << statistics.firstPatternVersion() << "\n";
  } else {
    out << fmt::format("pattern:    versions {} to {} (the server swapped patterns)\n",
                       statistics.firstPatternVersion(), statistics.lastPatternVersion());
  }
  writeCpu(out, result);
  writeErrors(out, statistics);
  writeResultLine(out, settings, result, latency);
}

}  // namespace odscan::bench
