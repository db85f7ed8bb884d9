// Creating libarchive readers for the scanner: every format libarchive reads, plus
// "raw" for single compressed streams such as clam.exe.bz2, and every compression
// filter that libarchive implements in-process.
#pragma once

#include <archive.h>

#include <memory>
#include <span>

#include "odscan/platform/read_only_file.h"

namespace odscan::engine {

struct ArchiveReaderDeleter {
  void operator()(archive* reader) const { archive_read_free(reader); }
};
using ArchiveReader = std::unique_ptr<archive, ArchiveReaderDeleter>;

// Returns a reader with the formats and filters enabled, or nullptr when
// libarchive cannot allocate one.
ArchiveReader newArchiveReader();

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

// Returns libarchive's last error message for `reader`, or "unknown error".
const char* archiveErrorText(archive* reader);

}  // namespace odscan::engine
