#include "odscan/pattern/signature_table.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>
#include <unordered_map>

#include "byte_io.h"

namespace odscan {
namespace {

using pattern_detail::ByteReader;
using pattern_detail::ByteWriter;
using pattern_detail::loadLe32;
using pattern_detail::loadLe64;

constexpr std::array<DigestKind, kDigestKindCount> kKinds = {DigestKind::kMd5, DigestKind::kSha1,
                                                             DigestKind::kSha256};

// The bucket index has at most 2^20 buckets (4 MiB), and about four records each.
constexpr unsigned kMaxBucketBits = 20;
constexpr unsigned kRecordsPerBucketBits = 2;

// Returns the leading `bits` (at most 32) bits of a digest, which has at least 16
// bytes.
std::uint32_t leadingBits(const std::uint8_t* digest, unsigned bits) {
  if (bits == 0) return 0;
  const std::uint32_t head = (std::uint32_t{digest[0]} << 24) | (std::uint32_t{digest[1]} << 16) |
                             (std::uint32_t{digest[2]} << 8) | std::uint32_t{digest[3]};
  return head >> (32 - bits);
}

// Orders records by digest bytes, then size; kAnySize sorts last, so find() meets
// an exact-size record first.
int compareRecords(const std::uint8_t* left, const std::uint8_t* right, std::size_t digestLength) {
  const int order = std::memcmp(left, right, digestLength);
  if (order != 0) return order;
  const std::uint64_t leftSize = loadLe64(left + digestLength);
  const std::uint64_t rightSize = loadLe64(right + digestLength);
  return leftSize < rightSize ? -1 : (leftSize > rightSize ? 1 : 0);
}

std::vector<std::uint8_t> encodeNames(const std::vector<std::string_view>& names) {
  std::vector<std::uint8_t> section;
  ByteWriter writer(section);
  writer.u32(static_cast<std::uint32_t>(names.size()));
  writer.u32(0);
  std::uint32_t offset = 0;
  writer.u32(offset);
  for (const std::string_view name : names) {
    offset += static_cast<std::uint32_t>(name.size());
    writer.u32(offset);
  }
  for (const std::string_view name : names) {
    writer.bytes(std::span(reinterpret_cast<const std::uint8_t*>(name.data()), name.size()));
  }
  return section;
}

Status corrupt(std::string message) { return Status(StatusCode::kCorrupt, std::move(message)); }

}  // namespace

std::string_view threatNameProblem(std::string_view name) {
  if (name.empty()) return "is empty";
  if (name.size() > kMaxThreatNameLength) return "is longer than 256 bytes";
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return "contains a control character";
  }
  return {};
}

Result<SignatureTable::Encoded> SignatureTable::encode(std::vector<Signature> signatures) {
  for (Signature& signature : signatures) {
    // Bytes past the digest length must be zero for Digest comparison to match the
    // byte order of the stored records.
    std::fill(signature.digest.bytes.begin() + signature.digest.length(),
              signature.digest.bytes.end(), 0);
    const std::string_view problem = threatNameProblem(signature.threatName);
    if (!problem.empty()) {
      return Status(
          StatusCode::kInvalidArgument,
          "threat name of signature " + signature.digest.toHex() + " " + std::string(problem));
    }
  }

  // A stable sort keeps input order among equal keys, so the first one survives.
  std::stable_sort(signatures.begin(), signatures.end(),
                   [](const Signature& left, const Signature& right) {
                     if (left.digest != right.digest) return left.digest < right.digest;
                     return left.size < right.size;
                   });
  Encoded encoded;
  const auto last = std::unique(signatures.begin(), signatures.end(),
                                [](const Signature& left, const Signature& right) {
                                  return left.digest == right.digest && left.size == right.size;
                                });
  encoded.duplicatesDropped = static_cast<std::size_t>(signatures.end() - last);
  signatures.erase(last, signatures.end());

  std::vector<std::string_view> names;
  std::unordered_map<std::string_view, std::uint32_t> nameIndexes;
  std::uint64_t nameBytes = 0;
  for (const Signature& signature : signatures) {
    const auto [entry, inserted] =
        nameIndexes.try_emplace(signature.threatName, static_cast<std::uint32_t>(names.size()));
    if (inserted) {
      names.push_back(signature.threatName);
      nameBytes += signature.threatName.size();
    }
    if (nameBytes > 0xffffffffull) {
      return Status(StatusCode::kLimitExceeded,
                    "the distinct threat names exceed the 4 GiB a pattern can store");
    }

    auto& section = encoded.records[digestKindIndex(signature.digest.kind)];
    ByteWriter writer(section);
    writer.bytes(std::span(signature.digest.bytes.data(), signature.digest.length()));
    writer.u64(signature.size);
    writer.u32(entry->second);
  }
  encoded.names = encodeNames(names);
  return encoded;
}

Result<SignatureTable> SignatureTable::parse(
    std::span<const std::uint8_t> names,
    const std::array<std::span<const std::uint8_t>, kDigestKindCount>& records) {
  SignatureTable table;

  ByteReader reader(names);
  const auto nameCount = reader.u32();
  const auto reserved = reader.u32();
  if (!nameCount || !reserved) return corrupt("name section is shorter than its 8-byte header");
  if (*reserved != 0) return corrupt("name section has a non-zero reserved field");
  if ((std::uint64_t{*nameCount} + 1) * 4 > reader.remaining()) {
    return corrupt("name section declares " + std::to_string(*nameCount) +
                   " names but is too short for their offsets");
  }
  table.nameCount_ = *nameCount;
  table.nameOffsets_ = *reader.bytes((std::size_t{*nameCount} + 1) * 4);
  table.nameBytes_ = *reader.bytes(reader.remaining());

  if (loadLe32(table.nameOffsets_.data()) != 0) return corrupt("first name offset is not 0");
  std::uint32_t previous = 0;
  for (std::uint32_t i = 1; i <= *nameCount; ++i) {
    const std::uint32_t offset = loadLe32(table.nameOffsets_.data() + 4 * std::size_t{i});
    if (offset <= previous || offset > table.nameBytes_.size()) {
      return corrupt("name offset " + std::to_string(i) + " is out of order or out of range");
    }
    const std::string_view name(reinterpret_cast<const char*>(table.nameBytes_.data()) + previous,
                                offset - previous);
    const std::string_view problem = threatNameProblem(name);
    if (!problem.empty()) {
      return corrupt("threat name " + std::to_string(i - 1) + " " + std::string(problem));
    }
    previous = offset;
  }
  if (previous != table.nameBytes_.size()) {
    return corrupt("name section has " + std::to_string(table.nameBytes_.size() - previous) +
                   " bytes after its last name");
  }

  for (const DigestKind kind : kKinds) {
    const auto section = records[digestKindIndex(kind)];
    const std::size_t width = signatureRecordWidth(kind);
    const std::size_t length = digestLength(kind);
    if (section.size() % width != 0) {
      return corrupt(std::string(digestKindName(kind)) + " record section length " +
                     std::to_string(section.size()) + " is not a multiple of " +
                     std::to_string(width));
    }
    for (std::size_t offset = 0; offset < section.size(); offset += width) {
      const std::uint8_t* record = section.data() + offset;
      if (loadLe32(record + length + 8) >= *nameCount) {
        return corrupt(std::string(digestKindName(kind)) + " record " +
                       std::to_string(offset / width) + " names a threat that does not exist");
      }
      if (offset > 0 && compareRecords(record - width, record, length) >= 0) {
        return corrupt(std::string(digestKindName(kind)) + " record " +
                       std::to_string(offset / width) + " is out of order or repeated");
      }
    }
    table.records_[digestKindIndex(kind)] = section;
    table.buckets_[digestKindIndex(kind)] = buildBucketIndex(section, width);
  }
  return table;
}

std::shared_ptr<const SignatureTable::BucketIndex> SignatureTable::buildBucketIndex(
    std::span<const std::uint8_t> section, std::size_t width) {
  const std::size_t count = section.size() / width;
  if (count == 0 || std::uint64_t{count} > std::numeric_limits<std::uint32_t>::max()) {
    return nullptr;
  }

  auto index = std::make_shared<BucketIndex>();
  while (index->bits < kMaxBucketBits &&
         (std::size_t{1} << (index->bits + kRecordsPerBucketBits)) < count) {
    ++index->bits;
  }
  index->starts.resize((std::size_t{1} << index->bits) + 1);

  // The records are sorted, so each bucket's records follow the previous one's.
  std::size_t nextBucket = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint32_t bucket = leadingBits(section.data() + i * width, index->bits);
    while (nextBucket <= bucket) index->starts[nextBucket++] = static_cast<std::uint32_t>(i);
  }
  while (nextBucket < index->starts.size()) {
    index->starts[nextBucket++] = static_cast<std::uint32_t>(count);
  }
  return index;
}

std::size_t SignatureTable::lowerBound(const Digest& digest) const {
  const auto section = records_[digestKindIndex(digest.kind)];
  const std::size_t width = signatureRecordWidth(digest.kind);
  std::size_t low = 0;
  std::size_t high = section.size() / width;
  // A lower bound past the digest's bucket is the next bucket's start, because
  // every record there is greater.
  if (const auto& index = buckets_[digestKindIndex(digest.kind)]) {
    const std::uint32_t bucket = leadingBits(digest.bytes.data(), index->bits);
    low = index->starts[bucket];
    high = index->starts[bucket + 1];
  }
  while (low < high) {
    const std::size_t middle = low + (high - low) / 2;
    if (std::memcmp(section.data() + middle * width, digest.bytes.data(), digest.length()) < 0) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  return low;
}

std::optional<std::string_view> SignatureTable::find(const Digest& digest,
                                                     std::uint64_t fileSize) const {
  const auto section = records_[digestKindIndex(digest.kind)];
  const std::size_t width = signatureRecordWidth(digest.kind);
  const std::size_t length = digest.length();
  const std::size_t count = section.size() / width;

  for (std::size_t i = lowerBound(digest); i < count; ++i) {
    const std::uint8_t* record = section.data() + i * width;
    if (std::memcmp(record, digest.bytes.data(), length) != 0) break;
    const std::uint64_t size = loadLe64(record + length);
    if (size == fileSize || size == kAnySize) return nameAt(loadLe32(record + length + 8));
  }
  return std::nullopt;
}

std::vector<Signature> SignatureTable::findAll(const Digest& digest) const {
  const auto section = records_[digestKindIndex(digest.kind)];
  const std::size_t width = signatureRecordWidth(digest.kind);
  const std::size_t count = section.size() / width;

  std::vector<Signature> matches;
  for (std::size_t i = lowerBound(digest); i < count; ++i) {
    if (std::memcmp(section.data() + i * width, digest.bytes.data(), digest.length()) != 0) break;
    matches.push_back(at(digest.kind, i));
  }
  return matches;
}

std::size_t SignatureTable::count(DigestKind kind) const {
  return records_[digestKindIndex(kind)].size() / signatureRecordWidth(kind);
}

std::size_t SignatureTable::size() const {
  std::size_t total = 0;
  for (const DigestKind kind : kKinds) total += count(kind);
  return total;
}

DigestKindSet SignatureTable::kinds() const {
  DigestKindSet kinds;
  for (const DigestKind kind : kKinds) {
    if (count(kind) > 0) kinds.insert(kind);
  }
  return kinds;
}

Signature SignatureTable::at(DigestKind kind, std::size_t index) const {
  const std::uint8_t* record =
      records_[digestKindIndex(kind)].data() + index * signatureRecordWidth(kind);
  Signature signature;
  signature.digest.kind = kind;
  std::memcpy(signature.digest.bytes.data(), record, digestLength(kind));
  signature.size = loadLe64(record + digestLength(kind));
  signature.threatName = std::string(nameAt(loadLe32(record + digestLength(kind) + 8)));
  return signature;
}

std::string_view SignatureTable::nameAt(std::uint32_t index) const {
  const std::uint32_t begin = loadLe32(nameOffsets_.data() + 4 * std::size_t{index});
  const std::uint32_t end = loadLe32(nameOffsets_.data() + 4 * (std::size_t{index} + 1));
  return std::string_view(reinterpret_cast<const char*>(nameBytes_.data()) + begin, end - begin);
}

}  // namespace odscan
