// Fuzzes the engine's own zip and gzip readers, which parse hostile bytes before
// libarchive does. Each input is
//  1. parsed with readZipDirectory() and, when accepted, read member by member
//     with ZipMemberSource, whole (libdeflate) and in chunks (zlib). When both
//     ways succeed, they must return the same bytes.
//  2. inflated with inflateGzipFile(), whose output must have the size the
//     trailer declares, and classified.
//  3. scanned as a container held in memory twice, with the engine's readers and
//     with libarchive only. When libarchive reads it without an archive error,
//     both scans must report the same members, verdicts, reasons and digests,
//     which is the property the engine relies on when it picks a reader. After an
//     archive error they may differ: libdeflate 1.14 accepts some deflate streams
//     that zlib rejects, and the readers then scan bytes whose CRC-32 matched.
// Tight limits (1 MiB per member, 4 MiB per input, 64 members) keep each input
// fast.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <span>
#include <string>
#include <vector>

#include "archive_fuzz_members.h"
#include "archive_scanner.h"
#include "byte_buffer.h"
#include "deflate_decompressor.h"
#include "gzip_stream.h"
#include "libarchive_bids.h"
#include "odscan/common/hasher.h"
#include "odscan/engine/scan_sink.h"
#include "odscan/pattern/agent_pattern.h"
#include "scan_context.h"
#include "zip_directory.h"
#include "zip_member_source.h"

namespace {

using odscan::engine::ByteBuffer;
using odscan::engine::DeflateDecompressor;
using odscan::engine::MemberRead;
using odscan::engine::NextMember;

constexpr std::uint64_t kMaxMemberSize = 1u << 20;
constexpr std::size_t kReadChunkSize = 64 * 1024;

odscan::ArchiveLimits fuzzLimits() {
  odscan::ArchiveLimits limits;
  limits.maxDepth = 4;
  limits.maxMemberSize = kMaxMemberSize;
  limits.maxTotalExtracted = 4u << 20;
  limits.maxMembers = 64;
  // Long enough that the time limit never decides, so both scans stop at the same
  // point.
  limits.maxTimePerFile = std::chrono::milliseconds(60000);
  return limits;
}

const odscan::AgentPattern& fuzzPattern() {
  static const odscan::AgentPattern pattern = [] {
    const auto bytes = [](std::string_view text) {
      return std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
    };
    std::vector<odscan::Signature> exact = {
        {odscan::MultiHasher::digestOf(odscan::DigestKind::kSha256,
                                       bytes(odscan::fuzz::kThreatMember)),
         odscan::kAnySize, "Fuzz.Archive.Threat"}};
    const odscan::Digest query = odscan::MultiHasher::digestOf(odscan::DigestKind::kSha256,
                                                               bytes(odscan::fuzz::kQueryMember));
    auto built = odscan::AgentPattern::build(std::move(exact), std::span(&query, 1), 1);
    if (!built.ok()) std::abort();
    return std::move(built).value();
  }();
  return pattern;
}

// What readInChunks() read of one member.
struct ChunkedRead {
  bool ok = false;  // the member ended without an error
  std::uint64_t size = 0;
  std::uint32_t crc32 = 0;
};

// Reads the rest of the current member in chunks, up to a little more than the
// member size limit.
ChunkedRead readInChunks(odscan::engine::ZipMemberSource& source,
                         std::vector<std::uint8_t>& chunk) {
  ChunkedRead result;
  while (result.size <= kMaxMemberSize) {
    const MemberRead read = source.read(chunk);
    if (read.status != MemberRead::Status::kOk) return result;
    if (read.bytes == 0) {
      result.ok = true;
      return result;
    }
    result.crc32 = odscan::engine::crc32Of(std::span(chunk).first(read.bytes), result.crc32);
    result.size += read.bytes;
  }
  return result;  // longer than any member the whole path would return
}

void checkZipReader(std::span<const std::uint8_t> input, DeflateDecompressor& decompressor,
                    ByteBuffer& inflated) {
  auto entries = odscan::engine::readZipDirectory(input);
  if (!entries.ok()) return;

  odscan::engine::ZipMemberSource source(input, std::move(entries).value(), decompressor, inflated,
                                         true);
  std::vector<std::uint8_t> chunk(kReadChunkSize);
  while (true) {
    const NextMember next = source.next();
    if (next.kind != NextMember::Kind::kMember) break;
    if (!next.header.regularFile) continue;

    const auto whole = source.wholeMember(kMaxMemberSize);
    const ChunkedRead chunked = readInChunks(source, chunk);
    if (!whole || !chunked.ok) continue;
    if (chunked.size != whole->size() || chunked.crc32 != odscan::engine::crc32Of(*whole)) {
      std::cerr << "zip reader: whole and chunked reads of '" << next.header.name << "' differ\n";
      std::abort();
    }
  }
}

void checkGzipReader(std::span<const std::uint8_t> input, DeflateDecompressor& decompressor,
                     ByteBuffer& inflated) {
  const auto stream =
      odscan::engine::inflateGzipFile(input, kMaxMemberSize, decompressor, inflated);
  if (!stream) return;
  if (stream->size() != *odscan::engine::gzipDeclaredSize(input)) std::abort();
  (void)odscan::engine::classifyDecompressedStream(*stream);
}

// Collects one line per member result, with what both readers must agree on.
class LineSink : public odscan::ScanSink {
 public:
  void onResult(const odscan::ScanResult& result) override {
    std::string line = result.path + " | " + std::string(odscan::verdictName(result.verdict)) +
                       " | " + std::string(odscan::skipReasonName(result.reason));
    if (result.verdict != odscan::Verdict::kNotScanned) line += " | " + std::to_string(result.size);
    for (const auto& digest : result.digests.byKind) {
      if (digest) line += " | " + digest->toHex();
    }
    lines.push_back(std::move(line));
  }

  std::vector<std::string> lines;
};

// Scans the input as a container file held in memory and returns every member
// line and then the container's own outcome.
std::vector<std::string> scanLines(std::span<const std::uint8_t> input, bool libarchiveOnly) {
  static const std::string kDisplayPath = "fuzz-input.gz";
  static const std::filesystem::path kDiskPath = kDisplayPath;
  static const std::atomic<bool> neverCancelled{false};

  odscan::ScanOptions options;
  options.archiveLimits = fuzzLimits();
  options.hooks.libarchiveOnly = libarchiveOnly;
  LineSink sink;
  odscan::engine::ProgressCounters progress;
  const odscan::engine::ScanContext context{fuzzPattern(), options, sink, neverCancelled, progress};
  odscan::engine::ScanCounters counters;
  odscan::engine::ResultReporter reporter(sink, counters);
  odscan::MultiHasher hasher(fuzzPattern().requiredDigests());
  odscan::engine::ArchiveScanner scanner(context, hasher, reporter, counters);

  std::vector<std::uint8_t> readBuffer(4096);
  const odscan::engine::ContainerFile container{kDisplayPath, kDiskPath, kDisplayPath, input.size(),
                                                input,        nullptr,   readBuffer};
  const odscan::engine::ContainerOutcome outcome = scanner.scan(container);
  sink.lines.push_back("container | " + outcome.infectedPath + " | " + outcome.threatName + " | " +
                       std::string(odscan::skipReasonName(outcome.problemReason)));
  return std::move(sink.lines);
}

bool reportsArchiveError(const std::vector<std::string>& lines) {
  return std::any_of(lines.begin(), lines.end(), [](const std::string& line) {
    return line.find(" | archive_error") != std::string::npos;
  });
}

void checkReadersMatchLibarchive(std::span<const std::uint8_t> input) {
  const std::vector<std::string> own = scanLines(input, false);
  const std::vector<std::string> libarchive = scanLines(input, true);
  if (own == libarchive || reportsArchiveError(libarchive)) return;

  std::cerr << "the engine's readers and libarchive disagree\n-- readers:\n";
  for (const std::string& line : own) std::cerr << line << "\n";
  std::cerr << "-- libarchive:\n";
  for (const std::string& line : libarchive) std::cerr << line << "\n";
  std::abort();
}

}  // namespace

// As in archive_scanner_fuzzer: allocations over 256 MiB fail instead of
// exhausting memory, the way they fail on a 32-bit endpoint.
extern "C" const char* __asan_default_options() {
  return "allocator_may_return_null=1:max_allocation_size_mb=256";
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  static DeflateDecompressor decompressor;
  static ByteBuffer inflated;

  checkZipReader(input, decompressor, inflated);
  checkGzipReader(input, decompressor, inflated);
  // Only zip and gzip magic numbers lead to the engine's readers; every other
  // input would take the same libarchive path twice.
  const bool zip = size >= 2 && data[0] == 'P' && data[1] == 'K';
  const bool gzip = size >= 2 && data[0] == 0x1F && data[1] == 0x8B;
  if (zip || gzip) checkReadersMatchLibarchive(input);
  return 0;
}
