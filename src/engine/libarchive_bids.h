// Models of libarchive's bidders: the checks that tell which of its readers may
// claim some bytes. The engine's own zip and gzip readers must report exactly
// what libarchive would, so they only take bytes that libarchive would read the
// same way, and hand everything else to libarchive.
//
// Each check models the bidder of one libarchive filter or format, as its sources
// read, and errs on the side of "may claim". A false "may claim" only sends bytes
// to the slower libarchive path, while a false "does not claim" could change a
// result. tests/engine/container_reader_test.cc compares the results with the
// installed libarchive (3.6.2 on Debian 12).
#pragma once

#include <cstdint>
#include <span>

namespace odscan::engine {

// Kind of a decompressed stream (the bytes that a gzip filter hands to the
// format readers), by the libarchive reader that would take it.
enum class DecompressedStreamKind {
  kEmpty,  // no bytes: libarchive's "empty" format, a container without members
  // Only the tar reader may claim the stream, and "raw" takes it when tar
  // rejects it.
  kTar,
  // No filter and no format but "raw" claims it: one member of these bytes.
  kRaw,
  // Another filter (uu, bzip2 ...) or format (cpio, zip ...) may claim it, so
  // only libarchive can tell what it contains.
  kOther,
};

DecompressedStreamKind classifyDecompressedStream(std::span<const std::uint8_t> stream);

// Returns true when libarchive's tar reader may claim `bytes`: a ustar magic, an
// all-zero first block (which tar reads as the end of an empty archive), or a
// first block whose checksum field matches its signed or unsigned byte sum.
bool tarMayClaim(std::span<const std::uint8_t> bytes);

// Returns true when one of the compression filters that the engine enables (see
// archive_reader.cc) may claim `bytes`.
bool filterMayClaim(std::span<const std::uint8_t> bytes);

// Returns true when the ISO 9660 reader may claim `bytes`: its first volume
// descriptor, at offset 32768, starts with "CD001" after the type byte. That
// reader bids more than zip's, so it matters even for bytes that start "PK".
bool iso9660MayClaim(std::span<const std::uint8_t> bytes);

}  // namespace odscan::engine
