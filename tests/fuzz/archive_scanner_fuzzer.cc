// Fuzzes the scan engine's container scanning. Every archive on an endpoint is
// hostile input that the scanner hands to libarchive and then walks member by
// member, nested containers included. The input is scanned as a container file
// twice: held in memory with the full profile, the way the engine scans files up
// to maxBufferedFileSize, and read through a file with the quick profile, the way
// it scans bigger ones. The memory pass runs even when the first bytes do not look
// like a container, because libarchive's format detection then still parses them.
// Tight limits (1 MiB per member, 4 MiB per input, 64 members, 1 s per pass) keep
// each input fast.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "archive_fuzz_members.h"
#include "archive_scanner.h"
#include "content_type.h"
#include "odscan/common/hasher.h"
#include "odscan/engine/scan_sink.h"
#include "odscan/pattern/agent_pattern.h"
#include "odscan/platform/read_only_file.h"
#include "scan_context.h"

namespace {

using odscan::engine::ArchiveScanner;
using odscan::engine::ContainerFile;
using odscan::engine::ContainerOutcome;

constexpr int kMaxDepth = 4;
// Reads of the file pass go through a small buffer, so the read, seek and skip
// callbacks run many times per input.
constexpr std::size_t kFileReadBufferSize = 4096;

odscan::ArchiveLimits fuzzLimits() {
  odscan::ArchiveLimits limits;
  limits.maxDepth = kMaxDepth;
  limits.maxMemberSize = 1u << 20;
  limits.maxTotalExtracted = 4u << 20;
  limits.maxMembers = 64;
  limits.maxTimePerFile = std::chrono::milliseconds(1000);
  return limits;
}

// Discards results, but aborts on a member result that breaks the engine's own
// rules: depth within the limit and a display path free of control characters.
class CheckingSink : public odscan::ScanSink {
 public:
  void onResult(const odscan::ScanResult& result) override {
    if (result.depth < 1 || result.depth > kMaxDepth) std::abort();
    for (const char c : result.path) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) std::abort();
    }
  }
};

const odscan::AgentPattern& fuzzPattern() {
  static const odscan::AgentPattern pattern = [] {
    const auto bytes = [](std::string_view text) {
      return std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
    };
    std::vector<odscan::Signature> exact;
    for (const auto kind :
         {odscan::DigestKind::kMd5, odscan::DigestKind::kSha1, odscan::DigestKind::kSha256}) {
      exact.push_back({odscan::MultiHasher::digestOf(kind, bytes(odscan::fuzz::kThreatMember)),
                       odscan::kAnySize, "Fuzz.Archive.Threat"});
    }
    const odscan::Digest query = odscan::MultiHasher::digestOf(odscan::DigestKind::kSha256,
                                                               bytes(odscan::fuzz::kQueryMember));
    auto built = odscan::AgentPattern::build(std::move(exact), std::span(&query, 1), 1);
    if (!built.ok()) std::abort();
    return std::move(built).value();
  }();
  return pattern;
}

// Holds the current input as a file for the file pass. An anonymous memory file
// leaves nothing behind when a crash ends the process.
class InputFile {
 public:
  InputFile() : descriptor_(memfd_create("archive_scanner_fuzzer", MFD_CLOEXEC)) {
    if (descriptor_ < 0) std::abort();
    path_ = "/proc/self/fd/" + std::to_string(descriptor_);
  }
  ~InputFile() { close(descriptor_); }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  // Replaces the file's contents and returns its path.
  const std::string& store(std::span<const std::uint8_t> data) {
    if (ftruncate(descriptor_, 0) != 0) std::abort();
    std::size_t written = 0;
    while (written < data.size()) {
      const ssize_t count = pwrite(descriptor_, data.data() + written, data.size() - written,
                                   static_cast<off_t>(written));
      if (count <= 0) std::abort();
      written += static_cast<std::size_t>(count);
    }
    return path_;
  }

 private:
  int descriptor_;
  std::string path_;
};

// One way of scanning the input. Like a worker's FileScanner, it keeps its
// ArchiveScanner from input to input, so buffers reused across files are fuzzed
// too.
class ScanPass {
 public:
  explicit ScanPass(odscan::ScanProfile profile)
      : context_{fuzzPattern(), options_, sink_, neverCancelled_, progress_},
        reporter_(sink_, counters_),
        hasher_(fuzzPattern().requiredDigests()),
        scanner_(context_, hasher_, reporter_, counters_),
        readBuffer_(kFileReadBufferSize) {
    options_.profile = profile;
    options_.archiveLimits = fuzzLimits();
  }

  // Scans `input` from memory, or through `file` when it is set.
  ContainerOutcome scan(std::span<const std::uint8_t> input, odscan::platform::ReadOnlyFile* file) {
    const ContainerFile container{kDisplayPath,
                                  kDiskPath,
                                  kDisplayPath,
                                  input.size(),
                                  file != nullptr ? std::span<const std::uint8_t>() : input,
                                  file,
                                  readBuffer_};
    return scanner_.scan(container);
  }

 private:
  inline static const std::string kDisplayPath = "fuzz-input";
  inline static const std::filesystem::path kDiskPath = kDisplayPath;

  odscan::ScanOptions options_;
  CheckingSink sink_;
  const std::atomic<bool> neverCancelled_{false};
  odscan::engine::ProgressCounters progress_;
  const odscan::engine::ScanContext context_;
  odscan::engine::ScanCounters counters_;
  odscan::engine::ResultReporter reporter_;
  odscan::MultiHasher hasher_;
  ArchiveScanner scanner_;
  std::vector<std::uint8_t> readBuffer_;
};

}  // namespace

// libarchive sizes its read-ahead buffer from header fields, so a cpio name size
// alone can request 4 GiB. On the 32-bit endpoint such a malloc() fails and
// libarchive reports an error. Here every allocation over 256 MiB fails the same
// way, which keeps those inputs fast (ASan would otherwise poison the shadow of
// gigabytes) and keeps libFuzzer's single-malloc limit from flagging them.
extern "C" const char* __asan_default_options() {
  return "allocator_may_return_null=1:max_allocation_size_mb=256";
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);

  static ScanPass memoryPass(odscan::ScanProfile::kFull);
  if (memoryPass.scan(input, nullptr).cancelled) std::abort();

  // The engine hands a file to libarchive only when its first bytes look like a
  // container, and the file pass does the same.
  const auto type = odscan::engine::detectContentType(
      input.first(std::min(input.size(), odscan::engine::kContentTypeHeadSize)));
  if (type != odscan::engine::ContentType::kContainer) return 0;

  static InputFile inputFile;
  static ScanPass filePass(odscan::ScanProfile::kQuick);
  auto file = odscan::platform::ReadOnlyFile::open(inputFile.store(input), true);
  if (!file.ok()) std::abort();
  if (filePass.scan(input, &*file).cancelled) std::abort();
  return 0;
}
