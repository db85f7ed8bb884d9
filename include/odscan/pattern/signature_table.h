// SignatureTable: the exact-signature lookup shared by the Smart Scan Pattern and
// the Smart Scan Agent Pattern. It is stored as four byte sections:
//   names:   u32 nameCount | u32 0 | u32 offsets[nameCount + 1] | name bytes
//   records: one section per digest kind, fixed-width records sorted by
//            (digest bytes, size): digest | u64 size | u32 name index
// Loading builds, per digest kind, an index of where each bucket of records that
// share the leading bits of their digest starts: one 32-bit entry per about four
// records, at most 2^20 entries. A lookup binary-searches its bucket in place.
//
// Ownership: SignatureTable is a view; the section bytes must outlive it.
// Thread safety: immutable; every const method may be called from many threads.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "odscan/common/digest.h"
#include "odscan/common/status.h"
#include "odscan/pattern/signature.h"

namespace odscan {

// Maximum length of a threat name in a pattern, in bytes.
inline constexpr std::size_t kMaxThreatNameLength = 256;

// Returns an empty view when `name` may be stored in a pattern, or what is wrong
// with it ("is empty", "contains a control character", "is longer than 256
// bytes").
std::string_view threatNameProblem(std::string_view name);

// Returns the width of one record of `kind` in bytes: digest length + 12.
constexpr std::size_t signatureRecordWidth(DigestKind kind) { return digestLength(kind) + 12; }

class SignatureTable {
 public:
  // The serialized form: the name section and one record section per digest kind,
  // indexed by digestKindIndex().
  struct Encoded {
    std::vector<std::uint8_t> names;
    std::array<std::vector<std::uint8_t>, kDigestKindCount> records;
    // Signatures dropped because an earlier one had the same digest and size.
    std::size_t duplicatesDropped = 0;
  };

  // Sorts `signatures` and serializes them. Of several signatures with the same
  // digest and size the first one in `signatures` is kept. Fails with
  // kInvalidArgument on a threat name that threatNameProblem() rejects.
  static Result<Encoded> encode(std::vector<Signature> signatures);

  // Checks the sections (lengths, name offsets and characters, record order, name
  // indexes) and returns a view of them. Fails with kCorrupt; never reads outside
  // the given spans.
  static Result<SignatureTable> parse(
      std::span<const std::uint8_t> names,
      const std::array<std::span<const std::uint8_t>, kDigestKindCount>& records);

  // An empty table.
  SignatureTable() = default;

  // Returns the threat name of a record with `digest` whose size is `fileSize` or
  // kAnySize. A record with the exact size wins over a kAnySize record.
  std::optional<std::string_view> find(const Digest& digest, std::uint64_t fileSize) const;

  // Returns every record with `digest`, whatever its size, in table order.
  std::vector<Signature> findAll(const Digest& digest) const;

  std::size_t count(DigestKind kind) const;
  std::size_t size() const;
  std::size_t nameCount() const { return nameCount_; }
  // Digest kinds with at least one record.
  DigestKindSet kinds() const;

  // Returns record `index` (0 <= index < count(kind)) of `kind`, in table order.
  Signature at(DigestKind kind, std::size_t index) const;

 private:
  std::string_view nameAt(std::uint32_t index) const;
  // Returns the index of the first record of `digest`'s kind whose digest is not
  // less than `digest`.
  std::size_t lowerBound(const Digest& digest) const;

  // The record index where each bucket starts; the records of bucket b are
  // [starts[b], starts[b + 1]). Digests are uniformly distributed hashes, so the
  // buckets are about equally full.
  struct BucketIndex {
    unsigned bits = 0;  // leading digest bits that pick the bucket
    std::vector<std::uint32_t> starts;
  };

  static std::shared_ptr<const BucketIndex> buildBucketIndex(std::span<const std::uint8_t> section,
                                                             std::size_t width);

  std::uint32_t nameCount_ = 0;
  std::span<const std::uint8_t> nameOffsets_;
  std::span<const std::uint8_t> nameBytes_;
  std::array<std::span<const std::uint8_t>, kDigestKindCount> records_;
  // Shared, so copies of the view stay cheap. Null for a kind without records or
  // with more records than 32 bits can index; those lookups search the section.
  std::array<std::shared_ptr<const BucketIndex>, kDigestKindCount> buckets_;
};

}  // namespace odscan
