// Settings for one scan: profile, exclusions and limits.
//
// Thread safety: plain values. ScanEngine keeps its own copy, so the caller may
// change or destroy its object once the engine is constructed. The ScanHooks
// functions are called from worker threads, as ScanHooks describes.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace odscan {

enum class ScanProfile {
  // Executables (MZ/PE, ELF, Mach-O), scripts and archives, recognized by their
  // first bytes. Scripts without a magic number are recognized by extension: .ps1
  // .psm1 .vbs .vbe .js .jse .wsf .wsh .hta .bat .cmd .sh. Applies to archive
  // members too.
  kQuick,
  kFull,  // every file
};

// Limits for containers. Each limit that stops the scan of a container yields a
// kNotScanned result with SkipReason::kArchiveLimit naming the limit.
struct ArchiveLimits {
  int maxDepth = 8;                              // nesting levels below the file
  std::uint64_t maxMemberSize = 256ull << 20;    // bytes of one extracted member
  std::uint64_t maxTotalExtracted = 1ull << 30;  // bytes extracted from one file
  // Bytes extracted from one file (all levels) per byte of the file on disk.
  std::uint32_t maxCompressionRatio = 150;
  // The ratio is checked only once more than this many bytes were extracted from
  // the file, so small archives of highly compressible text pass.
  std::uint64_t ratioFloor = 1ull << 20;
  std::uint64_t maxMembers = 100000;                 // members in one file, all levels
  std::chrono::milliseconds maxTimePerFile{120000};  // wall time spent on one file
  // Container files up to this size are read into memory once, hashed in the same
  // pass, and opened from memory. Bigger ones are hashed and then read a second
  // time by libarchive.
  std::uint64_t maxBufferedFileSize = 64ull << 20;
};

// The code that opened a container, as ScanHooks::containerOpened reports it.
enum class ContainerReader {
  kLibarchive,
  // The engine's zip reader, for zip files held in memory that libarchive would
  // read the same way.
  kZipReader,
  // The engine's gzip reader, for single-member gzip streams held in memory. A
  // tar archive inside is still read by libarchive, from the inflated bytes.
  kGzipReader,
};

// Test seams: each hook is empty in production and, when set, is called from the
// worker thread that scans the file, so it must be thread-safe.
struct ScanHooks {
  // Called with the file's path just before a worker opens it.
  std::function<void(const std::string& path)> beforeOpen;
  // Called after the file is opened and its size read, before the first read.
  std::function<void(const std::string& path)> afterOpen;
  // Called after a part of a big file is mapped into memory and before it is
  // hashed (POSIX), with the file's path.
  std::function<void(const std::string& path)> afterMapping;
  // Called before a part of a big file is mapped (POSIX), with the file's path
  // and the part's offset. Returning true makes that mapping fail, as on a file
  // system that cannot map files, so that the scan goes on with read().
  std::function<bool(const std::string& path, std::uint64_t offset)> failMapping;
  // Called once for each container whose members are scanned (a file or a member
  // at any depth), with its display path and the reader that opened it.
  std::function<void(const std::string& path, ContainerReader reader)> containerOpened;
  // Opens every container with libarchive, bypassing the engine's own zip and
  // gzip readers, so that tests can compare the results of both.
  bool libarchiveOnly = false;
};

struct ScanOptions {
  ScanProfile profile = ScanProfile::kFull;
  // Follow symbolic links (and Windows junctions) below the roots. The roots
  // themselves are always followed, because the caller named them.
  bool followSymlinks = false;
  bool scanArchives = true;
  // Paths (files or folders) not to scan, compared after making them absolute and
  // normal (lexically, without resolving links). Case-sensitive.
  std::vector<std::filesystem::path> excludePaths;
  // Extensions not to scan, with or without the leading dot, compared
  // case-insensitively with the end of the file name ("gz" and "tar.gz" both match
  // "a.tar.gz"). Applies to files on disk, not to archive members.
  std::vector<std::string> excludeExtensions;
  // Files larger than this are reported as not scanned (size limit); 0 means no limit.
  std::uint64_t maxFileSize = 0;
  ArchiveLimits archiveLimits;
  // Worker threads; 0 means one per core.
  unsigned threads = 0;
  ScanHooks hooks;
};

}  // namespace odscan
