// DeflateDecompressor: inflates whole deflate streams held in memory with
// libdeflate, into a buffer whose size the caller knows in advance (a gzip
// trailer's ISIZE, a zip entry's uncompressed size). libdeflate inflates faster
// than zlib, but it cannot inflate part of a stream, so the caller must have room
// for the whole output.
//
// Each inflate call checks everything the format allows: the output must fill the
// buffer exactly and the stream must end exactly at the end of the input. Any
// other outcome is reported as a failure without a reason, because callers then
// hand the bytes to zlib or libarchive, which report the precise error.
//
// NOTE: libdeflate 1.14 accepts some damaged deflate streams that zlib 1.2.13
// rejects (zip_reader_fuzzer found one with a changed bit). Their output still
// passes the CRC-32 check, so the engine scans such a member where libarchive
// would report an archive error.
//
// Thread safety: one DeflateDecompressor per thread, as libdeflate requires.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

struct libdeflate_decompressor;

namespace odscan::engine {

class DeflateDecompressor {
 public:
  // Allocates libdeflate's state. When that fails, every call below returns
  // false.
  DeflateDecompressor();
  ~DeflateDecompressor();
  DeflateDecompressor(const DeflateDecompressor&) = delete;
  DeflateDecompressor& operator=(const DeflateDecompressor&) = delete;

  // Inflates `gzip`, which must be exactly one gzip member: a valid header, a
  // deflate stream that fills `output` exactly, and a trailer whose CRC-32 and
  // ISIZE match. Returns false otherwise, also for a second member or any other
  // bytes after the first one.
  bool inflateGzipMember(std::span<const std::uint8_t> gzip, std::span<std::uint8_t> output);

  // Inflates the raw deflate stream `deflate`, which must end exactly at its last
  // byte and fill `output` exactly.
  bool inflateRaw(std::span<const std::uint8_t> deflate, std::span<std::uint8_t> output);

 private:
  struct Deleter {
    void operator()(libdeflate_decompressor* decompressor) const;
  };
  std::unique_ptr<libdeflate_decompressor, Deleter> decompressor_;
};

// Returns the CRC-32 (as used by gzip and zip) of `bytes`, computed with
// libdeflate. `previous` continues a CRC-32 over the bytes before them.
std::uint32_t crc32Of(std::span<const std::uint8_t> bytes, std::uint32_t previous = 0);

}  // namespace odscan::engine
