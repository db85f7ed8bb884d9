// BinaryFuseFilter: a 3-wise binary fuse filter with 8-bit fingerprints, the
// approximate-membership structure of the Smart Scan Agent Pattern. It returns
// "certainly not in the set" or "maybe in the set" for 64-bit keys, with a
// false-positive rate near 1/256 and about 1.13 bytes per key for large sets.
// The construction follows Graf and Lemire, "Binary Fuse Filters: Fast and Smaller
// Than Xor Filters", ACM Journal of Experimental Algorithmics 27 (2022).
//
// The filter is stored as one byte section (see docs/pattern-format.md):
//   u64 seed | u32 segmentLength | u32 segmentCount | u64 keyCount | u8 fingerprints[]
// where fingerprints has (segmentCount + 2) * segmentLength bytes.
//
// Ownership: BinaryFuseFilter is a view; the bytes it was parsed from must outlive
// it.
// Thread safety: immutable; contains() may be called from many threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "odscan/common/digest.h"
#include "odscan/common/status.h"

namespace odscan {

// Bytes before the fingerprint array in a serialized filter.
inline constexpr std::size_t kBinaryFuseHeaderSize = 24;
// Largest segment length the builder chooses and the parser accepts (2^18).
inline constexpr std::uint32_t kBinaryFuseMaxSegmentLength = 1u << 18;

// Returns the 64-bit filter key of a digest: its kind and every byte mixed
// together. The file size plays no part, so one key covers every size.
std::uint64_t filterKeyOf(const Digest& digest);

// Builds a serialized filter over `keys`. Duplicate keys are removed first; the
// order of `keys` does not matter. The build is deterministic: the same key set
// always gives the same bytes. Fails with kInternal only if no hash seed out of
// many attempts allows construction, which does not happen in practice.
Result<std::vector<std::uint8_t>> buildBinaryFuseFilter(std::vector<std::uint64_t> keys);

class BinaryFuseFilter {
 public:
  // An empty filter: contains() is always false.
  BinaryFuseFilter() = default;

  // Checks a serialized filter (header fields, lengths) and returns a view of it.
  // Fails with kCorrupt on any inconsistency; never reads outside `bytes`.
  static Result<BinaryFuseFilter> parse(std::span<const std::uint8_t> bytes);

  // Returns false when `key` is certainly not one of the keys the filter was built
  // from.
  bool contains(std::uint64_t key) const;

  // Distinct keys the filter was built from.
  std::uint64_t keyCount() const { return keyCount_; }
  // Size of the fingerprint array in bytes.
  std::size_t fingerprintBytes() const { return fingerprints_.size(); }
  // Fingerprint bits per distinct key (0 for an empty filter).
  double bitsPerKey() const;

 private:
  std::uint64_t seed_ = 0;
  std::uint32_t segmentLength_ = 0;
  std::uint32_t segmentLengthMask_ = 0;
  std::uint32_t segmentCountLength_ = 0;
  std::uint64_t keyCount_ = 0;
  std::span<const std::uint8_t> fingerprints_;
};

}  // namespace odscan
