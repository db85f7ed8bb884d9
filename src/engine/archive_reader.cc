#include "archive_reader.h"

#include <archive_entry.h>

#include <cerrno>
#include <cstdint>
#include <vector>

#include "display_name.h"

namespace odscan::engine {
namespace {

using FilterSupport = int (*)(archive*);
using FormatSupport = int (*)(archive*);

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

// The formats of libarchive 3.6 except "mtree", enabled one by one because
// archive_read_support_format_all() includes it. mtree is a text manifest that
// claims many plain text files, changelogs among them. It returns their lines as
// empty entries or fails on the first line it cannot parse, so the text itself
// would never be hashed. Without it such a file goes to "raw" and is scanned as
// one member. "empty" stays because it claims only a stream of zero bytes, which
// "raw" rejects as an unrecognized format. A gzip of an empty file is thus a
// clean container without members, not an archive error.
constexpr FormatSupport kFormats[] = {
    archive_read_support_format_7zip,  archive_read_support_format_ar,
    archive_read_support_format_cab,   archive_read_support_format_cpio,
    archive_read_support_format_empty, archive_read_support_format_iso9660,
    archive_read_support_format_lha,   archive_read_support_format_rar,
    archive_read_support_format_rar5,  archive_read_support_format_tar,
    archive_read_support_format_warc,  archive_read_support_format_xar,
    archive_read_support_format_zip,
};

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

std::string memberNameOf(archive* reader, archive_entry* entry, std::string_view containerName) {
  if (archive_format(reader) == ARCHIVE_FORMAT_RAW) return rawStreamMemberName(containerName);
  // The UTF-8 form needs a charset conversion, which fails for names that are not
  // valid in the archive's charset. The raw bytes are then shown sanitized.
  const char* name = archive_entry_pathname_utf8(entry);
  if (name == nullptr) name = archive_entry_pathname(entry);
  return memberDisplayName(name != nullptr ? std::string_view(name) : std::string_view());
}

}  // namespace

ArchiveReader newArchiveReader(ReaderFormats formats) {
  ArchiveReader reader(archive_read_new());
  if (reader == nullptr) return reader;
  if (formats != ReaderFormats::kTarOrRaw) {
    for (FilterSupport support : inProcessFilters()) support(reader.get());
  }
  if (formats == ReaderFormats::kContainers) {
    // A format that libarchive was built without (xar needs libxml2) registers
    // nothing, and its files are then reported as archives libarchive cannot read.
    for (FormatSupport support : kFormats) support(reader.get());
  }
  if (formats == ReaderFormats::kTarOrRaw) archive_read_support_format_tar(reader.get());
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

int openArchive(archive* reader, const ArchiveSource& source) {
  if (source.file == nullptr) return openArchiveMemory(reader, source.memory);
  if (!source.file->file->seek(0, platform::SeekOrigin::kBegin).ok()) {
    archive_set_error(reader, EIO, "cannot seek back to the start of the file");
    return ARCHIVE_FATAL;
  }
  return openArchiveFile(reader, *source.file);
}

const char* archiveErrorText(archive* reader) {
  const char* text = archive_error_string(reader);
  return text != nullptr ? text : "unknown error";
}

LibarchiveMemberSource::LibarchiveMemberSource(archive* reader, const std::string& containerPath,
                                               std::string_view containerName, bool decompressed)
    : reader_(reader),
      containerPath_(containerPath),
      containerName_(containerName),
      decompressed_(decompressed) {}

NextMember LibarchiveMemberSource::next() {
  NextMember next;
  // NOTE: libarchive 3.6 reads ahead as many bytes as a header field claims (a
  // cpio name size of up to 4 GiB) before it returns, decompressing them into one
  // buffer that none of the limits here checks. A 1 MiB cpio.gz took 1.3 GB.
  archive_entry* entry = nullptr;
  const int status = archive_read_next_header(reader_, &entry);
  if (status == ARCHIVE_EOF) return next;
  if (status == ARCHIVE_FATAL || status == ARCHIVE_FAILED || status == ARCHIVE_RETRY) {
    // After FAILED libarchive may go on with the next member. A damaged header
    // rarely leads anywhere useful, though, and retrying could loop, so the
    // scan stops and the archive is reported as not scanned.
    next.kind = NextMember::Kind::kError;
    next.error = "cannot read the archive '" + containerPath_ + "': " + archiveErrorText(reader_);
    return next;
  }
  // The raw format with no filter would hand back the input unchanged: the magic
  // matched but no real format or filter accepted the data.
  if (archive_format(reader_) == ARCHIVE_FORMAT_RAW && !compressed()) {
    next.kind = NextMember::Kind::kError;
    next.error = "'" + containerPath_ + "' looks like an archive but libarchive cannot read it";
    return next;
  }

  next.kind = NextMember::Kind::kMember;
  next.header.regularFile = archive_entry_filetype(entry) == AE_IFREG;
  if (!next.header.regularFile) return next;
  next.header.name = memberNameOf(reader_, entry, containerName_);
  if (archive_entry_size_is_set(entry) && archive_entry_size(entry) >= 0) {
    next.header.declaredSize = static_cast<std::uint64_t>(archive_entry_size(entry));
  }
  next.header.encrypted = archive_entry_is_encrypted(entry) != 0;
  return next;
}

MemberRead LibarchiveMemberSource::read(std::span<std::uint8_t> into) {
  MemberRead result;
  const la_ssize_t count = archive_read_data(reader_, into.data(), into.size());
  if (count < 0) {
    result.status =
        count == ARCHIVE_FATAL ? MemberRead::Status::kFatal : MemberRead::Status::kError;
    result.error = std::string("cannot extract the member: ") + archiveErrorText(reader_);
    return result;
  }
  result.bytes = static_cast<std::size_t>(count);
  return result;
}

bool LibarchiveMemberSource::compressed() const {
  return decompressed_ || archive_filter_count(reader_) > 1;
}

bool LibarchiveMemberSource::emptyStream() const {
  return archive_format(reader_) == ARCHIVE_FORMAT_EMPTY;
}

}  // namespace odscan::engine
