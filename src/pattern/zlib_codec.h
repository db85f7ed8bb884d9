// zlib compression of pattern payloads, with limits suited to hostile input.
//
// Thread safety: free functions without shared state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "odscan/common/status.h"

namespace odscan::pattern_detail {

// A byte range of a payload.
struct ByteRange {
  std::size_t offset = 0;
  std::size_t length = 0;
};

// Compresses `input` into one zlib stream. Bytes inside `storedRanges` (sorted,
// not overlapping) go into stored blocks: for near-random data such as filter
// fingerprints, Huffman coding saves a few percent but makes decompression many
// times slower than a copy. Fails with kInvalidArgument on bad ranges.
Result<std::vector<std::uint8_t>> deflateWithStoredRanges(std::span<const std::uint8_t> input,
                                                          std::span<const ByteRange> storedRanges);

// Decompresses a zlib stream that must yield exactly `expectedSize` bytes and end
// exactly at the end of `compressed`. Fails with kCorrupt otherwise, and the message
// names what differed. Never writes more than `expectedSize` bytes.
Result<std::vector<std::uint8_t>> inflateExactly(std::span<const std::uint8_t> compressed,
                                                 std::size_t expectedSize);

}  // namespace odscan::pattern_detail
