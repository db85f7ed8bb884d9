// Settings for one scan: profile, exclusions and limits.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace odscan {

enum class ScanProfile {
  kQuick,  // executables, scripts and archives, recognized by their first bytes
  kFull,   // every file
};

// Limits for containers. Each limit that stops the scan of a container yields a
// kNotScanned result with SkipReason::kArchiveLimit naming the limit.
struct ArchiveLimits {
  int maxDepth = 8;                                   // nesting levels below the file
  std::uint64_t maxMemberSize = 256ull << 20;         // bytes of one extracted member
  std::uint64_t maxTotalExtracted = 1ull << 30;       // bytes extracted from one file
  std::uint32_t maxCompressionRatio = 150;            // extracted bytes per compressed byte
  std::uint64_t ratioFloor = 1ull << 20;              // members smaller than this skip the ratio check
  std::uint64_t maxMembers = 100000;                  // members in one file, all levels
  std::chrono::milliseconds maxTimePerFile{120000};   // wall time spent on one file
};

struct ScanOptions {
  ScanProfile profile = ScanProfile::kFull;
  bool followSymlinks = false;
  bool scanArchives = true;
  // Paths (files or folders) not to scan, compared after making them absolute.
  std::vector<std::filesystem::path> excludePaths;
  // Extensions not to scan, without the dot, compared case-insensitively.
  std::vector<std::string> excludeExtensions;
  // Files larger than this are reported as not scanned (size limit); 0 means no limit.
  std::uint64_t maxFileSize = 0;
  ArchiveLimits archiveLimits;
  // Worker threads; 0 means one per core.
  unsigned threads = 0;
};

}  // namespace odscan
