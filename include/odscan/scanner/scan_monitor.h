// ScanMonitor: a thread that runs beside ScanEngine::scan(). It redraws the
// progress line (files, bytes, rate, threats, the current path) a few times per
// second when the console shows progress, passes the same counters to an
// optional observer, and turns an interrupt request (Ctrl+C) into
// ScanEngine::cancel().
//
// Ownership: refers to the console, reporter and interrupt flag it is given; they
// must outlive it. The destructor stops the thread.
// Thread safety: start() and stop() from the thread that owns the monitor.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "odscan/engine/scan_engine.h"
#include "odscan/scanner/console.h"
#include "odscan/scanner/result_reporter.h"
#include "odscan/scanner/scan_observer.h"

namespace odscan::scanner {

// The progress line is kept below this many characters, so it never wraps on an
// 80-column terminal (a wrapped line cannot be redrawn with a carriage return).
inline constexpr std::size_t kProgressLineWidth = 79;

// Returns the progress line, for example
// "1234 files, 56.7 MiB, 12.3 MiB/s, 1 found: /home/user/...ads/setup.exe".
std::string formatProgressLine(const ScanProgress& progress, const VerdictCounts& counts,
                               std::chrono::milliseconds elapsed, const std::string& currentPath);

class ScanMonitor {
 public:
  struct Hooks {
    std::function<ScanProgress()> progress;  // ScanEngine::progress
    std::function<void()> cancel;            // ScanEngine::cancel
    // Optional; receives the counters at each redraw, also when the console shows
    // no progress line.
    std::function<void(const ScanProgressUpdate&)> observe = nullptr;
  };

  // `interrupt` may be null; when it becomes true the monitor cancels the scan once.
  ScanMonitor(Console& console, ResultReporter& reporter, Hooks hooks,
              const std::atomic<bool>* interrupt,
              std::chrono::milliseconds redrawInterval = std::chrono::milliseconds(250));
  ~ScanMonitor();
  ScanMonitor(const ScanMonitor&) = delete;
  ScanMonitor& operator=(const ScanMonitor&) = delete;

  void start();
  // Stops the thread and clears the progress line.
  void stop();

  // Returns true once the monitor has cancelled the scan because of an interrupt.
  bool interrupted() const { return interrupted_.load(); }

 private:
  void run();
  void redraw();

  Console& console_;
  ResultReporter& reporter_;
  Hooks hooks_;
  const std::atomic<bool>* interrupt_;
  const std::chrono::milliseconds redrawInterval_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::atomic<bool> interrupted_{false};
  std::thread thread_;
};

}  // namespace odscan::scanner
