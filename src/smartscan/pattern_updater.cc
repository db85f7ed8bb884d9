#include "odscan/smartscan/pattern_updater.h"

#include <spdlog/spdlog.h>

namespace odscan::smartscan {

PatternUpdater::PatternUpdater(std::shared_ptr<PatternStore> store, PublicKey key,
                               std::unique_ptr<PatternSource> source,
                               std::shared_ptr<spdlog::logger> logger,
                               http::MetricsRegistry& metrics)
    : store_(std::move(store)),
      key_(std::move(key)),
      source_(std::move(source)),
      logger_(std::move(logger)),
      updated_(metrics.counter("odscan_smartscan_pattern_updates_total",
                               "Checks for a newer Smart Scan Pattern, by result",
                               {{"result", "updated"}})),
      unchanged_(
          metrics.counter("odscan_smartscan_pattern_updates_total", "", {{"result", "unchanged"}})),
      failed_(
          metrics.counter("odscan_smartscan_pattern_updates_total", "", {{"result", "failed"}})) {}

PatternUpdater::~PatternUpdater() { stop(); }

UpdateOutcome PatternUpdater::checkNow() {
  std::lock_guard lock(checkMutex_);
  Result<UpdateOutcome> outcome = fetchVerifyAndSwap();
  if (!outcome.ok()) {
    const auto current = store_->current();
    logger_->warn("pattern update from '{}' failed, keeping {}: {}", source_->location(),
                  current ? "version " + std::to_string(current->pattern.version())
                          : std::string("no pattern"),
                  outcome.status().toString());
    count(UpdateOutcome::kFailed);
    return UpdateOutcome::kFailed;
  }
  count(*outcome);
  return *outcome;
}

Result<UpdateOutcome> PatternUpdater::fetchVerifyAndSwap() {
  const auto current = store_->current();
  const std::uint64_t currentVersion = current ? current->pattern.version() : 0;

  auto fetched = source_->fetchNewer(currentVersion);
  if (!fetched.ok()) return fetched.status();
  if (!fetched->has_value()) {
    logger_->debug("pattern source '{}' has nothing newer than version {}", source_->location(),
                   currentVersion);
    return UpdateOutcome::kUnchanged;
  }

  const FetchedPattern& file = **fetched;
  auto pattern = SmartScanPattern::loadFromBytes(file.bytes, key_, file.origin);
  if (!pattern.ok()) return pattern.status();
  const std::uint64_t version = pattern->version();
  if (file.announcedVersion && *file.announcedVersion != version) {
    return Status(StatusCode::kCorrupt, "'" + file.origin + "' holds pattern version " +
                                            std::to_string(version) + " but the source lists " +
                                            std::to_string(*file.announcedVersion) +
                                            "; republish the pattern");
  }
  if (version == currentVersion) {
    logger_->debug("pattern '{}' is version {}, which is already loaded", file.origin, version);
    return UpdateOutcome::kUnchanged;
  }
  if (version < currentVersion) {
    return Status(StatusCode::kInvalidArgument,
                  "'" + file.origin + "' holds pattern version " + std::to_string(version) +
                      ", older than the loaded version " + std::to_string(currentVersion) +
                      "; restart the server with that file to roll back on purpose");
  }

  auto loaded = std::make_shared<const LoadedPattern>(
      LoadedPattern{std::move(pattern).value(), file.origin, std::chrono::system_clock::now()});
  const std::size_t signatures = loaded->pattern.signatureCount();
  store_->replace(std::move(loaded));
  logger_->info("Smart Scan Pattern updated from version {} to {} ({} signatures) from '{}'",
                currentVersion, version, signatures, file.origin);
  return UpdateOutcome::kUpdated;
}

void PatternUpdater::count(UpdateOutcome outcome) {
  switch (outcome) {
    case UpdateOutcome::kUpdated:
      updated_.increment();
      break;
    case UpdateOutcome::kUnchanged:
      unchanged_.increment();
      break;
    case UpdateOutcome::kFailed:
      failed_.increment();
      break;
  }
}

void PatternUpdater::start(std::chrono::seconds interval, bool checkAtStart) {
  stop();
  {
    std::lock_guard lock(mutex_);
    stopRequested_ = false;
    checkRequested_ = false;
  }
  thread_ = std::thread([this, interval, checkAtStart] { run(interval, checkAtStart); });
}

void PatternUpdater::requestCheck() {
  {
    std::lock_guard lock(mutex_);
    checkRequested_ = true;
  }
  wake_.notify_one();
}

void PatternUpdater::stop() {
  {
    std::lock_guard lock(mutex_);
    stopRequested_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void PatternUpdater::run(std::chrono::seconds interval, bool checkAtStart) {
  if (checkAtStart) checkNow();
  auto nextPoll = std::chrono::steady_clock::now() + interval;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      const auto woken = [this] { return stopRequested_ || checkRequested_; };
      if (interval.count() > 0) {
        wake_.wait_until(lock, nextPoll, woken);
      } else {
        wake_.wait(lock, woken);
      }
      if (stopRequested_) return;
      checkRequested_ = false;
    }
    checkNow();
    // A requested check also counts as the poll, so a SIGHUP right before the
    // interval ends does not cause two downloads in a row.
    nextPoll = std::chrono::steady_clock::now() + interval;
  }
}

}  // namespace odscan::smartscan
