#include "odscan/scanner/result_reporter.h"

#include <algorithm>
#include <cstring>

#include "odscan/scanner/scan_report.h"

namespace odscan::scanner {

std::string resultLine(const ScanResult& result) {
  switch (result.verdict) {
    case Verdict::kInfected:
      return result.path + ": " + result.threatName + " FOUND";
    case Verdict::kUnresolved:
      return result.path + ": unresolved (scan query needed)";
    case Verdict::kBypassed:
      return result.path + ": bypassed (no Smart Scan Server answered)";
    case Verdict::kNotScanned: {
      std::string line =
          result.path + ": not scanned (" + std::string(skipReasonName(result.reason));
      if (!result.detail.empty()) line += ": " + result.detail;
      return line + ")";
    }
    case Verdict::kClean:
      break;
  }
  return result.path + ": clean";
}

ResultReporter::ResultReporter(Console& console, Session& session, bool infectedOnly)
    : console_(console), session_(session), infectedOnly_(infectedOnly) {}

void ResultReporter::onResult(const ScanResult& result) {
  if (pathRequested_.load(std::memory_order_relaxed) &&
      pathRequested_.exchange(false, std::memory_order_relaxed)) {
    publishPath(result.path);
  }

  if (result.depth == 0 && result.verdict != Verdict::kNotScanned) {
    filesScanned_.fetch_add(1, std::memory_order_relaxed);
  }

  counterOf(result.verdict).fetch_add(1, std::memory_order_relaxed);
  if (result.verdict != Verdict::kClean) recordFinding(result);
}

std::atomic<std::uint64_t>& ResultReporter::counterOf(Verdict verdict) {
  switch (verdict) {
    case Verdict::kClean:
      return clean_;
    case Verdict::kInfected:
      return infected_;
    case Verdict::kUnresolved:
      return unresolved_;
    case Verdict::kNotScanned:
      return notScanned_;
    case Verdict::kBypassed:
      return bypassed_;
  }
  return notScanned_;
}

void ResultReporter::updateResult(const ScanResult& updated, Verdict previous) {
  counterOf(previous).fetch_sub(1, std::memory_order_relaxed);
  counterOf(updated.verdict).fetch_add(1, std::memory_order_relaxed);

  const std::string line = resultLine(updated);
  std::lock_guard lock(findingsMutex_);
  auto stored = std::find_if(findings_.begin(), findings_.end(), [&](const ScanResult& finding) {
    return finding.path == updated.path && finding.file == updated.file;
  });
  if (updated.verdict == Verdict::kClean) {
    if (stored != findings_.end()) findings_.erase(stored);
  } else if (stored != findings_.end()) {
    *stored = updated;
  } else {
    findings_.push_back(updated);
  }

  session_.logger().info(
      "verdict of '{}' changed from {} to {} ({})", updated.path, verdictName(previous),
      verdictName(updated.verdict),
      updated.verdict == Verdict::kInfected
          ? updated.threatName + " by " + std::string(detectionSourceName(updated.source))
          : std::string(detectionSourceName(updated.source)));
  nlohmann::ordered_json fields = resultToJson(updated);
  fields["previous_verdict"] = verdictName(previous);
  session_.events().write("verdict_updated", std::move(fields));

  if (!infectedOnly_ || updated.verdict == Verdict::kInfected) {
    console_.printLine(updated.verdict == Verdict::kClean
                           ? updated.path + ": clean (answered after the bypass)"
                           : line);
  }
}

void ResultReporter::recordFinding(const ScanResult& result) {
  const std::string line = resultLine(result);
  std::lock_guard lock(findingsMutex_);
  findings_.push_back(result);

  if (result.verdict == Verdict::kInfected) {
    session_.logger().warn("threat found: {} in '{}' ({})", result.threatName, result.path,
                           detectionSourceName(result.source));
  } else {
    session_.logger().info("{}", line);
  }
  session_.events().write("result", resultToJson(result));

  if (!infectedOnly_ || result.verdict == Verdict::kInfected) console_.printLine(line);
}

void ResultReporter::onEvent(const ScanEvent& event) {
  // A missing root is always printed: the user typed it, and there are few roots.
  if (event.kind == ScanEvent::Kind::kRootNotFound) {
    console_.printError("odscan: '" + event.path + "' not found; check the path");
  }

  std::lock_guard lock(findingsMutex_);
  const std::uint64_t countOfKind = ++eventCounts_[event.kind];
  recordEventLocked(event, countOfKind);
}

void ResultReporter::recordEventLocked(const ScanEvent& event, std::uint64_t countOfKind) {
  const std::string_view kind = scanEventKindName(event.kind);
  if (countOfKind == kMaxLoggedEventsPerKind + 1) {
    session_.logger().info(
        "{} events after the first {} are counted, not logged; the total is "
        "in the summary and report.json",
        kind, kMaxLoggedEventsPerKind);
    session_.events().write("problem_limit_reached",
                            {{"kind", kind}, {"logged", kMaxLoggedEventsPerKind}});
  }
  if (countOfKind > kMaxLoggedEventsPerKind) return;

  events_.push_back(event);
  // Skipped links are routine, but loops, missing roots and cancellation are not.
  const auto level =
      event.kind == ScanEvent::Kind::kSymlinkSkipped ? spdlog::level::info : spdlog::level::warn;
  session_.logger().log(level, "{}: '{}' {}", kind, event.path, event.detail);
  session_.events().write("problem",
                          {{"kind", kind}, {"path", event.path}, {"detail", event.detail}});
}

std::uint64_t ResultReporter::eventCount(ScanEvent::Kind kind) const {
  std::lock_guard lock(findingsMutex_);
  const auto found = eventCounts_.find(kind);
  return found == eventCounts_.end() ? 0 : found->second;
}

VerdictCounts ResultReporter::counts() const {
  VerdictCounts counts;
  counts.clean = clean_.load(std::memory_order_relaxed);
  counts.infected = infected_.load(std::memory_order_relaxed);
  counts.unresolved = unresolved_.load(std::memory_order_relaxed);
  counts.notScanned = notScanned_.load(std::memory_order_relaxed);
  counts.bypassed = bypassed_.load(std::memory_order_relaxed);
  return counts;
}

void ResultReporter::publishPath(const std::string& path) {
  std::lock_guard lock(pathMutex_);
  pathLength_ = std::min(path.size(), pathBuffer_.size());
  std::memcpy(pathBuffer_.data(), path.data(), pathLength_);
}

std::string ResultReporter::currentPath() const {
  std::lock_guard lock(pathMutex_);
  return std::string(pathBuffer_.data(), pathLength_);
}

}  // namespace odscan::scanner
