// The engine's gzip reader: inflates a gzip file held in memory with libdeflate,
// when it is a single member whose size fits the limits. Anything else (several
// members, bytes after the member, a damaged stream, a trailer size that does not
// match the data) is left to libarchive.
//
// Thread safety: a pure function of its arguments; the decompressor and buffer
// must not be used by another thread at the same time.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "byte_buffer.h"
#include "deflate_decompressor.h"

namespace odscan::engine {

// Returns the size the gzip trailer declares (ISIZE: the uncompressed size modulo
// 2^32), or nothing when `gzip` is too short to be a gzip member.
std::optional<std::uint32_t> gzipDeclaredSize(std::span<const std::uint8_t> gzip);

// Inflates `gzip` into `output` when it is exactly one gzip member whose data
// has the size the trailer declares, which must be at most `maxSize`. Returns the
// inflated bytes (in `output`), or nothing; the trailer size only sizes the
// buffer, and a wrong one makes the call return nothing.
std::optional<std::span<const std::uint8_t>> inflateGzipFile(std::span<const std::uint8_t> gzip,
                                                             std::uint64_t maxSize,
                                                             DeflateDecompressor& decompressor,
                                                             ByteBuffer& output);

}  // namespace odscan::engine
