#include "archive_reader.h"

#include <cerrno>
#include <cstdint>
#include <vector>

namespace odscan::engine {
namespace {

using FilterSupport = int (*)(archive*);

// libarchive falls back to running an external program (for example "lzop -d")
// for a filter whose library it was built without, and signals that by returning
// ARCHIVE_WARN. The scanner must not start programs on the endpoint, so only the
// filters that register with ARCHIVE_OK on a probe reader are used. lrzip, grzip
// and lzop always or usually need a program and are left out.
const std::vector<FilterSupport>& inProcessFilters() {
  static const std::vector<FilterSupport> filters = [] {
    const FilterSupport candidates[] = {
        archive_read_support_filter_gzip, archive_read_support_filter_bzip2,
        archive_read_support_filter_xz,   archive_read_support_filter_lzma,
        archive_read_support_filter_lzip, archive_read_support_filter_zstd,
        archive_read_support_filter_lz4,  archive_read_support_filter_compress,
        archive_read_support_filter_rpm,  archive_read_support_filter_uu,
    };
    std::vector<FilterSupport> usable;
    for (FilterSupport support : candidates) {
      ArchiveReader probe(archive_read_new());
      if (probe != nullptr && support(probe.get()) == ARCHIVE_OK) usable.push_back(support);
    }
    return usable;
  }();
  return filters;
}

la_ssize_t readFromFile(archive* reader, void* data, const void** block) {
  auto* source = static_cast<ArchiveFileSource*>(data);
  auto count = source->file->read(source->buffer);
  if (!count.ok()) {
    archive_set_error(reader, EIO, "%s", count.error().message.c_str());
    return ARCHIVE_FATAL;
  }
  *block = source->buffer.data();
  return static_cast<la_ssize_t>(*count);
}

la_int64_t seekInFile(archive* reader, void* data, la_int64_t offset, int whence) {
  auto* source = static_cast<ArchiveFileSource*>(data);
  platform::SeekOrigin origin = platform::SeekOrigin::kBegin;
  if (whence == SEEK_CUR) origin = platform::SeekOrigin::kCurrent;
  if (whence == SEEK_END) origin = platform::SeekOrigin::kEnd;
  auto position = source->file->seek(offset, origin);
  if (!position.ok()) {
    archive_set_error(reader, EIO, "%s", position.error().message.c_str());
    return ARCHIVE_FATAL;
  }
  return static_cast<la_int64_t>(*position);
}

la_int64_t skipInFile(archive* reader, void* data, la_int64_t request) {
  auto* source = static_cast<ArchiveFileSource*>(data);
  auto before = source->file->seek(0, platform::SeekOrigin::kCurrent);
  auto after = source->file->seek(request, platform::SeekOrigin::kCurrent);
  if (!before.ok() || !after.ok()) {
    archive_set_error(reader, EIO, "cannot skip ahead in the archive");
    return ARCHIVE_FATAL;
  }
  return static_cast<la_int64_t>(*after - *before);
}

}  // namespace

ArchiveReader newArchiveReader() {
  ArchiveReader reader(archive_read_new());
  if (reader == nullptr) return reader;
  for (FilterSupport support : inProcessFilters()) support(reader.get());
  archive_read_support_format_all(reader.get());
  archive_read_support_format_raw(reader.get());
  return reader;
}

int openArchiveMemory(archive* reader, std::span<const std::uint8_t> contents) {
  return archive_read_open_memory(reader, contents.data(), contents.size());
}

int openArchiveFile(archive* reader, ArchiveFileSource& source) {
  archive_read_set_callback_data(reader, &source);
  archive_read_set_read_callback(reader, readFromFile);
  archive_read_set_seek_callback(reader, seekInFile);
  archive_read_set_skip_callback(reader, skipInFile);
  return archive_read_open1(reader);
}

const char* archiveErrorText(archive* reader) {
  const char* text = archive_error_string(reader);
  return text != nullptr ? text : "unknown error";
}

}  // namespace odscan::engine
