// PatternUpdater: checks a PatternSource for a newer Smart Scan Pattern on an
// interval and on request (SIGHUP), verifies what it fetched, and swaps it into
// the PatternStore. A failed check keeps the current pattern, logs why and counts
// the failure.
//
// A fetched pattern replaces the current one only when it verifies against the
// public key (signature and checksum, through SmartScanPattern::loadFromBytes),
// carries the version its source announced, and is newer than the current one.
// An older pattern is rejected so that a replayed old manifest cannot roll the
// server back.
//
// Ownership: owns the source and the background thread.
// Thread safety: every public method may be called from any thread; checks run
// one at a time.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "odscan/http/metrics_registry.h"
#include "odscan/pattern/signing_key.h"
#include "odscan/smartscan/pattern_source.h"
#include "odscan/smartscan/pattern_store.h"

namespace spdlog {
class logger;
}

namespace odscan::smartscan {

enum class UpdateOutcome { kUpdated, kUnchanged, kFailed };

class PatternUpdater {
 public:
  PatternUpdater(std::shared_ptr<PatternStore> store, PublicKey key,
                 std::unique_ptr<PatternSource> source, std::shared_ptr<spdlog::logger> logger,
                 http::MetricsRegistry& metrics);
  // Calls stop().
  ~PatternUpdater();
  PatternUpdater(const PatternUpdater&) = delete;
  PatternUpdater& operator=(const PatternUpdater&) = delete;

  // Runs one check on the calling thread and returns its outcome.
  UpdateOutcome checkNow();

  // Starts the background thread. It checks every `interval` (never when the
  // interval is zero), at once when `checkAtStart` is set, and whenever
  // requestCheck() is called.
  void start(std::chrono::seconds interval, bool checkAtStart);

  // Wakes the background thread for a check; returns at once.
  void requestCheck();

  // Ends the background thread after the check in progress, if any.
  void stop();

  const PatternSource& source() const { return *source_; }

 private:
  void run(std::chrono::seconds interval, bool checkAtStart);
  // Returns kUpdated or kUnchanged, or the reason the check failed.
  Result<UpdateOutcome> fetchVerifyAndSwap();
  void count(UpdateOutcome outcome);

  std::shared_ptr<PatternStore> store_;
  PublicKey key_;
  std::unique_ptr<PatternSource> source_;
  std::shared_ptr<spdlog::logger> logger_;
  http::Counter& updated_;
  http::Counter& unchanged_;
  http::Counter& failed_;

  std::mutex checkMutex_;  // one check at a time

  std::mutex mutex_;  // guards the two flags below
  std::condition_variable wake_;
  bool checkRequested_ = false;
  bool stopRequested_ = false;
  std::thread thread_;
};

}  // namespace odscan::smartscan
