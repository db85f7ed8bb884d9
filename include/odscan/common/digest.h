// File digests as the patterns store them: MD5, SHA-1 or SHA-256 bytes tagged with
// their algorithm.
//
// Thread safety: plain values.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "odscan/common/status.h"

namespace odscan {

// The values are stored in pattern files; never renumber them.
enum class DigestKind : std::uint8_t { kMd5 = 1, kSha1 = 2, kSha256 = 3 };

inline constexpr std::size_t kDigestKindCount = 3;
inline constexpr std::size_t kMaxDigestLength = 32;

// Returns 16, 20 or 32.
constexpr std::size_t digestLength(DigestKind kind) {
  switch (kind) {
    case DigestKind::kMd5:
      return 16;
    case DigestKind::kSha1:
      return 20;
    case DigestKind::kSha256:
      return 32;
  }
  return 0;
}

// Returns "md5", "sha1" or "sha256".
std::string_view digestKindName(DigestKind kind);

// Returns the position of `kind` in arrays indexed by digest kind (0, 1 or 2).
constexpr std::size_t digestKindIndex(DigestKind kind) {
  return static_cast<std::size_t>(kind) - 1;
}

// A set of digest kinds, used to say which digests a pattern needs so the engine
// computes only those.
class DigestKindSet {
 public:
  constexpr DigestKindSet() = default;

  constexpr void insert(DigestKind kind) { bits_ |= bitOf(kind); }
  constexpr bool contains(DigestKind kind) const { return (bits_ & bitOf(kind)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr DigestKindSet unite(DigestKindSet other) const {
    DigestKindSet result;
    result.bits_ = static_cast<std::uint8_t>(bits_ | other.bits_);
    return result;
  }
  constexpr std::uint8_t bits() const { return bits_; }
  static constexpr DigestKindSet fromBits(std::uint8_t bits) {
    DigestKindSet result;
    result.bits_ = static_cast<std::uint8_t>(bits & 0x7);
    return result;
  }
  bool operator==(const DigestKindSet&) const = default;

 private:
  static constexpr std::uint8_t bitOf(DigestKind kind) {
    return static_cast<std::uint8_t>(1u << digestKindIndex(kind));
  }
  std::uint8_t bits_ = 0;
};

// Returns `bytes` as lower-case hex digits.
std::string hexOf(std::span<const std::uint8_t> bytes);

// A digest value. Only the first digestLength(kind) bytes of `bytes` are
// meaningful; the rest stay zero so that comparison is plain byte comparison.
struct Digest {
  DigestKind kind = DigestKind::kSha256;
  std::array<std::uint8_t, kMaxDigestLength> bytes{};

  std::size_t length() const { return digestLength(kind); }
  std::string toHex() const;

  // Parses 32, 40 or 64 hex digits (either case) into an MD5, SHA-1 or SHA-256
  // digest; the length decides the kind.
  static Result<Digest> fromHex(std::string_view hex);

  auto operator<=>(const Digest&) const = default;
  bool operator==(const Digest&) const = default;
};

// The digests computed for one file or archive member; a kind the pattern did not
// request stays empty.
struct FileDigests {
  std::array<std::optional<Digest>, kDigestKindCount> byKind;

  const std::optional<Digest>& get(DigestKind kind) const { return byKind[digestKindIndex(kind)]; }
};

}  // namespace odscan
