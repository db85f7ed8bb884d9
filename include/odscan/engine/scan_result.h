// The verdict the scan engine reaches for each scanned object (a file or an
// archive member), and the events it reports besides verdicts.
//
// Thread safety: plain values without shared state. The engine passes each one to
// the ScanSink by const reference, valid only during that call, so a sink that
// keeps a result or event copies it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "odscan/common/digest.h"

namespace odscan {

enum class Verdict {
  kClean,       // not in the Smart Scan Pattern, by the local filter or a scan query
  kInfected,    // an exact signature or a scan query matched
  kUnresolved,  // the filter requires a scan query, and no server has answered yet
  kNotScanned,  // the object could not be checked, and `reason` gives the cause
  // The object needed a scan query, but no Smart Scan Server was reachable. Only the
  // scanner program sets it; the engine itself reports kUnresolved.
  kBypassed,
};

// Reason an object was not scanned. A limit that stops a scan is never reported
// as clean.
enum class SkipReason {
  kNone,
  kAccessDenied,  // the operating system refused to open or read it
  // Another process holds a lock that forbids reading, which in practice happens
  // only on Windows (a sharing or lock violation). POSIX locks are advisory and do
  // not block reads. The one exception is Linux before 5.15 on a file system
  // mounted with mandatory locking, where the open or read fails with EAGAIN.
  kLocked,
  // The file changed during the scan. Either it was deleted after it was listed,
  // so opening it found nothing, or its size at the end of the read differed from
  // its size when opened, so the bytes hashed were not one version of it.
  kVanished,
  kSizeLimit,     // larger than the maximum file size
  kArchiveLimit,  // an archive limit (depth, member size, total bytes, ratio, count, time)
  kIoError,       // a read failed
  kArchiveError,  // the archive is corrupt, encrypted or uses an unsupported method
  kNotFound,      // a path given to scan() does not exist
};

// Component that decided an infected verdict, or a clean verdict reached by a
// scan query. Clean verdicts of the local filter have kNone.
enum class DetectionSource {
  kNone,
  kAgentPattern,           // an exact signature of the Smart Scan Agent Pattern
  kSmartScanServer,        // a scan query to the Smart Scan Server
  kGlobalSmartScanServer,  // a scan query to the Global Smart Scan Server
};

// Returns "clean", "infected", "unresolved", "not_scanned" or "bypassed".
std::string_view verdictName(Verdict verdict);
// Returns the snake_case name used in reports, for example "archive_limit".
std::string_view skipReasonName(SkipReason reason);
// Returns "agent_pattern", "smart_scan_server", "global_smart_scan_server", or ""
// for kNone.
std::string_view detectionSourceName(DetectionSource source);

struct ScanResult {
  // Display name: the file path, or `outer!inner!leaf` for archive members. Control
  // characters and invalid UTF-8 are replaced by '?', so it is safe to print; use
  // `file` to act on the file.
  std::string path;
  // The file on disk that contains the object (the outermost archive for members).
  std::filesystem::path file;
  // 0 for a file on disk, 1 for a member of it, and so on.
  int depth = 0;
  std::uint64_t size = 0;

  Verdict verdict = Verdict::kClean;
  std::string threatName;  // set when infected
  DetectionSource source = DetectionSource::kNone;
  SkipReason reason = SkipReason::kNone;
  std::string detail;  // human-readable explanation for kNotScanned and notes
  // Set when a scan query for this object was bypassed earlier in the scan and a
  // server answered later, so the report shows both.
  bool wasBypassed = false;

  // The digests computed for this object (only the kinds the pattern needs).
  FileDigests digests;
};

// Something the engine noticed that is not a verdict on an object.
struct ScanEvent {
  enum class Kind {
    kLoopSkipped,     // a directory already visited (same device and inode / file ID)
    kSymlinkSkipped,  // a symbolic link not followed
    kRootNotFound,    // a path given to scan() does not exist
    kCancelled,       // cancel() stopped the scan
  };
  Kind kind;
  std::string path;
  std::string detail;
};

// Returns "loop_skipped", "symlink_skipped", "root_not_found" or "cancelled".
std::string_view scanEventKindName(ScanEvent::Kind kind);

}  // namespace odscan
