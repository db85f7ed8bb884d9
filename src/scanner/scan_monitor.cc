#include "odscan/scanner/scan_monitor.h"

#include <fmt/format.h>

#include "odscan/scanner/formatting.h"

namespace odscan::scanner {
namespace {

// How often the interrupt flag is polled, so Ctrl+C takes effect quickly even when
// progress is not shown.
constexpr std::chrono::milliseconds kPollInterval(100);

}  // namespace

std::string formatProgressLine(const ScanProgress& progress, const VerdictCounts& counts,
                               std::chrono::milliseconds elapsed, const std::string& currentPath) {
  std::string line = fmt::format("{} files, {}, {}", progress.files, formatBytes(progress.bytes),
                                 formatRate(progress.bytes, elapsed));
  if (counts.infected > 0) line += fmt::format(", {} found", counts.infected);
  if (currentPath.empty() || line.size() + 2 >= kProgressLineWidth) return line;

  line += ": ";
  return line + elideMiddle(currentPath, kProgressLineWidth - line.size());
}

ScanMonitor::ScanMonitor(Console& console, ResultReporter& reporter, Hooks hooks,
                         const std::atomic<bool>* interrupt,
                         std::chrono::milliseconds redrawInterval)
    : console_(console),
      reporter_(reporter),
      hooks_(std::move(hooks)),
      interrupt_(interrupt),
      redrawInterval_(redrawInterval) {}

ScanMonitor::~ScanMonitor() { stop(); }

void ScanMonitor::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void ScanMonitor::stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  console_.clearProgress();
}

void ScanMonitor::run() {
  auto nextRedraw = std::chrono::steady_clock::now();
  std::unique_lock lock(mutex_);
  // The first pass runs even when stop() came first, so a terminal always shows
  // progress at least once, however short the scan.
  do {
    if (interrupt_ != nullptr && interrupt_->load() && !interrupted_.exchange(true)) {
      hooks_.cancel();
    }
    const bool reports = console_.showsProgress() || hooks_.observe != nullptr;
    if (reports && std::chrono::steady_clock::now() >= nextRedraw) {
      redraw();
      nextRedraw = std::chrono::steady_clock::now() + redrawInterval_;
    }
    wake_.wait_for(lock, std::min(kPollInterval, redrawInterval_), [this] { return stopping_; });
  } while (!stopping_);
}

void ScanMonitor::redraw() {
  ScanProgressUpdate update;
  update.progress = hooks_.progress();
  update.counts = reporter_.counts();
  update.currentPath = reporter_.currentPath();
  update.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started_);

  if (console_.showsProgress()) {
    console_.showProgress(
        formatProgressLine(update.progress, update.counts, update.elapsed, update.currentPath));
  }
  if (hooks_.observe) hooks_.observe(update);
  // The next result to finish publishes its path for the following redraw.
  reporter_.requestCurrentPath();
}

}  // namespace odscan::scanner
