// Creating libarchive readers for the scanner: every format libarchive reads except
// mtree (a text manifest), plus "raw" for single compressed streams such as
// clam.exe.bz2, and every compression filter that libarchive implements in-process.
// LibarchiveMemberSource walks the members of an open reader.
#pragma once

#include <archive.h>

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "member_source.h"
#include "odscan/platform/read_only_file.h"

namespace odscan::engine {

struct ArchiveReaderDeleter {
  void operator()(archive* reader) const { archive_read_free(reader); }
};
using ArchiveReader = std::unique_ptr<archive, ArchiveReaderDeleter>;

enum class ReaderFormats {
  // Every format but mtree, with "raw" as the fallback for a stream that no
  // other format claims.
  kContainers,
  // Only "raw", so the decompressed stream becomes one member whatever it holds.
  kRawOnly,
  // tar, with "raw" as the fallback, and no filters: for a stream the engine has
  // decompressed itself, in which no other filter or format can find anything
  // (see libarchive_bids.h).
  kTarOrRaw,
};

// Returns a reader with `formats` and, except for kTarOrRaw, the filters enabled,
// or nullptr when libarchive cannot allocate one.
ArchiveReader newArchiveReader(ReaderFormats formats = ReaderFormats::kContainers);

// State for the read callbacks of a reader opened on a file. It must outlive the
// reader.
struct ArchiveFileSource {
  platform::ReadOnlyFile* file = nullptr;
  std::span<std::uint8_t> buffer;
};

// Opens `reader` on bytes in memory; the bytes must outlive the reader.
int openArchiveMemory(archive* reader, std::span<const std::uint8_t> contents);

// Opens `reader` on `source`, reading the file from its current position with
// seek support (zip and 7z read their directories from the end).
int openArchiveFile(archive* reader, ArchiveFileSource& source);

// A container's bytes, which readers may open one after another: bytes in memory,
// or a file on disk. Both must outlive the readers.
struct ArchiveSource {
  std::span<const std::uint8_t> memory;
  ArchiveFileSource* file = nullptr;  // read instead of `memory` when set
};

// Opens `reader` on `source` from its first byte. A file is first sought back to
// its start, so a second reader does not go on where the first one stopped.
int openArchive(archive* reader, const ArchiveSource& source);

// Returns libarchive's last error message for `reader`, or "unknown error".
const char* archiveErrorText(archive* reader);

// The members of a container as libarchive reads them.
class LibarchiveMemberSource final : public MemberSource {
 public:
  // `reader` must be open and must outlive the source. With `decompressed` set,
  // the engine decompressed the bytes before handing them to libarchive, so a
  // "raw" result is a single compressed stream although libarchive ran no
  // filter.
  LibarchiveMemberSource(archive* reader, const std::string& containerPath,
                         std::string_view containerName, bool decompressed);

  NextMember next() override;
  MemberRead read(std::span<std::uint8_t> into) override;
  bool skippingDecompresses() const override { return compressed(); }

  // True when the bytes went through a decompression filter, libarchive's or the
  // engine's.
  bool compressed() const;
  // True when libarchive's "empty" format took the container: zero bytes.
  bool emptyStream() const;

 private:
  archive* reader_;
  const std::string& containerPath_;
  std::string_view containerName_;
  bool decompressed_;
};

}  // namespace odscan::engine
