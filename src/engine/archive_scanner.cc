#include "archive_scanner.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <utility>

#include "archive_reader.h"
#include "content_type.h"
#include "display_name.h"
#include "pattern_lookup.h"

namespace odscan::engine {
namespace {

constexpr std::size_t kChunkSize = 256 * 1024;
// Member buffers bigger than this are freed after each file on disk.
constexpr std::size_t kKeptBufferBytes = 16u << 20;

std::string bytesText(std::uint64_t bytes) { return std::to_string(bytes) + " bytes"; }

bool isSingleCompressedStream(archive* reader) {
  // The raw format with no filter would hand back the input unchanged: the magic
  // matched but no real format or filter accepted the data.
  return archive_format(reader) == ARCHIVE_FORMAT_RAW && archive_filter_count(reader) > 1;
}

std::string memberNameOf(archive* reader, archive_entry* entry, std::string_view containerName) {
  if (archive_format(reader) == ARCHIVE_FORMAT_RAW) return rawStreamMemberName(containerName);
  // The UTF-8 form needs a charset conversion, which fails for names that are not
  // valid in the archive's charset. The raw bytes are then shown sanitized.
  const char* name = archive_entry_pathname_utf8(entry);
  if (name == nullptr) name = archive_entry_pathname(entry);
  return memberDisplayName(name != nullptr ? std::string_view(name) : std::string_view());
}

}  // namespace

ArchiveScanner::ArchiveScanner(const ScanContext& context, MultiHasher& hasher,
                               ResultReporter& reporter, ScanCounters& counters)
    : context_(context),
      limits_(context.options.archiveLimits),
      hasher_(hasher),
      reporter_(reporter),
      counters_(counters),
      chunk_(kChunkSize) {}

ArchiveScanner::~ArchiveScanner() = default;

ContainerOutcome ArchiveScanner::scan(const ContainerFile& container) {
  budget_ = Budget{};
  budget_.diskSize = container.size;
  budget_.start = std::chrono::steady_clock::now();
  diskPath_ = &container.path;

  // NOTE: a container larger than maxBufferedFileSize is read twice (once hashed,
  // once by libarchive), because zip and 7z readers seek to their directory at
  // the end, and a third time when it is a compressed stream that scanContainer()
  // reads again as raw. The file may change between the reads.
  ArchiveFileSource fileSource{container.file, container.readBuffer};
  const bool buffered = !container.contents.empty() || container.file == nullptr;
  const ArchiveSource source{container.contents, buffered ? nullptr : &fileSource};

  ContainerOutcome outcome = scanContainer(source, container.displayPath, container.name, 0);
  for (ByteBuffer& buffer : memberBuffers_) buffer.release(kKeptBufferBytes);
  return outcome;
}

ContainerOutcome ArchiveScanner::scanContainer(const ArchiveSource& source,
                                               const std::string& containerPath,
                                               std::string_view containerName, int depth) {
  Pass pass = scanPass(source, ReaderFormats::kContainers, containerPath, containerName, depth);
  // Without a filter the container's own digest covers all of its bytes, and an
  // empty stream has no bytes to hash.
  const bool covered = !pass.compressed || pass.fileMembers > 0 || pass.emptyStream;
  if (covered || pass.outcome.cancelled || budget_.stopped) return std::move(pass.outcome);

  // The format reader returned no file from a decompressed stream, so none of its
  // bytes were hashed. libarchive's tar reader does that with any stream that
  // starts with 512 zero bytes, taking them for the end-of-archive marker, and a
  // format that fails on its first header does it too. Reading the stream again
  // as one raw member hashes it, and the limits stop a bomb of zeros.
  Pass raw = scanPass(source, ReaderFormats::kRawOnly, containerPath, containerName, depth);
  pass.outcome.merge(raw.outcome);
  return std::move(pass.outcome);
}

ArchiveScanner::Pass ArchiveScanner::scanPass(const ArchiveSource& source, ReaderFormats formats,
                                              const std::string& containerPath,
                                              std::string_view containerName, int depth) {
  ArchiveReader reader = newArchiveReader(formats);
  if (reader == nullptr) {
    Pass failed;
    failed.outcome.noteProblem(SkipReason::kArchiveError,
                               "libarchive could not allocate a reader for '" + containerPath +
                                   "'; the system is out of memory");
    return failed;
  }
  if (openArchive(reader.get(), source) != ARCHIVE_OK) {
    Pass failed;
    failed.outcome.noteProblem(
        SkipReason::kArchiveError,
        "cannot open '" + containerPath + "' as an archive: " + archiveErrorText(reader.get()));
    return failed;
  }

  Pass pass = scanArchive(reader.get(), containerPath, containerName, depth);
  pass.compressed = archive_filter_count(reader.get()) > 1;
  pass.emptyStream = archive_format(reader.get()) == ARCHIVE_FORMAT_EMPTY;
  return pass;
}

ArchiveScanner::Pass ArchiveScanner::scanArchive(archive* reader, const std::string& containerPath,
                                                 std::string_view containerName, int depth) {
  Pass pass;
  ContainerOutcome& outcome = pass.outcome;
  while (true) {
    if (context_.cancelled()) {
      outcome.cancelled = true;
      break;
    }
    if (std::string exceeded = fileLimitExceeded(); !exceeded.empty()) {
      outcome.noteProblem(SkipReason::kArchiveLimit, std::move(exceeded));
      budget_.stopped = true;
      break;
    }

    // NOTE: libarchive 3.6 reads ahead as many bytes as a header field claims (a
    // cpio name size of up to 4 GiB) before it returns, decompressing them into one
    // buffer that none of the limits here checks. A 1 MiB cpio.gz took 1.3 GB.
    archive_entry* entry = nullptr;
    const int status = archive_read_next_header(reader, &entry);
    if (status == ARCHIVE_EOF) break;
    if (status == ARCHIVE_FATAL || status == ARCHIVE_FAILED || status == ARCHIVE_RETRY) {
      outcome.noteProblem(SkipReason::kArchiveError, "cannot read the archive '" + containerPath +
                                                         "': " + archiveErrorText(reader));
      // After FAILED libarchive may go on with the next member. A damaged header
      // rarely leads anywhere useful, though, and retrying could loop, so the
      // scan stops and the archive is reported as not scanned.
      break;
    }

    if (archive_format(reader) == ARCHIVE_FORMAT_RAW && !isSingleCompressedStream(reader)) {
      outcome.noteProblem(
          SkipReason::kArchiveError,
          "'" + containerPath + "' looks like an archive but libarchive cannot read it");
      break;
    }
    // Folders, links and devices inside archives carry no data to scan.
    if (archive_entry_filetype(entry) != AE_IFREG) continue;
    ++pass.fileMembers;

    if (++budget_.members > limits_.maxMembers) {
      outcome.noteProblem(SkipReason::kArchiveLimit, "limit exceeded: member count: more than " +
                                                         std::to_string(limits_.maxMembers) +
                                                         " members in '" + diskPath_->string() +
                                                         "'");
      budget_.stopped = true;
      break;
    }

    const std::string memberName = memberNameOf(reader, entry, containerName);
    const std::string memberPath = containerPath + "!" + memberName;
    if (!scanMember(reader, entry, memberPath, lastPathComponent(memberName), depth + 1, outcome)) {
      break;
    }
  }
  return pass;
}

bool ArchiveScanner::scanMember(archive* reader, archive_entry* entry,
                                const std::string& memberPath, std::string_view memberName,
                                int depth, ContainerOutcome& outcome) {
  ScanResult member = newMemberResult(memberPath, depth);

  if (archive_entry_is_encrypted(entry)) {
    reportMemberProblem(member, SkipReason::kArchiveError,
                        "the member is encrypted and cannot be read without its password", outcome);
    return true;
  }
  if (archive_entry_size_is_set(entry) && archive_entry_size(entry) >= 0 &&
      static_cast<std::uint64_t>(archive_entry_size(entry)) > limits_.maxMemberSize) {
    member.size = static_cast<std::uint64_t>(archive_entry_size(entry));
    reportMemberProblem(member, SkipReason::kArchiveLimit,
                        "limit exceeded: member size: " + bytesText(member.size) + " > maximum " +
                            bytesText(limits_.maxMemberSize),
                        outcome);
    return discardMember(reader, outcome);
  }

  // Read the first bytes to learn what the member is.
  ByteBuffer& head = memberBuffer(depth);
  head.clear();
  std::uint64_t memberBytes = 0;
  Chunk chunk;
  while (head.size() < kContentTypeHeadSize) {
    std::span<std::uint8_t> room = head.appendSpace(kChunkSize).first(kChunkSize);
    chunk = readChunk(reader, room, memberBytes);
    if (chunk.stop != ChunkStop::kNone || chunk.bytes == 0) break;
    head.commit(chunk.bytes);
    memberBytes += chunk.bytes;
  }

  const ContentType type = detectContentType(head.bytes());
  if (chunk.stop == ChunkStop::kNone && context_.options.profile == ScanProfile::kQuick &&
      type == ContentType::kOther && !hasScriptExtension(memberName)) {
    ++counters_.skippedByProfile;
    return discardMember(reader, outcome);
  }
  const bool isContainer = context_.options.scanArchives && type == ContentType::kContainer;
  const bool openNested = isContainer && depth < limits_.maxDepth;

  // A nested container is kept whole for libarchive; anything else is hashed as it
  // streams through the chunk buffer.
  hasher_.reset();
  if (!openNested) hasher_.update(head.bytes());
  while (chunk.stop == ChunkStop::kNone && chunk.bytes != 0) {
    std::span<std::uint8_t> room =
        openNested ? head.appendSpace(kChunkSize).first(kChunkSize) : std::span(chunk_);
    chunk = readChunk(reader, room, memberBytes);
    if (chunk.stop != ChunkStop::kNone || chunk.bytes == 0) break;
    memberBytes += chunk.bytes;
    if (openNested) {
      head.commit(chunk.bytes);
    } else {
      hasher_.update(room.first(chunk.bytes));
    }
  }

  member.size = memberBytes;
  switch (chunk.stop) {
    case ChunkStop::kNone:
      break;
    case ChunkStop::kCancelled:
      outcome.cancelled = true;
      return false;
    case ChunkStop::kMemberLimit:
      reportMemberProblem(member, SkipReason::kArchiveLimit, std::move(chunk.detail), outcome);
      return discardMember(reader, outcome);
    case ChunkStop::kError:
      reportMemberProblem(member, SkipReason::kArchiveError, std::move(chunk.detail), outcome);
      return true;
    case ChunkStop::kFileLimit:
      budget_.stopped = true;
      reportMemberProblem(member, SkipReason::kArchiveLimit, std::move(chunk.detail), outcome);
      return false;
    case ChunkStop::kFatal:
      budget_.stopped = true;
      reportMemberProblem(member, SkipReason::kArchiveError, std::move(chunk.detail), outcome);
      return false;
  }

  // Look up the member's own digests.
  if (openNested) hasher_.update(head.bytes());
  member.digests = hasher_.finish();
  applyLookup(lookUpDigests(context_.pattern, member.digests, member.size), member);
  const bool ownInfected = member.verdict == Verdict::kInfected;

  ContainerOutcome nested;
  if (openNested) {
    nested = scanContainer(ArchiveSource{head.bytes(), nullptr}, memberPath, memberName, depth);
    if (nested.cancelled) {
      outcome.cancelled = true;
      return false;
    }
    applyContainerOutcome(nested, member);
  } else if (isContainer && !ownInfected) {
    member.verdict = Verdict::kNotScanned;
    member.reason = SkipReason::kArchiveLimit;
    member.detail = "limit exceeded: nesting depth: its members would be at depth " +
                    std::to_string(depth + 1) + " > maximum " + std::to_string(limits_.maxDepth);
  }

  reporter_.report(member);
  if (member.verdict == Verdict::kInfected) {
    outcome.noteInfected(ownInfected ? member.path : nested.infectedPath, member.threatName);
  } else if (member.verdict == Verdict::kNotScanned) {
    // A nested container already names the part that failed.
    outcome.noteProblem(member.reason,
                        nested.problemReason != SkipReason::kNone
                            ? member.detail
                            : "member '" + member.path + "' was not scanned: " + member.detail);
  }
  return !budget_.stopped;
}

// Behind a compression filter (tar.gz, cpio.xz, a single .gz stream) libarchive
// skips a member by decompressing it, unchecked by any limit, so a skipped bomb
// would still run for as long as it expands. Reading the member here instead lets
// the file-wide limits stop it. Without a filter, skipping is a seek and is left to
// libarchive.
bool ArchiveScanner::discardMember(archive* reader, ContainerOutcome& outcome) {
  if (archive_filter_count(reader) <= 1) return true;
  while (true) {
    Chunk chunk = readChunk(reader, chunk_, 0);
    switch (chunk.stop) {
      case ChunkStop::kNone:
      case ChunkStop::kMemberLimit:
        if (chunk.bytes == 0) return true;
        break;
      case ChunkStop::kError:
        return true;  // the next header reports whether the archive goes on
      case ChunkStop::kCancelled:
        outcome.cancelled = true;
        return false;
      case ChunkStop::kFileLimit:
        budget_.stopped = true;
        outcome.noteProblem(SkipReason::kArchiveLimit, std::move(chunk.detail));
        return false;
      case ChunkStop::kFatal:
        budget_.stopped = true;
        outcome.noteProblem(SkipReason::kArchiveError, std::move(chunk.detail));
        return false;
    }
  }
}

ArchiveScanner::Chunk ArchiveScanner::readChunk(archive* reader, std::span<std::uint8_t> into,
                                                std::uint64_t memberBytes) {
  Chunk chunk;
  if (context_.cancelled()) {
    chunk.stop = ChunkStop::kCancelled;
    return chunk;
  }

  const la_ssize_t count = archive_read_data(reader, into.data(), into.size());
  if (count < 0) {
    chunk.stop = count == ARCHIVE_FATAL ? ChunkStop::kFatal : ChunkStop::kError;
    chunk.detail = std::string("cannot extract the member: ") + archiveErrorText(reader);
    return chunk;
  }
  chunk.bytes = static_cast<std::size_t>(count);
  budget_.extracted += chunk.bytes;

  if (std::string exceeded = fileLimitExceeded(); !exceeded.empty()) {
    chunk.stop = ChunkStop::kFileLimit;
    chunk.detail = std::move(exceeded);
    return chunk;
  }
  if (memberBytes + chunk.bytes > limits_.maxMemberSize) {
    chunk.stop = ChunkStop::kMemberLimit;
    chunk.detail =
        "limit exceeded: member size: more than " + bytesText(limits_.maxMemberSize) + " (maximum)";
  }
  return chunk;
}

// Returns a description of the file-wide limit that the scan of this file has
// exceeded, or "" while all are kept.
std::string ArchiveScanner::fileLimitExceeded() const {
  if (budget_.extracted > limits_.maxTotalExtracted) {
    return "limit exceeded: total extracted bytes: more than " +
           bytesText(limits_.maxTotalExtracted) + " extracted from '" + diskPath_->string() + "'";
  }

  const std::uint64_t diskSize = std::max<std::uint64_t>(budget_.diskSize, 1);
  if (budget_.extracted > limits_.ratioFloor &&
      budget_.extracted / diskSize > limits_.maxCompressionRatio) {
    return "limit exceeded: compression ratio: " + bytesText(budget_.extracted) +
           " extracted from a file of " + bytesText(budget_.diskSize) + " (ratio " +
           std::to_string(budget_.extracted / diskSize) + ", maximum " +
           std::to_string(limits_.maxCompressionRatio) + ")";
  }

  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - budget_.start);
  if (elapsed >= limits_.maxTimePerFile) {
    return "limit exceeded: time per file: " + std::to_string(elapsed.count()) +
           " ms spent (maximum " + std::to_string(limits_.maxTimePerFile.count()) + " ms)";
  }
  return {};
}

ScanResult ArchiveScanner::newMemberResult(const std::string& memberPath, int depth) const {
  ScanResult member;
  member.path = memberPath;
  member.file = *diskPath_;
  member.depth = depth;
  return member;
}

void ArchiveScanner::reportMemberProblem(ScanResult& member, SkipReason reason, std::string detail,
                                         ContainerOutcome& outcome) {
  member.verdict = Verdict::kNotScanned;
  member.reason = reason;
  member.detail = std::move(detail);
  reporter_.report(member);
  outcome.noteProblem(reason, "member '" + member.path + "' was not scanned: " + member.detail);
}

ByteBuffer& ArchiveScanner::memberBuffer(int depth) {
  while (memberBuffers_.size() <= static_cast<std::size_t>(depth)) memberBuffers_.emplace_back();
  return memberBuffers_[static_cast<std::size_t>(depth)];
}

}  // namespace odscan::engine
