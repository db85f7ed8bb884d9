// ArchiveScanner: scans the members of one container file, recursively, within
// the ArchiveLimits. Members are decompressed into memory only, and nothing is
// written to disk. Every member gets its own ScanResult, reported before the
// container's. A compressed stream in which no format finds a file is scanned as
// one raw member, as the ScanEngine header explains.
//
// Containers held in memory (files up to maxBufferedFileSize and every nested
// member) that are plain zip files or single gzip streams are opened by the
// engine's own readers, which inflate with libdeflate. The zip reader is in
// zip_directory.h and zip_member_source.h, the gzip reader in gzip_stream.h.
// They take only bytes that libarchive would read the same way (see
// libarchive_bids.h), and libarchive opens everything else, so the results do
// not depend on the reader. A member that is itself a container is kept whole
// (bounded by the member size limit). Other members stream through a fixed
// buffer unless a reader already has all of their bytes in memory.
//
// Thread safety: one ArchiveScanner per worker thread.
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "archive_reader.h"
#include "byte_buffer.h"
#include "container_outcome.h"
#include "content_type.h"
#include "deflate_decompressor.h"
#include "extraction_budget.h"
#include "member_source.h"
#include "odscan/common/hasher.h"
#include "odscan/platform/read_only_file.h"
#include "scan_context.h"

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
  enum class ChunkStop { kNone, kMemberLimit, kFileLimit, kError, kFatal, kCancelled };

  struct Chunk {
    std::size_t bytes = 0;  // 0 with kNone: the member ended
    ChunkStop stop = ChunkStop::kNone;
    std::string detail;  // why it stopped
  };

  // Findings of one pass over the members of a container.
  struct Pass {
    ContainerOutcome outcome;
    std::uint64_t fileMembers = 0;  // regular-file members the source returned
    bool compressed = false;        // a decompression filter was in the chain
    bool emptyStream = false;       // libarchive's "empty" format: zero bytes
  };

  // The container and where its members go.
  struct Container {
    const std::string& path;
    std::string_view name;
    int depth = 0;  // of the container; its members are one deeper
  };

  // Scans the container with the engine's own readers when they can take it, and
  // with libarchive otherwise.
  ContainerOutcome scanContainer(const ArchiveSource& source, const Container& container);
  // Scans the container with every libarchive format, then, when that found no
  // file in a decompressed stream, scans the stream again as one raw member.
  ContainerOutcome scanWithLibarchive(const ArchiveSource& source, const Container& container);
  Pass scanLibarchivePass(const ArchiveSource& source, ReaderFormats formats,
                          const Container& container);
  // Returns nothing when the zip must go to libarchive.
  std::optional<ContainerOutcome> scanZip(std::span<const std::uint8_t> zip,
                                          const Container& container);
  // Returns nothing when the gzip stream must go to libarchive.
  std::optional<ContainerOutcome> scanGzip(std::span<const std::uint8_t> gzip,
                                           const Container& container);
  // Scans a stream that scanGzip() inflated and found to be a tar archive.
  ContainerOutcome scanInflatedTar(std::span<const std::uint8_t> stream,
                                   const Container& container);

  Pass scanMembers(MemberSource& source, const Container& container);
  // Each returns false when the whole container must stop.
  bool scanMember(MemberSource& source, const MemberHeader& header, ScanResult& member,
                  std::string_view memberName, ContainerOutcome& outcome);
  bool scanWholeMember(MemberSource& source, std::span<const std::uint8_t> data, ScanResult& member,
                       std::string_view memberName, ContainerOutcome& outcome);
  bool scanStreamedMember(MemberSource& source, ScanResult& member, std::string_view memberName,
                          ContainerOutcome& outcome);
  // Looks the member up, opens it when it is a container (`bytes` then contains
  // all of it), and reports it.
  bool finishMember(ScanResult& member, ContentType type, std::span<const std::uint8_t> bytes,
                    std::string_view memberName, ContainerOutcome& outcome);
  // Reads the rest of a skipped member where skipping would decompress it anyway.
  bool discardMember(MemberSource& source, ContainerOutcome& outcome);
  Chunk readChunk(MemberSource& source, std::span<std::uint8_t> into, std::uint64_t memberBytes);

  bool ownReadersEnabled() const;
  void notifyContainerOpened(const Container& container, ContainerReader reader) const;
  ScanResult newMemberResult(const std::string& memberPath, int depth) const;
  void reportMemberProblem(ScanResult& member, SkipReason reason, std::string detail,
                           ContainerOutcome& outcome);
  // Per-depth buffers: a nested container held whole, and the bytes a reader
  // inflated. A deque keeps references stable.
  ByteBuffer& memberBuffer(int depth);
  ByteBuffer& inflateBuffer(int depth);

  const ScanContext& context_;
  const ArchiveLimits& limits_;
  MultiHasher& hasher_;
  ResultReporter& reporter_;
  ScanCounters& counters_;
  ExtractionBudget budget_;
  const std::filesystem::path* diskPath_ = nullptr;
  DeflateDecompressor decompressor_;
  std::vector<std::uint8_t> chunk_;
  std::deque<ByteBuffer> memberBuffers_;
  std::deque<ByteBuffer> inflateBuffers_;
};

}  // namespace odscan::engine
