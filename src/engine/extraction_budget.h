// ExtractionBudget: the archive limits that apply to one file on disk and
// everything extracted from it at every depth together: bytes extracted, the
// compression ratio, the member count and the time spent. ArchiveScanner starts
// one budget per file and checks it as it extracts.
//
// Thread safety: one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include "odscan/engine/scan_options.h"

namespace odscan::engine {

class ExtractionBudget {
 public:
  // `limits` must outlive the budget.
  explicit ExtractionBudget(const ArchiveLimits& limits) : limits_(limits) {}

  // Starts the budget of `file`, which has `diskSize` bytes on disk. `file`
  // must stay valid until the next start().
  void start(const std::filesystem::path& file, std::uint64_t diskSize);

  void addExtracted(std::uint64_t bytes) { extracted_ += bytes; }

  // Returns the bytes that can still be extracted before the total or the ratio
  // limit is exceeded.
  std::uint64_t remainingBytes() const;

  // Returns a description of the limit on bytes, ratio or time that the file has
  // exceeded, or "" while it keeps them all.
  std::string exceeded() const;

  // Counts one more member. Returns a description of the member count limit when
  // this member exceeds it, or "".
  std::string countMember();

  // A file-wide limit or a fatal error has ended the scan of the file.
  bool stopped() const { return stopped_; }
  void stop() { stopped_ = true; }

 private:
  const ArchiveLimits& limits_;
  const std::filesystem::path* file_ = nullptr;
  std::uint64_t diskSize_ = 0;
  std::uint64_t extracted_ = 0;
  std::uint64_t members_ = 0;
  std::chrono::steady_clock::time_point start_;
  bool stopped_ = false;
};

}  // namespace odscan::engine
