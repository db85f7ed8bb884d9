#include "scan_context.h"

#include <utility>

#include "display_name.h"

namespace odscan::engine {

void ScanCounters::addTo(ScanSummary& summary) const {
  summary.files += files;
  summary.objects += objects;
  summary.bytes += bytes;
  summary.clean += clean;
  summary.infected += infected;
  summary.unresolved += unresolved;
  summary.notScanned += notScanned;
  summary.excluded += excluded;
  summary.skippedByProfile += skippedByProfile;
  summary.specialFiles += specialFiles;
}

void ResultReporter::report(const ScanResult& result) {
  ++counters_.objects;
  switch (result.verdict) {
    case Verdict::kClean:
      ++counters_.clean;
      break;
    case Verdict::kInfected:
      ++counters_.infected;
      break;
    case Verdict::kUnresolved:
      ++counters_.unresolved;
      break;
    case Verdict::kNotScanned:
    case Verdict::kBypassed:  // never set by the engine
      ++counters_.notScanned;
      break;
  }
  sink_.onResult(result);
}

void ResultReporter::event(ScanEvent::Kind kind, std::string_view path, std::string detail) {
  ScanEvent scanEvent{kind, {}, std::move(detail)};
  appendSanitized(path, scanEvent.path);
  sink_.onEvent(scanEvent);
}

SkipReason skipReasonFor(platform::IoErrorKind kind) {
  switch (kind) {
    case platform::IoErrorKind::kAccessDenied:
      return SkipReason::kAccessDenied;
    case platform::IoErrorKind::kNotFound:
      return SkipReason::kVanished;
    case platform::IoErrorKind::kLocked:
      return SkipReason::kLocked;
    case platform::IoErrorKind::kSymlink:
    case platform::IoErrorKind::kIoError:
      return SkipReason::kIoError;
  }
  return SkipReason::kIoError;
}

}  // namespace odscan::engine
