#include "file_scanner.h"

#include <algorithm>
#include <limits>
#include <new>
#include <utility>

#include "content_type.h"
#include "display_name.h"
#include "odscan/platform/file_view.h"
#include "odscan/platform/utf8_path.h"
#include "pattern_lookup.h"

namespace odscan::engine {
namespace {

// Large enough that big files need few read() calls, small enough to stay in the
// L2 cache between the copy from the page cache and the hashing.
constexpr std::size_t kReadBufferSize = 256 * 1024;
// A buffered container file bigger than this is freed after its scan.
constexpr std::size_t kKeptContentsBytes = 16u << 20;
// A file with at least this much left after its first block is hashed through
// mapped views, where the platform has them, instead of being copied into
// readBuffer_. Lower minimums (64 KiB, 256 KiB) saved no more time on the mixed
// benchmark tree, and each view costs an mmap() and a munmap() call.
constexpr std::uint64_t kMappedReadMinimum = 1u << 20;
// Bytes mapped at a time. MAP_POPULATE reads a whole view before mmap() returns,
// so a view bounds how long a cancelled scan waits on a slow disk.
constexpr std::size_t kViewBytes = 16u << 20;

// Hashes a mapped span for visitGuarded(), which allows no more than that. The
// span goes to the hasher in read-buffer slices, so that with several digest
// kinds each slice is still in the cache when the next kind hashes it.
void hashView(void* hasher, std::span<const std::uint8_t> bytes) {
  auto* multiHasher = static_cast<MultiHasher*>(hasher);
  for (std::size_t offset = 0; offset < bytes.size(); offset += kReadBufferSize) {
    multiHasher->update(bytes.subspan(offset, std::min(kReadBufferSize, bytes.size() - offset)));
  }
}

bool keptByQuickProfile(ContentType type, std::string_view name) {
  return type != ContentType::kOther || hasScriptExtension(name);
}

}  // namespace

FileScanner::FileScanner(const ScanContext& context, ScanCounters& counters)
    : context_(context),
      counters_(counters),
      reporter_(context.sink, counters),
      hasher_(context.pattern.requiredDigests()),
      archives_(context, hasher_, reporter_, counters),
      readBuffer_(kReadBufferSize) {}

void FileScanner::scan(const WorkItem& item) {
  if (context_.cancelled()) return;
  ++counters_.files;
  bytesRead_ = 0;

  try {
    const ScanHooks& hooks = context_.options.hooks;
    if (hooks.beforeOpen) hooks.beforeOpen(item.path);

    auto opened = platform::ReadOnlyFile::open(item.path, item.followSymlink);
    if (opened.ok()) {
      scanOpenFile(item, *opened);
    } else {
      reportOpenError(item, opened.error());
    }
  } catch (const std::bad_alloc&) {
    // A huge archive member can exhaust a 32-bit address space; the file is then
    // reported, not lost with the worker thread.
    startResult(item);
    reportNotScanned(SkipReason::kIoError, "not enough memory to scan the file");
  }

  counters_.bytes += bytesRead_;
  context_.progress.files.fetch_add(1, std::memory_order_relaxed);
  context_.progress.bytes.fetch_add(bytesRead_, std::memory_order_relaxed);
}

void FileScanner::scanOpenFile(const WorkItem& item, platform::ReadOnlyFile& file) {
  auto info = file.info();
  if (!info.ok()) {
    startResult(item);
    reportNotScanned(skipReasonFor(info.error().kind), info.error().message);
    return;
  }
  // The listing reported a regular file, but it may have been replaced since. A
  // FIFO opened here (non-blocking) is never read.
  if (info->type != platform::FileType::kRegular) {
    ++counters_.specialFiles;
    return;
  }
  expectedSize_ = info->size;
  if (context_.options.hooks.afterOpen) context_.options.hooks.afterOpen(item.path);

  // The first block decides the profile and whether the file is a container.
  auto head = fillBuffer(file, readBuffer_, 0);
  if (!head.ok()) {
    startResult(item);
    reportNotScanned(skipReasonFor(head.error().kind), head.error().message);
    return;
  }
  bytesRead_ = head->bytes;
  const std::string_view name = lastPathComponent(item.path);
  const ContentType type = detectContentType(std::span(readBuffer_).first(head->bytes));
  if (context_.options.profile == ScanProfile::kQuick && !keptByQuickProfile(type, name)) {
    ++counters_.skippedByProfile;
    return;
  }

  startResult(item);
  result_.size = expectedSize_;
  const std::uint64_t maxSize = context_.options.maxFileSize;
  if (maxSize != 0 && expectedSize_ > maxSize) {
    reportNotScanned(SkipReason::kSizeLimit, "the file has " + std::to_string(expectedSize_) +
                                                 " bytes, more than the maximum file size of " +
                                                 std::to_string(maxSize) + " bytes");
    return;
  }

  const bool isContainer = context_.options.scanArchives && type == ContentType::kContainer;
  // The size check against SIZE_MAX matters on 32-bit builds.
  const bool keep = isContainer &&
                    expectedSize_ <= context_.options.archiveLimits.maxBufferedFileSize &&
                    expectedSize_ < std::numeric_limits<std::size_t>::max();
  if (!readRest(item.path, file, *head, keep)) return;

  result_.digests = hasher_.finish();
  applyLookup(lookUpDigests(context_.pattern, result_.digests, result_.size), result_);

  if (isContainer) {
    ContainerFile container{result_.path,
                            result_.file,
                            name,
                            expectedSize_,
                            keep ? fileContents_.bytes() : std::span<const std::uint8_t>(),
                            keep ? nullptr : &file,
                            readBuffer_};
    if (!keep && !file.seek(0, platform::SeekOrigin::kBegin).ok()) {
      container.file = nullptr;  // scan() reports an empty archive as unreadable
    }
    const ContainerOutcome outcome = archives_.scan(container);
    fileContents_.release(kKeptContentsBytes);
    if (outcome.cancelled) return;
    applyContainerOutcome(outcome, result_);
  }
  reporter_.report(result_);
}

bool FileScanner::readRest(const std::string& path, platform::ReadOnlyFile& file, Fill head,
                           bool keep) {
  hasher_.reset();
  const std::span<const std::uint8_t> first = std::span(readBuffer_).first(head.bytes);
  hasher_.update(first);
  if (keep) {
    fileContents_.clear();
    // One allocation for the whole file.
    fileContents_.appendSpace(static_cast<std::size_t>(expectedSize_) + 1);
    fileContents_.append(first);
  }

  Fill fill = head;
  if (!keep && !fill.end && platform::fileViewsAvailable() && bytesRead_ < expectedSize_ &&
      expectedSize_ - bytesRead_ >= kMappedReadMinimum) {
    switch (hashMappedRest(path, file)) {
      case MappedRead::kDone:
        return true;
      case MappedRead::kReported:
        return false;
      case MappedRead::kUseRead:
        break;  // go on with read() from bytesRead_
    }
  }
  while (!fill.end) {
    if (context_.cancelled()) return false;
    std::span<std::uint8_t> into(readBuffer_);
    if (keep) {
      // Read straight into the reserved memory; it has one byte more than the file,
      // so a file that grew shows up without reallocating.
      const std::span<std::uint8_t> room = fileContents_.appendSpace(1);
      into = room.first(std::min(room.size(), kReadBufferSize));
    }
    auto next = fillBuffer(file, into, bytesRead_);
    if (!next.ok()) {
      reportNotScanned(skipReasonFor(next.error().kind), next.error().message);
      return false;
    }
    fill = *next;
    hasher_.update(into.first(fill.bytes));
    if (keep) fileContents_.commit(fill.bytes);
    bytesRead_ += fill.bytes;
  }

  if (bytesRead_ != expectedSize_) {
    reportNotScanned(SkipReason::kVanished,
                     "the file changed while it was read: it had " + std::to_string(expectedSize_) +
                         " bytes when opened, " + std::to_string(bytesRead_) + " bytes were read");
    return false;
  }
  return true;
}

FileScanner::MappedRead FileScanner::hashMappedRest(const std::string& path,
                                                    platform::ReadOnlyFile& file) {
  const std::uint64_t alignment = platform::fileViewAlignment();
  while (bytesRead_ < expectedSize_) {
    if (context_.cancelled()) return MappedRead::kReported;
    const std::uint64_t base = bytesRead_ - bytesRead_ % alignment;
    const auto length =
        static_cast<std::size_t>(std::min<std::uint64_t>(kViewBytes, expectedSize_ - base));
    const ScanHooks& hooks = context_.options.hooks;
    auto view = hooks.failMapping && hooks.failMapping(path, base)
                    ? platform::IoResult<platform::FileView>(platform::IoError{})
                    : platform::FileView::map(file, base, length);
    if (!view.ok()) {
      // Some file systems cannot map files (FUSE with direct I/O, for example);
      // read() still works there.
      if (file.seek(static_cast<std::int64_t>(bytesRead_), platform::SeekOrigin::kBegin).ok()) {
        return MappedRead::kUseRead;
      }
      reportNotScanned(skipReasonFor(view.error().kind), view.error().message);
      return MappedRead::kReported;
    }
    if (hooks.afterMapping) hooks.afterMapping(path);
    const std::span<const std::uint8_t> rest =
        view->bytes().subspan(static_cast<std::size_t>(bytesRead_ - base));
    auto hashed = platform::visitGuarded(*view, rest, hashView, &hasher_);
    if (!hashed.ok()) {
      // fstat on the open file still works after a truncation, so the size
      // separates a file that became shorter from a failed read.
      if (!reportedAsResized(file)) {
        reportNotScanned(SkipReason::kIoError, hashed.error().message);
      }
      return MappedRead::kReported;
    }
    bytesRead_ += rest.size();
  }

  // A mapping shows at most the size it was made for, so a file that grew
  // meanwhile is caught here, by its size.
  if (reportedAsResized(file)) return MappedRead::kReported;
  return MappedRead::kDone;
}

bool FileScanner::reportedAsResized(platform::ReadOnlyFile& file) {
  auto info = file.info();
  if (!info.ok() || info->size == expectedSize_) return false;
  reportNotScanned(SkipReason::kVanished, "the file changed while it was read: it had " +
                                              std::to_string(expectedSize_) +
                                              " bytes when opened, " + std::to_string(info->size) +
                                              " bytes at the end of the read");
  return true;
}

// Reads until `into` is full or the file ends. A read shorter than requested that
// reaches the size fstat reported is taken as the end of the file: that saves one
// read() per small file, and a file growing at that very moment goes unnoticed.
platform::IoResult<FileScanner::Fill> FileScanner::fillBuffer(platform::ReadOnlyFile& file,
                                                              std::span<std::uint8_t> into,
                                                              std::uint64_t offset) {
  Fill fill;
  while (fill.bytes < into.size()) {
    const std::span<std::uint8_t> rest = into.subspan(fill.bytes);
    auto count = file.read(rest);
    if (!count.ok()) return count.error();
    if (*count == 0) {
      fill.end = true;
      break;
    }
    fill.bytes += *count;
    if (*count < rest.size() && offset + fill.bytes >= expectedSize_) {
      fill.end = true;
      break;
    }
  }
  return fill;
}

void FileScanner::startResult(const WorkItem& item) {
  result_.path.clear();
  appendSanitized(item.path, result_.path);
  result_.file = platform::fromUtf8(item.path);
  result_.depth = 0;
  result_.size = 0;
  result_.verdict = Verdict::kClean;
  result_.threatName.clear();
  result_.source = DetectionSource::kNone;
  result_.reason = SkipReason::kNone;
  result_.detail.clear();
  result_.digests = FileDigests{};
}

void FileScanner::reportNotScanned(SkipReason reason, std::string detail) {
  result_.verdict = Verdict::kNotScanned;
  result_.reason = reason;
  result_.detail = std::move(detail);
  reporter_.report(result_);
}

void FileScanner::reportOpenError(const WorkItem& item, const platform::IoError& error) {
  if (error.kind == platform::IoErrorKind::kSymlink) {
    reporter_.event(ScanEvent::Kind::kSymlinkSkipped, item.path,
                    "the file was replaced by a symbolic link after it was listed");
    return;
  }
  startResult(item);
  std::string detail = error.message;
  if (error.kind == platform::IoErrorKind::kNotFound) {
    detail = "the file was deleted after it was listed: " + detail;
  }
  reportNotScanned(skipReasonFor(error.kind), std::move(detail));
}

}  // namespace odscan::engine
