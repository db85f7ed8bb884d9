// ScanEngine walks paths, reads each file, computes the digests the Smart Scan
// Agent Pattern needs, looks them up (exact signatures first, then the filter),
// opens containers with libarchive, and reports one ScanResult per object through
// a ScanSink.
//
// Walking: the calling thread lists folders (without following symbolic links
// unless ScanOptions::followSymlinks is set) and feeds a bounded queue that worker
// threads consume. Folders are identified by device and inode (volume and file
// index on Windows), so a loop is reported once as ScanEvent::kLoopSkipped.
//
// Reading: each regular file is opened read-only without locks, and the digests
// the pattern requires are computed while it is read. A file that is not a
// container, and a container of up to ArchiveLimits::maxBufferedFileSize (64 MiB
// by default), is read once. A bigger container is read twice, because libarchive
// reads it again from disk, and three times when it is a compressed stream that
// must be read again as one raw member (see below). When such a file changes
// between the reads, its own digest and its members may come from different
// versions. Devices, FIFOs and sockets are counted, never opened. A file deleted
// after it was listed, or whose size changes while it is read, is reported as not
// scanned with SkipReason::kVanished (defined in scan_result.h).
//
// Verdicts: exact signatures first (findExact with the object's size, for each
// computed digest), then the filter (mayContain): infected, unresolved or clean.
//
// Containers are recognized by their first bytes and opened with libarchive, from
// memory (files up to ArchiveLimits::maxBufferedFileSize) or by reading the file a
// second time. The engine enables every container format that libarchive reads
// (7z, ar, cab, cpio, ISO 9660, LHA, RAR, RAR5, tar, WARC, XAR, zip) but not
// mtree, a text manifest without file contents. Nothing is ever written to disk.
// Zip files and single-member gzip streams held in memory are opened by the
// engine's own readers, which inflate with libdeflate, when libarchive would read
// them the same way. The results do not depend on the reader, and
// ScanHooks::libarchiveOnly turns those readers off.
// Every member gets its own result, named `outer!inner!leaf`, reported before the
// result of its container.
//
// A container in which the formats find no file is clean only when its own digest
// covers what it holds. That is the case without a compression filter (an empty
// zip, 7z, tar or cpio) and for a stream that decompresses to zero bytes. A
// compressed stream (gzip, bzip2, xz or another filter) whose decompressed bytes
// no format turns into a file is read again as one raw member. Like any single
// compressed stream, that member is named after the file without its compression
// suffix (`zeros.gz` gives `zeros`, an unknown suffix `data`), and the same limits
// apply to it. Without that, libarchive's tar reader would take a stream that
// starts with 512 zero bytes for an empty tar, and neither the bytes after them
// nor a bomb of zeros would be checked. When the format failed on its first
// header, that error still makes the container not scanned unless the raw member
// is infected.
//
// The container's own result is, in this order:
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
  // The files of ScanSummary::files that a worker has finished with.
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;  // ScanSummary::bytes of those files
};

// Totals of one scan() call. Counts of objects (`objects` and the four verdicts)
// match the results sent to the sink; the other counters have no result.
struct ScanSummary {
  // Files on disk that a worker took up: every regular file the walk found (a root
  // that is a file included) that was not excluded, whatever became of it. It
  // includes files skipped by the quick profile, files not scanned (access denied,
  // size limit, vanished, read error) and files that were no longer regular files
  // when opened. It leaves out excluded files, special files found while listing,
  // symbolic links not followed and files not reached before a cancellation.
  std::uint64_t files = 0;
  // Results sent to the sink: files on disk, archive members at any depth, and
  // paths the walk could not read (a missing root, an unreadable folder or entry).
  // Always clean + infected + unresolved + notScanned.
  std::uint64_t objects = 0;
  // Bytes the workers read from files on disk while hashing them, including the
  // first block of files the quick profile then skipped. Reading a container a
  // second time for libarchive (see the class comment) is not counted.
  std::uint64_t bytes = 0;
  std::uint64_t clean = 0;       // objects with Verdict::kClean
  std::uint64_t infected = 0;    // objects with Verdict::kInfected
  std::uint64_t unresolved = 0;  // objects with Verdict::kUnresolved
  std::uint64_t notScanned = 0;  // objects with Verdict::kNotScanned
  // Files and folders matched by ScanOptions::excludePaths or excludeExtensions,
  // roots included. A folder counts once, and nothing below it is counted.
  std::uint64_t excluded = 0;
  // Files on disk (also counted in `files`) and archive members that the quick
  // profile skipped without a result.
  std::uint64_t skippedByProfile = 0;
  // Devices, FIFOs, sockets and other entries that are neither regular files,
  // folders nor symbolic links; they are never read. A file that was regular when
  // listed but not when opened is counted here and in `files`.
  std::uint64_t specialFiles = 0;
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
