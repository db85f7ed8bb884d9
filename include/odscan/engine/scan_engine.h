// ScanEngine walks paths, reads each file once, computes the digests the Smart
// Scan Agent Pattern needs, looks them up (exact signatures first, then the
// filter), opens containers with libarchive, and reports one ScanResult per
// object through a ScanSink.
//
// Walking: the calling thread lists folders (without following symbolic links
// unless ScanOptions::followSymlinks is set) and feeds a bounded queue that worker
// threads consume. Folders are identified by device and inode (volume and file
// index on Windows), so a loop is reported once as ScanEvent::kLoopSkipped.
//
// Reading: each regular file is opened read-only without locks and read once; the
// digests the pattern requires are computed in that pass. Devices, FIFOs and
// sockets are counted, never opened. A file whose size changes between open and
// the end of the read is reported as not scanned with SkipReason::kVanished,
// because the bytes hashed are no longer one version of the file.
//
// Verdicts: exact signatures first (findExact with the object's size, for each
// computed digest), then the filter (mayContain): infected, unresolved or clean.
//
// Containers are recognized by their first bytes and opened with libarchive, from
// memory (files up to ArchiveLimits::maxBufferedFileSize) or by reading the file a
// second time. Nothing is ever written to disk. Every member gets its own result,
// named `outer!inner!leaf`, reported before the result of its container. The
// container's own result is, in this order:
//  - infected when its own digest matches an exact signature;
//  - infected when any member at any depth is infected (threat name of that member,
//    `detail` names it), so acting on `file` removes the threat;
//  - not scanned when any part of it could not be scanned (a limit, a corrupt or
//    encrypted member), with the reason and detail of the first such part, so it is
//    never called clean;
//  - otherwise the lookup of its own digest (clean or unresolved). Unresolved
//    members do not change it: their own results carry their scan queries.
//
// Thread safety: scan() runs on the calling thread plus worker threads it owns and
// returns when all are done; call it from one thread at a time. progress() and
// cancel() may be called from any thread while scan() runs.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "odscan/engine/scan_options.h"
#include "odscan/engine/scan_sink.h"
#include "odscan/pattern/agent_pattern.h"

namespace odscan {

// Counters that progress() returns while the scan runs.
struct ScanProgress {
  std::uint64_t files = 0;  // files on disk finished, skipped ones included
  std::uint64_t bytes = 0;  // bytes of those files read
};

struct ScanSummary {
  std::uint64_t files = 0;             // files on disk examined
  std::uint64_t objects = 0;           // files plus archive members with a verdict
  std::uint64_t bytes = 0;             // bytes read from disk
  std::uint64_t clean = 0;
  std::uint64_t infected = 0;
  std::uint64_t unresolved = 0;
  std::uint64_t notScanned = 0;
  std::uint64_t excluded = 0;          // files and folders skipped by exclusions
  std::uint64_t skippedByProfile = 0;  // files and members skipped by the quick profile
  std::uint64_t specialFiles = 0;      // devices, FIFOs and sockets, never opened
  bool cancelled = false;
  std::chrono::milliseconds elapsed{0};
};

class ScanEngine {
 public:
  // `pattern` must not be null; the engine shares it with the caller.
  ScanEngine(std::shared_ptr<const AgentPattern> pattern, ScanOptions options);
  ~ScanEngine();
  ScanEngine(const ScanEngine&) = delete;
  ScanEngine& operator=(const ScanEngine&) = delete;

  // Scans `roots` (files or folders) and blocks until every object is reported.
  ScanSummary scan(const std::vector<std::filesystem::path>& roots, ScanSink& sink);

  ScanProgress progress() const;

  // Asks a running scan to stop soon; scan() then returns with cancelled set. Files
  // being read when the request arrives get no result. A new scan() starts
  // uncancelled.
  void cancel();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace odscan
