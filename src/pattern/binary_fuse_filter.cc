#include "odscan/pattern/binary_fuse_filter.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "byte_io.h"

namespace odscan {
namespace {

using pattern_detail::ByteReader;
using pattern_detail::ByteWriter;

// Keys beyond this would make the fingerprint array exceed 32-bit indexes.
constexpr std::uint64_t kMaxKeys = 1ull << 31;
// Seeds tried before giving up. One attempt fails with a probability well below
// 1% for large sets, a little more for sets of a few keys.
constexpr int kMaxAttempts = 1000;
// A slot's count byte stores 4 * keys + a 2-bit position tag, so it overflows at 64
// keys. An attempt that reaches this limit is retried with another seed.
constexpr std::uint8_t kMaxSlotCount = 252;

// MurmurHash3's 64-bit finalizer: a bijection that spreads every input bit over
// the whole output.
std::uint64_t mix64(std::uint64_t value) {
  value ^= value >> 33;
  value *= 0xff51afd7ed558ccdull;
  value ^= value >> 33;
  value *= 0xc4ceb9fe1a85ec53ull;
  value ^= value >> 33;
  return value;
}

// SplitMix64, the seed sequence of the builder. A fixed start makes builds
// reproducible.
std::uint64_t nextSeed(std::uint64_t& state) {
  state += 0x9e3779b97f4a7c15ull;
  std::uint64_t value = state;
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ull;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebull;
  return value ^ (value >> 31);
}

// Returns the high 64 bits of hash * factor for a factor below 2^32, without
// 128-bit arithmetic, which 32-bit targets lack.
std::uint64_t multiplyHigh(std::uint64_t hash, std::uint32_t factor) {
  const std::uint64_t high = (hash >> 32) * factor;
  const std::uint64_t low = ((hash & 0xffffffffull) * factor) >> 32;
  return (high + low) >> 32;
}

std::uint8_t fingerprintOf(std::uint64_t hash) {
  return static_cast<std::uint8_t>(hash ^ (hash >> 32));
}

// Filter geometry: every key maps to one slot in each of three consecutive
// segments, starting at a segment chosen by the hash.
struct Layout {
  std::uint32_t segmentLength = 0;
  std::uint32_t segmentLengthMask = 0;
  std::uint32_t segmentCount = 0;
  std::uint32_t segmentCountLength = 0;
  std::uint32_t arrayLength = 0;

  std::array<std::uint32_t, 3> slotsOf(std::uint64_t hash) const {
    const auto first = static_cast<std::uint32_t>(multiplyHigh(hash, segmentCountLength));
    std::uint32_t second = first + segmentLength;
    std::uint32_t third = second + segmentLength;
    second ^= static_cast<std::uint32_t>(hash >> 18) & segmentLengthMask;
    third ^= static_cast<std::uint32_t>(hash) & segmentLengthMask;
    return {first, second, third};
  }
};

Layout layoutFor(std::uint32_t segmentLength, std::uint32_t segmentCount) {
  Layout layout;
  layout.segmentLength = segmentLength;
  layout.segmentLengthMask = segmentLength - 1;
  layout.segmentCount = segmentCount;
  layout.segmentCountLength = segmentCount * segmentLength;
  layout.arrayLength = (segmentCount + 2) * segmentLength;
  return layout;
}

// Chooses the segment length and count for `keyCount` distinct keys (at least 1).
// The formulas are the ones Graf and Lemire recommend for 3-wise filters: larger
// segments for larger sets, and an array of 1.125 slots per key for a million keys
// or more, growing for smaller sets, where peeling fails more often.
Layout layoutForKeys(std::uint64_t keyCount) {
  const double keys = static_cast<double>(keyCount);
  const int exponent = static_cast<int>(std::floor(std::log(keys) / std::log(3.33) + 2.25));
  const std::uint32_t segmentLength =
      std::min<std::uint32_t>(1u << std::clamp(exponent, 0, 18), kBinaryFuseMaxSegmentLength);

  const double sizeFactor =
      keyCount <= 1 ? 0.0 : std::max(1.125, 0.875 + 0.25 * std::log(1e6) / std::log(keys));
  const auto capacity = static_cast<std::uint64_t>(std::llround(keys * sizeFactor));
  const std::uint64_t segmentsNeeded = (capacity + segmentLength - 1) / segmentLength;
  const auto segmentCount =
      static_cast<std::uint32_t>(segmentsNeeded <= 2 ? 1 : segmentsNeeded - 2);
  return layoutFor(segmentLength, segmentCount);
}

void writeSection(ByteWriter& writer, std::uint64_t seed, const Layout& layout,
                  std::uint64_t keyCount, std::span<const std::uint8_t> fingerprints) {
  writer.u64(seed);
  writer.u32(layout.segmentLength);
  writer.u32(layout.segmentCount);
  writer.u64(keyCount);
  writer.bytes(fingerprints);
}

// One construction attempt: sorts the hashes by their first segment, then peels
// the 3-uniform hypergraph and assigns fingerprints in reverse peeling order.
// Returns false when the hypergraph does not peel completely under this seed.
class Construction {
 public:
  Construction(const std::vector<std::uint64_t>& keys, const Layout& layout)
      : keys_(keys),
        layout_(layout),
        hashes_(keys.size()),
        sorted_(keys.size()),
        peeledSlot_(keys.size()),
        counts_(layout.arrayLength),
        xorHashes_(layout.arrayLength),
        alone_(layout.arrayLength) {
    while ((1ull << blockBits_) < layout.segmentCount) ++blockBits_;
    blockStarts_.resize((std::size_t{1} << blockBits_) + 1);
  }

  bool attempt(std::uint64_t seed, std::vector<std::uint8_t>& fingerprints) {
    sortHashesByBlock(seed);
    if (!countSlots()) return false;
    if (peel() != keys_.size()) return false;
    assign(fingerprints);
    return true;
  }

 private:
  // Counting sort on the top bits of the hash. The first slot grows with the hash,
  // so sorted keys touch the count and xor arrays almost sequentially.
  void sortHashesByBlock(std::uint64_t seed) {
    std::fill(blockStarts_.begin(), blockStarts_.end(), 0);
    const int shift = 64 - blockBits_;
    for (std::size_t i = 0; i < keys_.size(); ++i) {
      hashes_[i] = mix64(keys_[i] + seed);
      ++blockStarts_[static_cast<std::size_t>(hashes_[i] >> shift) + 1];
    }
    for (std::size_t block = 1; block < blockStarts_.size(); ++block) {
      blockStarts_[block] += blockStarts_[block - 1];
    }
    for (const std::uint64_t hash : hashes_) {
      sorted_[blockStarts_[static_cast<std::size_t>(hash >> shift)]++] = hash;
    }
  }

  // Records, for every slot, 4 * (keys using it) plus the xor of their positions
  // (0, 1 or 2) in the low two bits, and the xor of their hashes. A slot used by
  // one key then names that key's hash and which of its three slots it is.
  bool countSlots() {
    std::fill(counts_.begin(), counts_.end(), 0);
    std::fill(xorHashes_.begin(), xorHashes_.end(), 0);
    for (const std::uint64_t hash : sorted_) {
      const auto slots = layout_.slotsOf(hash);
      for (std::uint8_t position = 0; position < 3; ++position) {
        std::uint8_t& count = counts_[slots[position]];
        if (count >= kMaxSlotCount) return false;
        count = static_cast<std::uint8_t>((count + 4) ^ position);
        xorHashes_[slots[position]] ^= hash;
      }
    }
    return true;
  }

  // Repeatedly removes a key that is alone in one of its slots. Returns how many
  // keys were removed; the order is kept in hashes_ and peeledSlot_.
  std::size_t peel() {
    std::size_t aloneCount = 0;
    for (std::uint32_t slot = 0; slot < layout_.arrayLength; ++slot) {
      if ((counts_[slot] >> 2) == 1) alone_[aloneCount++] = slot;
    }

    std::size_t peeled = 0;
    while (aloneCount > 0) {
      const std::uint32_t slot = alone_[--aloneCount];
      if ((counts_[slot] >> 2) != 1) continue;

      const std::uint64_t hash = xorHashes_[slot];
      const auto position = static_cast<std::uint8_t>(counts_[slot] & 3);
      hashes_[peeled] = hash;
      peeledSlot_[peeled] = position;
      ++peeled;

      const auto slots = layout_.slotsOf(hash);
      for (std::uint8_t other = 0; other < 3; ++other) {
        std::uint8_t& count = counts_[slots[other]];
        count = static_cast<std::uint8_t>((count - 4) ^ other);
        xorHashes_[slots[other]] ^= hash;
        if (other != position && (count >> 2) == 1) alone_[aloneCount++] = slots[other];
      }
    }
    return peeled;
  }

  // Sets each peeled key's own slot last-peeled-first, so the three fingerprints of
  // every key xor to its fingerprint.
  void assign(std::vector<std::uint8_t>& fingerprints) const {
    fingerprints.assign(layout_.arrayLength, 0);
    for (std::size_t i = keys_.size(); i-- > 0;) {
      const auto slots = layout_.slotsOf(hashes_[i]);
      const std::uint8_t own = peeledSlot_[i];
      const std::uint32_t first = slots[(own + 1) % 3];
      const std::uint32_t second = slots[(own + 2) % 3];
      fingerprints[slots[own]] = static_cast<std::uint8_t>(
          fingerprintOf(hashes_[i]) ^ fingerprints[first] ^ fingerprints[second]);
    }
  }

  const std::vector<std::uint64_t>& keys_;
  const Layout layout_;
  int blockBits_ = 1;
  std::vector<std::uint64_t> hashes_;
  std::vector<std::uint64_t> sorted_;
  std::vector<std::uint8_t> peeledSlot_;
  std::vector<std::uint8_t> counts_;
  std::vector<std::uint64_t> xorHashes_;
  std::vector<std::uint32_t> alone_;
  std::vector<std::size_t> blockStarts_;
};

}  // namespace

std::uint64_t filterKeyOf(const Digest& digest) {
  std::uint64_t key = 0x9e3779b97f4a7c15ull * static_cast<std::uint64_t>(digest.kind);
  const std::size_t length = digest.length();
  for (std::size_t offset = 0; offset < length; offset += 8) {
    std::uint64_t word = 0;
    const std::size_t end = std::min(offset + 8, length);
    for (std::size_t i = end; i-- > offset;) word = (word << 8) | digest.bytes[i];
    key = mix64(key ^ word);
  }
  return key;
}

Result<std::vector<std::uint8_t>> buildBinaryFuseFilter(std::vector<std::uint64_t> keys) {
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());

  std::vector<std::uint8_t> section;
  ByteWriter writer(section);
  if (keys.empty()) {
    writeSection(writer, 0, Layout{}, 0, {});
    return section;
  }
  if (keys.size() > kMaxKeys) {
    return Status(StatusCode::kLimitExceeded, "a binary fuse filter holds at most " +
                                                  std::to_string(kMaxKeys) + " keys; got " +
                                                  std::to_string(keys.size()));
  }

  const Layout layout = layoutForKeys(keys.size());
  Construction construction(keys, layout);
  std::vector<std::uint8_t> fingerprints;
  std::uint64_t seedState = 0x6f647363616e2131ull;
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    const std::uint64_t seed = nextSeed(seedState);
    if (!construction.attempt(seed, fingerprints)) continue;
    section.reserve(kBinaryFuseHeaderSize + fingerprints.size());
    writeSection(writer, seed, layout, keys.size(), fingerprints);
    return section;
  }
  return Status(StatusCode::kInternal, "binary fuse filter construction failed for " +
                                           std::to_string(keys.size()) + " keys after " +
                                           std::to_string(kMaxAttempts) + " seeds");
}

Result<BinaryFuseFilter> BinaryFuseFilter::parse(std::span<const std::uint8_t> bytes) {
  ByteReader reader(bytes);
  const auto seed = reader.u64();
  const auto segmentLength = reader.u32();
  const auto segmentCount = reader.u32();
  const auto keyCount = reader.u64();
  if (!seed || !segmentLength || !segmentCount || !keyCount) {
    return Status(StatusCode::kCorrupt, "filter section has " + std::to_string(bytes.size()) +
                                            " bytes, fewer than its 24-byte header");
  }
  const std::size_t fingerprintLength = reader.remaining();

  BinaryFuseFilter filter;
  if (*keyCount == 0) {
    if (*segmentLength != 0 || *segmentCount != 0 || fingerprintLength != 0) {
      return Status(StatusCode::kCorrupt, "empty filter section has a non-empty layout");
    }
    return filter;
  }

  const std::uint32_t length = *segmentLength;
  if (length == 0 || length > kBinaryFuseMaxSegmentLength || (length & (length - 1)) != 0) {
    return Status(StatusCode::kCorrupt, "filter segment length " + std::to_string(length) +
                                            " is not a power of two up to 2^18");
  }
  const std::uint64_t arrayLength = (std::uint64_t{*segmentCount} + 2) * length;
  if (*segmentCount == 0 || arrayLength > 0xffffffffull) {
    return Status(StatusCode::kCorrupt,
                  "filter segment count " + std::to_string(*segmentCount) + " is out of range");
  }
  if (arrayLength != fingerprintLength) {
    return Status(StatusCode::kCorrupt, "filter declares " + std::to_string(arrayLength) +
                                            " fingerprint bytes but holds " +
                                            std::to_string(fingerprintLength));
  }
  if (*keyCount > arrayLength) {
    return Status(StatusCode::kCorrupt, "filter declares " + std::to_string(*keyCount) +
                                            " keys, more than its " + std::to_string(arrayLength) +
                                            " slots");
  }

  const Layout layout = layoutFor(length, *segmentCount);
  filter.seed_ = *seed;
  filter.segmentLength_ = layout.segmentLength;
  filter.segmentLengthMask_ = layout.segmentLengthMask;
  filter.segmentCountLength_ = layout.segmentCountLength;
  filter.keyCount_ = *keyCount;
  filter.fingerprints_ = bytes.subspan(kBinaryFuseHeaderSize);
  return filter;
}

bool BinaryFuseFilter::contains(std::uint64_t key) const {
  if (fingerprints_.empty()) return false;
  const std::uint64_t hash = mix64(key + seed_);
  Layout layout;
  layout.segmentLength = segmentLength_;
  layout.segmentLengthMask = segmentLengthMask_;
  layout.segmentCountLength = segmentCountLength_;
  const auto slots = layout.slotsOf(hash);
  const auto value = static_cast<std::uint8_t>(fingerprintOf(hash) ^ fingerprints_[slots[0]] ^
                                               fingerprints_[slots[1]] ^ fingerprints_[slots[2]]);
  return value == 0;
}

double BinaryFuseFilter::bitsPerKey() const {
  if (keyCount_ == 0) return 0.0;
  return 8.0 * static_cast<double>(fingerprints_.size()) / static_cast<double>(keyCount_);
}

}  // namespace odscan
