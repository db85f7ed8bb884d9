#include "odscan/engine/scan_result.h"

namespace odscan {

std::string_view verdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kClean:
      return "clean";
    case Verdict::kInfected:
      return "infected";
    case Verdict::kUnresolved:
      return "unresolved";
    case Verdict::kNotScanned:
      return "not_scanned";
    case Verdict::kBypassed:
      return "bypassed";
  }
  return "unknown";
}

std::string_view skipReasonName(SkipReason reason) {
  switch (reason) {
    case SkipReason::kNone:
      return "none";
    case SkipReason::kAccessDenied:
      return "access_denied";
    case SkipReason::kLocked:
      return "locked";
    case SkipReason::kVanished:
      return "vanished";
    case SkipReason::kSizeLimit:
      return "size_limit";
    case SkipReason::kArchiveLimit:
      return "archive_limit";
    case SkipReason::kIoError:
      return "io_error";
    case SkipReason::kArchiveError:
      return "archive_error";
    case SkipReason::kNotFound:
      return "not_found";
  }
  return "unknown";
}

std::string_view detectionSourceName(DetectionSource source) {
  switch (source) {
    case DetectionSource::kNone:
      return "";
    case DetectionSource::kAgentPattern:
      return "agent_pattern";
    case DetectionSource::kSmartScanServer:
      return "smart_scan_server";
    case DetectionSource::kGlobalSmartScanServer:
      return "global_smart_scan_server";
  }
  return "unknown";
}

std::string_view scanEventKindName(ScanEvent::Kind kind) {
  switch (kind) {
    case ScanEvent::Kind::kLoopSkipped:
      return "loop_skipped";
    case ScanEvent::Kind::kSymlinkSkipped:
      return "symlink_skipped";
    case ScanEvent::Kind::kRootNotFound:
      return "root_not_found";
    case ScanEvent::Kind::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

}  // namespace odscan
