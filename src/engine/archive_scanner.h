// ArchiveScanner: scans the members of one container file with libarchive,
// recursively, within the ArchiveLimits. Members are decompressed into memory
// only, and nothing is written to disk. A member that is itself a container is
// buffered whole (bounded by the member size limit). Everything else streams
// through a fixed buffer. Every member gets its own ScanResult, reported before
// the container's. A compressed stream in which no format finds a file is
// scanned as one raw member, as the ScanEngine header explains.
//
// Thread safety: one ArchiveScanner per worker thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "archive_reader.h"
#include "byte_buffer.h"
#include "container_outcome.h"
#include "odscan/common/hasher.h"
#include "odscan/platform/read_only_file.h"
#include "scan_context.h"

struct archive;
struct archive_entry;

namespace odscan::engine {

// A container file on disk whose own digests were already computed.
struct ContainerFile {
  const std::string& displayPath;
  const std::filesystem::path& path;
  std::string_view name;  // last path component, for naming a raw stream's member
  std::uint64_t size = 0;
  // The whole file when it was buffered; empty otherwise, and then `file` is read
  // again from the start.
  std::span<const std::uint8_t> contents;
  platform::ReadOnlyFile* file = nullptr;
  std::span<std::uint8_t> readBuffer;  // for reading `file`
};

class ArchiveScanner {
 public:
  // `hasher` is shared with the caller, which must not be hashing while scan()
  // runs.
  ArchiveScanner(const ScanContext& context, MultiHasher& hasher, ResultReporter& reporter,
                 ScanCounters& counters);
  ~ArchiveScanner();
  ArchiveScanner(const ArchiveScanner&) = delete;
  ArchiveScanner& operator=(const ArchiveScanner&) = delete;

  // Scans every member of `container` and returns what they add to its verdict.
  ContainerOutcome scan(const ContainerFile& container);

 private:
  // Limits that apply to a whole file on disk, all levels together.
  struct Budget {
    std::uint64_t diskSize = 0;
    std::uint64_t extracted = 0;
    std::uint64_t members = 0;
    std::chrono::steady_clock::time_point start;
    bool stopped = false;  // a file-wide limit or a fatal error ended the scan
  };

  enum class ChunkStop { kNone, kMemberLimit, kFileLimit, kError, kFatal, kCancelled };

  struct Chunk {
    std::size_t bytes = 0;  // 0 with kNone: the member ended
    ChunkStop stop = ChunkStop::kNone;
    std::string detail;  // why it stopped
  };

  // Findings of one reader in one pass over a container.
  struct Pass {
    ContainerOutcome outcome;
    std::uint64_t fileMembers = 0;  // regular-file members the format returned
    bool compressed = false;        // a decompression filter was in the chain
    bool emptyStream = false;       // libarchive's "empty" format: zero bytes
  };

  // Scans the container with every format, then, when that found no file in a
  // decompressed stream, scans the stream again as one raw member.
  ContainerOutcome scanContainer(const ArchiveSource& source, const std::string& containerPath,
                                 std::string_view containerName, int depth);
  Pass scanPass(const ArchiveSource& source, ReaderFormats formats,
                const std::string& containerPath, std::string_view containerName, int depth);
  Pass scanArchive(archive* reader, const std::string& containerPath,
                   std::string_view containerName, int depth);
  // Returns false when the whole archive must stop.
  bool scanMember(archive* reader, archive_entry* entry, const std::string& memberPath,
                  std::string_view memberName, int depth, ContainerOutcome& outcome);
  Chunk readChunk(archive* reader, std::span<std::uint8_t> into, std::uint64_t memberBytes);
  // Reads the rest of a skipped member where skipping would decompress it anyway.
  // Returns false when the whole archive must stop.
  bool discardMember(archive* reader, ContainerOutcome& outcome);
  std::string fileLimitExceeded() const;

  ScanResult newMemberResult(const std::string& memberPath, int depth) const;
  void reportMemberProblem(ScanResult& member, SkipReason reason, std::string detail,
                           ContainerOutcome& outcome);
  ByteBuffer& memberBuffer(int depth);

  const ScanContext& context_;
  const ArchiveLimits& limits_;
  MultiHasher& hasher_;
  ResultReporter& reporter_;
  ScanCounters& counters_;
  Budget budget_;
  const std::filesystem::path* diskPath_ = nullptr;
  std::vector<std::uint8_t> chunk_;
  std::deque<ByteBuffer> memberBuffers_;  // one per depth; a deque keeps references stable
};

}  // namespace odscan::engine
