// FileScanner: what one worker thread does with one file on disk. It opens the file
// read-only, reads it once while computing the digests the pattern requires (big
// files through mapped views, where the platform has them), decides its verdict,
// and hands containers to its ArchiveScanner. Each worker owns one FileScanner, so
// the hasher and the buffers are reused from file to file without locking or
// allocating.
//
// Thread safety: one FileScanner per thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "archive_scanner.h"
#include "byte_buffer.h"
#include "odscan/common/hasher.h"
#include "odscan/platform/read_only_file.h"
#include "scan_context.h"
#include "work_queue.h"

namespace odscan::engine {

class FileScanner {
 public:
  FileScanner(const ScanContext& context, ScanCounters& counters);

  // Scans one file and reports its result (and its members' results), unless the
  // file is skipped (quick profile, not a regular file) or the scan is cancelled.
  void scan(const WorkItem& item);

 private:
  // Bytes read into a buffer and whether the file ended there.
  struct Fill {
    std::size_t bytes = 0;
    bool end = false;
  };

  void scanOpenFile(const WorkItem& item, platform::ReadOnlyFile& file);
  // Reads the rest of the file after the head, hashing it, and keeps it in
  // fileContents_ when `keep` is set. Returns false when the scan was cancelled
  // or a result was already reported.
  bool readRest(const std::string& path, platform::ReadOnlyFile& file, Fill head, bool keep);
  // The outcome of hashMappedRest().
  enum class MappedRead {
    kDone,      // the rest of the file is hashed
    kReported,  // cancelled, or a result was already reported
    kUseRead,   // the file cannot be mapped here; read() goes on from bytesRead_
  };
  // Hashes the file from bytesRead_ to its end through mapped views (POSIX).
  MappedRead hashMappedRest(const std::string& path, platform::ReadOnlyFile& file);
  // Reports the file as changed while it was read if its size differs from its
  // size when opened, and returns whether it did.
  bool reportedAsResized(platform::ReadOnlyFile& file);
  platform::IoResult<Fill> fillBuffer(platform::ReadOnlyFile& file, std::span<std::uint8_t> into,
                                      std::uint64_t offset);

  void startResult(const WorkItem& item);
  void reportNotScanned(SkipReason reason, std::string detail);
  void reportOpenError(const WorkItem& item, const platform::IoError& error);

  const ScanContext& context_;
  ScanCounters& counters_;
  ResultReporter reporter_;
  MultiHasher hasher_;
  ArchiveScanner archives_;
  std::vector<std::uint8_t> readBuffer_;
  ByteBuffer fileContents_;  // whole container files, when small enough
  ScanResult result_;        // reused so its strings keep their capacity
  std::uint64_t expectedSize_ = 0;
  std::uint64_t bytesRead_ = 0;
};

}  // namespace odscan::engine
