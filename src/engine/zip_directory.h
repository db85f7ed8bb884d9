// Reads the central directory of a zip file held in memory, for the engine's own
// zip reader. The reader must report exactly what libarchive 3.6's seeking zip
// reader reports for the same file, so this parser accepts only zip files that
// both would read the same way, and rejects everything else so that libarchive
// reads it. It accepts:
//  - one volume, with the end-of-central-directory record (and, for zip64, its
//    locator and zip64 record) at the end of the file, the directory right
//    before them, and no bytes prepended;
//  - stored (method 0) and deflated (method 8) entries without encryption;
//  - names of printable ASCII without backslashes, equal in the central
//    directory and the local header;
//  - regular files and folders (symbolic links and devices are rejected);
//  - sizes and CRC-32 in the local header that are zero (data descriptor) or
//    equal to the central directory's;
//  - entries whose local headers and data lie before the directory and do not
//    overlap.
// Every check on untrusted input is done before any entry is returned.
//
// Thread safety: a pure function of its input.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "odscan/common/status.h"

namespace odscan::engine {

struct ZipEntry {
  // Raw name bytes from the file (printable ASCII), valid as long as the zip is.
  std::string_view name;
  // A folder: libarchive returns it as a directory entry, which the scanner
  // skips. That is a name ending in '/', or the folder attributes of the host
  // system that wrote it.
  bool folder = false;
  bool deflated = false;  // method 8; otherwise stored
  std::uint32_t crc32 = 0;
  std::uint64_t compressedSize = 0;
  std::uint64_t uncompressedSize = 0;
  std::uint64_t dataOffset = 0;  // first byte of the member's data in the file
};

// Returns the entries of `zip` in the order of their local headers, which is the
// order in which libarchive returns them. Returns kUnsupportedVersion for a
// feature this parser leaves to libarchive (encryption, another method, zip64
// without its records, a non-ASCII name ...) and kCorrupt for an inconsistent
// file. The message names the entry and the field.
Result<std::vector<ZipEntry>> readZipDirectory(std::span<const std::uint8_t> zip);

}  // namespace odscan::engine
