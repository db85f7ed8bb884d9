#include "archive_scanner.h"

#include <algorithm>
#include <utility>

#include "display_name.h"
#include "gzip_stream.h"
#include "libarchive_bids.h"
#include "pattern_lookup.h"
#include "zip_directory.h"
#include "zip_member_source.h"

namespace odscan::engine {
namespace {

constexpr std::size_t kChunkSize = 256 * 1024;
// Member buffers bigger than this are freed after each file on disk.
constexpr std::size_t kKeptBufferBytes = 16u << 20;

std::string bytesText(std::uint64_t bytes) { return std::to_string(bytes) + " bytes"; }

bool isZip(std::span<const std::uint8_t> bytes) {
  return bytes.size() >= 4 && bytes[0] == 'P' && bytes[1] == 'K' &&
         ((bytes[2] == 3 && bytes[3] == 4) || (bytes[2] == 5 && bytes[3] == 6));
}

bool isGzip(std::span<const std::uint8_t> bytes) {
  return bytes.size() >= 3 && bytes[0] == 0x1F && bytes[1] == 0x8B && bytes[2] == 8;
}

}  // namespace

ArchiveScanner::ArchiveScanner(const ScanContext& context, MultiHasher& hasher,
                               ResultReporter& reporter, ScanCounters& counters)
    : context_(context),
      limits_(context.options.archiveLimits),
      hasher_(hasher),
      reporter_(reporter),
      counters_(counters),
      budget_(context.options.archiveLimits),
      chunk_(kChunkSize) {}

ArchiveScanner::~ArchiveScanner() = default;

ContainerOutcome ArchiveScanner::scan(const ContainerFile& container) {
  budget_.start(container.path, container.size);
  diskPath_ = &container.path;

  // NOTE: a container larger than maxBufferedFileSize is read twice (once hashed,
  // once by libarchive), because zip and 7z readers seek to their directory at
  // the end, and a third time when it is a compressed stream that scanContainer()
  // reads again as raw. The file may change between the reads.
  ArchiveFileSource fileSource{container.file, container.readBuffer};
  const bool buffered = !container.contents.empty() || container.file == nullptr;
  const ArchiveSource source{container.contents, buffered ? nullptr : &fileSource};

  ContainerOutcome outcome =
      scanContainer(source, Container{container.displayPath, container.name, 0});
  for (ByteBuffer& buffer : memberBuffers_) buffer.release(kKeptBufferBytes);
  for (ByteBuffer& buffer : inflateBuffers_) buffer.release(kKeptBufferBytes);
  return outcome;
}

ContainerOutcome ArchiveScanner::scanContainer(const ArchiveSource& source,
                                               const Container& container) {
  if (source.file == nullptr && ownReadersEnabled()) {
    std::optional<ContainerOutcome> outcome;
    if (isZip(source.memory)) outcome = scanZip(source.memory, container);
    if (isGzip(source.memory)) outcome = scanGzip(source.memory, container);
    if (outcome) return std::move(*outcome);
  }
  notifyContainerOpened(container, ContainerReader::kLibarchive);
  return scanWithLibarchive(source, container);
}

ContainerOutcome ArchiveScanner::scanWithLibarchive(const ArchiveSource& source,
                                                    const Container& container) {
  Pass pass = scanLibarchivePass(source, ReaderFormats::kContainers, container);
  // Without a filter the container's own digest covers all of its bytes, and an
  // empty stream has no bytes to hash.
  const bool covered = !pass.compressed || pass.fileMembers > 0 || pass.emptyStream;
  if (covered || pass.outcome.cancelled || budget_.stopped()) return std::move(pass.outcome);

  // The format reader returned no file from a decompressed stream, so none of its
  // bytes were hashed. libarchive's tar reader does that with any stream that
  // starts with 512 zero bytes, taking them for the end-of-archive marker, and a
  // format that fails on its first header does it too. Reading the stream again
  // as one raw member hashes it, and the limits stop a bomb of zeros.
  Pass raw = scanLibarchivePass(source, ReaderFormats::kRawOnly, container);
  pass.outcome.merge(raw.outcome);
  return std::move(pass.outcome);
}

ArchiveScanner::Pass ArchiveScanner::scanLibarchivePass(const ArchiveSource& source,
                                                        ReaderFormats formats,
                                                        const Container& container) {
  ArchiveReader reader = newArchiveReader(formats);
  if (reader == nullptr) {
    Pass failed;
    failed.outcome.noteProblem(SkipReason::kArchiveError,
                               "libarchive could not allocate a reader for '" + container.path +
                                   "'; the system is out of memory");
    return failed;
  }
  if (openArchive(reader.get(), source) != ARCHIVE_OK) {
    Pass failed;
    failed.outcome.noteProblem(
        SkipReason::kArchiveError,
        "cannot open '" + container.path + "' as an archive: " + archiveErrorText(reader.get()));
    return failed;
  }

  // Only the tar reader of a stream the gzip reader inflated runs without a filter
  // on decompressed bytes.
  const bool decompressed = formats == ReaderFormats::kTarOrRaw;
  LibarchiveMemberSource members(reader.get(), container.path, container.name, decompressed);
  Pass pass = scanMembers(members, container);
  pass.compressed = members.compressed();
  pass.emptyStream = members.emptyStream();
  return pass;
}

std::optional<ContainerOutcome> ArchiveScanner::scanZip(std::span<const std::uint8_t> zip,
                                                        const Container& container) {
  // These readers bid more than libarchive's zip reader would.
  if (tarMayClaim(zip) || iso9660MayClaim(zip) || filterMayClaim(zip)) return std::nullopt;
  auto entries = readZipDirectory(zip);
  if (!entries.ok()) return std::nullopt;

  notifyContainerOpened(container, ContainerReader::kZipReader);
  const bool inflateWhole = context_.options.profile == ScanProfile::kFull;
  ZipMemberSource members(zip, std::move(entries).value(), decompressor_,
                          inflateBuffer(container.depth + 1), inflateWhole);
  return std::move(scanMembers(members, container).outcome);
}

std::optional<ContainerOutcome> ArchiveScanner::scanGzip(std::span<const std::uint8_t> gzip,
                                                         const Container& container) {
  // libarchive then reports the cancellation or the limit at the usual point.
  if (context_.cancelled() || !budget_.exceeded().empty()) return std::nullopt;

  // The stream is counted as extracted when its members are read, as it is when
  // libarchive decompresses it, so the budget only bounds what is inflated here.
  const std::uint64_t maxSize = std::min(limits_.maxMemberSize, budget_.remainingBytes());
  const auto stream =
      inflateGzipFile(gzip, maxSize, decompressor_, inflateBuffer(container.depth + 1));
  if (!stream) return std::nullopt;

  switch (classifyDecompressedStream(*stream)) {
    case DecompressedStreamKind::kOther:
      return std::nullopt;
    case DecompressedStreamKind::kEmpty:
      notifyContainerOpened(container, ContainerReader::kGzipReader);
      return ContainerOutcome{};
    case DecompressedStreamKind::kTar:
      notifyContainerOpened(container, ContainerReader::kGzipReader);
      return scanInflatedTar(*stream, container);
    case DecompressedStreamKind::kRaw: {
      notifyContainerOpened(container, ContainerReader::kGzipReader);
      StreamMemberSource member(*stream, container.name);
      return std::move(scanMembers(member, container).outcome);
    }
  }
  return std::nullopt;
}

ContainerOutcome ArchiveScanner::scanInflatedTar(std::span<const std::uint8_t> stream,
                                                 const Container& container) {
  Pass pass =
      scanLibarchivePass(ArchiveSource{stream, nullptr}, ReaderFormats::kTarOrRaw, container);
  if (pass.fileMembers > 0 || pass.outcome.cancelled || budget_.stopped()) {
    return std::move(pass.outcome);
  }

  // As in scanWithLibarchive(): tar found no file, so the stream is one member.
  StreamMemberSource raw(stream, container.name);
  pass.outcome.merge(scanMembers(raw, container).outcome);
  return std::move(pass.outcome);
}

ArchiveScanner::Pass ArchiveScanner::scanMembers(MemberSource& source, const Container& container) {
  Pass pass;
  ContainerOutcome& outcome = pass.outcome;
  while (true) {
    if (context_.cancelled()) {
      outcome.cancelled = true;
      break;
    }
    if (std::string exceeded = budget_.exceeded(); !exceeded.empty()) {
      outcome.noteProblem(SkipReason::kArchiveLimit, std::move(exceeded));
      budget_.stop();
      break;
    }

    NextMember next = source.next();
    if (next.kind == NextMember::Kind::kEnd) break;
    if (next.kind == NextMember::Kind::kError) {
      outcome.noteProblem(SkipReason::kArchiveError, std::move(next.error));
      break;
    }
    if (!next.header.regularFile) continue;
    ++pass.fileMembers;

    if (std::string exceeded = budget_.countMember(); !exceeded.empty()) {
      outcome.noteProblem(SkipReason::kArchiveLimit, std::move(exceeded));
      budget_.stop();
      break;
    }

    ScanResult member =
        newMemberResult(container.path + "!" + next.header.name, container.depth + 1);
    if (!scanMember(source, next.header, member, lastPathComponent(next.header.name), outcome)) {
      break;
    }
  }
  return pass;
}

bool ArchiveScanner::scanMember(MemberSource& source, const MemberHeader& header,
                                ScanResult& member, std::string_view memberName,
                                ContainerOutcome& outcome) {
  if (header.encrypted) {
    reportMemberProblem(member, SkipReason::kArchiveError,
                        "the member is encrypted and cannot be read without its password", outcome);
    return true;
  }
  if (header.declaredSize && *header.declaredSize > limits_.maxMemberSize) {
    member.size = *header.declaredSize;
    reportMemberProblem(member, SkipReason::kArchiveLimit,
                        "limit exceeded: member size: " + bytesText(member.size) + " > maximum " +
                            bytesText(limits_.maxMemberSize),
                        outcome);
    return discardMember(source, outcome);
  }

  const auto whole = source.wholeMember(budget_.remainingBytes());
  if (whole && whole->size() <= limits_.maxMemberSize) {
    return scanWholeMember(source, *whole, member, memberName, outcome);
  }
  return scanStreamedMember(source, member, memberName, outcome);
}

// Mirrors scanStreamedMember() for a member whose bytes are all in memory. The
// streamed path learns the type from its first chunk and checks the limits after
// every chunk. Checking them after the first chunk's worth of bytes and again
// after the rest gives the same results.
bool ArchiveScanner::scanWholeMember(MemberSource& source, std::span<const std::uint8_t> data,
                                     ScanResult& member, std::string_view memberName,
                                     ContainerOutcome& outcome) {
  if (context_.cancelled()) {
    outcome.cancelled = true;
    return false;
  }
  const std::size_t headBytes = std::min(data.size(), kChunkSize);
  budget_.addExtracted(headBytes);
  if (std::string exceeded = budget_.exceeded(); !exceeded.empty()) {
    budget_.stop();
    reportMemberProblem(member, SkipReason::kArchiveLimit, std::move(exceeded), outcome);
    return false;
  }

  const ContentType type =
      detectContentType(data.first(std::min(data.size(), kContentTypeHeadSize)));
  const bool skipped = context_.options.profile == ScanProfile::kQuick &&
                       type == ContentType::kOther && !hasScriptExtension(memberName);
  if (skipped) ++counters_.skippedByProfile;
  if (skipped && !source.skippingDecompresses()) return true;

  budget_.addExtracted(data.size() - headBytes);
  if (std::string exceeded = budget_.exceeded(); !exceeded.empty()) {
    budget_.stop();
    if (skipped) {
      outcome.noteProblem(SkipReason::kArchiveLimit, std::move(exceeded));
    } else {
      member.size = headBytes;
      reportMemberProblem(member, SkipReason::kArchiveLimit, std::move(exceeded), outcome);
    }
    return false;
  }
  if (skipped) return true;

  member.size = data.size();
  hasher_.reset();
  hasher_.update(data);
  member.digests = hasher_.finish();
  return finishMember(member, type, data, memberName, outcome);
}

bool ArchiveScanner::scanStreamedMember(MemberSource& source, ScanResult& member,
                                        std::string_view memberName, ContainerOutcome& outcome) {
  // Read the first bytes to learn what the member is.
  ByteBuffer& head = memberBuffer(member.depth);
  head.clear();
  std::uint64_t memberBytes = 0;
  Chunk chunk;
  while (head.size() < kContentTypeHeadSize) {
    std::span<std::uint8_t> room = head.appendSpace(kChunkSize).first(kChunkSize);
    chunk = readChunk(source, room, memberBytes);
    if (chunk.stop != ChunkStop::kNone || chunk.bytes == 0) break;
    head.commit(chunk.bytes);
    memberBytes += chunk.bytes;
  }

  const ContentType type = detectContentType(head.bytes());
  if (chunk.stop == ChunkStop::kNone && context_.options.profile == ScanProfile::kQuick &&
      type == ContentType::kOther && !hasScriptExtension(memberName)) {
    ++counters_.skippedByProfile;
    return discardMember(source, outcome);
  }
  const bool openNested = context_.options.scanArchives && type == ContentType::kContainer &&
                          member.depth < limits_.maxDepth;

  // A nested container is kept whole for libarchive; anything else is hashed as it
  // streams through the chunk buffer.
  hasher_.reset();
  if (!openNested) hasher_.update(head.bytes());
  while (chunk.stop == ChunkStop::kNone && chunk.bytes != 0) {
    std::span<std::uint8_t> room =
        openNested ? head.appendSpace(kChunkSize).first(kChunkSize) : std::span(chunk_);
    chunk = readChunk(source, room, memberBytes);
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
      return discardMember(source, outcome);
    case ChunkStop::kError:
      reportMemberProblem(member, SkipReason::kArchiveError, std::move(chunk.detail), outcome);
      return true;
    case ChunkStop::kFileLimit:
      budget_.stop();
      reportMemberProblem(member, SkipReason::kArchiveLimit, std::move(chunk.detail), outcome);
      return false;
    case ChunkStop::kFatal:
      budget_.stop();
      reportMemberProblem(member, SkipReason::kArchiveError, std::move(chunk.detail), outcome);
      return false;
  }

  if (openNested) hasher_.update(head.bytes());
  member.digests = hasher_.finish();
  return finishMember(member, type, openNested ? head.bytes() : std::span<const std::uint8_t>(),
                      memberName, outcome);
}

bool ArchiveScanner::finishMember(ScanResult& member, ContentType type,
                                  std::span<const std::uint8_t> bytes, std::string_view memberName,
                                  ContainerOutcome& outcome) {
  applyLookup(lookUpDigests(context_.pattern, member.digests, member.size), member);
  const bool ownInfected = member.verdict == Verdict::kInfected;
  const bool isContainer = context_.options.scanArchives && type == ContentType::kContainer;

  ContainerOutcome nested;
  if (isContainer && member.depth < limits_.maxDepth) {
    nested = scanContainer(ArchiveSource{bytes, nullptr},
                           Container{member.path, memberName, member.depth});
    if (nested.cancelled) {
      outcome.cancelled = true;
      return false;
    }
    applyContainerOutcome(nested, member);
  } else if (isContainer && !ownInfected) {
    member.verdict = Verdict::kNotScanned;
    member.reason = SkipReason::kArchiveLimit;
    member.detail = "limit exceeded: nesting depth: its members would be at depth " +
                    std::to_string(member.depth + 1) + " > maximum " +
                    std::to_string(limits_.maxDepth);
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
  return !budget_.stopped();
}

// Behind a compression filter (tar.gz, cpio.xz, a single .gz stream) libarchive
// skips a member by decompressing it, unchecked by any limit, so a skipped bomb
// would still run for as long as it expands. Reading the member here instead lets
// the file-wide limits stop it. Without a filter, skipping is a seek and is left to
// libarchive. A stream that the gzip reader inflated counts as filtered, so that
// its members count the same bytes as they would behind libarchive's filter.
bool ArchiveScanner::discardMember(MemberSource& source, ContainerOutcome& outcome) {
  if (!source.skippingDecompresses()) return true;
  while (true) {
    Chunk chunk = readChunk(source, chunk_, 0);
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
        budget_.stop();
        outcome.noteProblem(SkipReason::kArchiveLimit, std::move(chunk.detail));
        return false;
      case ChunkStop::kFatal:
        budget_.stop();
        outcome.noteProblem(SkipReason::kArchiveError, std::move(chunk.detail));
        return false;
    }
  }
}

ArchiveScanner::Chunk ArchiveScanner::readChunk(MemberSource& source, std::span<std::uint8_t> into,
                                                std::uint64_t memberBytes) {
  Chunk chunk;
  if (context_.cancelled()) {
    chunk.stop = ChunkStop::kCancelled;
    return chunk;
  }

  MemberRead read = source.read(into);
  if (read.status != MemberRead::Status::kOk) {
    chunk.stop = read.status == MemberRead::Status::kFatal ? ChunkStop::kFatal : ChunkStop::kError;
    chunk.detail = std::move(read.error);
    return chunk;
  }
  chunk.bytes = read.bytes;
  budget_.addExtracted(chunk.bytes);

  if (std::string exceeded = budget_.exceeded(); !exceeded.empty()) {
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

bool ArchiveScanner::ownReadersEnabled() const { return !context_.options.hooks.libarchiveOnly; }

void ArchiveScanner::notifyContainerOpened(const Container& container,
                                           ContainerReader reader) const {
  if (context_.options.hooks.containerOpened) {
    context_.options.hooks.containerOpened(container.path, reader);
  }
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

ByteBuffer& ArchiveScanner::inflateBuffer(int depth) {
  while (inflateBuffers_.size() <= static_cast<std::size_t>(depth)) inflateBuffers_.emplace_back();
  return inflateBuffers_[static_cast<std::size_t>(depth)];
}

}  // namespace odscan::engine
