// The signed container shared by the Smart Scan Pattern and the Smart Scan Agent
// Pattern (byte layout in docs/pattern-format.md):
//   header (128 bytes) | zlib-compressed payload | signature block (104 bytes)
// The signature block holds the signer's key fingerprint and an Ed25519 signature
// over every byte before it. The payload is a table of sections (signature
// records, threat names, the filter).
//
// openPatternFile() authenticates a file before it uses anything in it: it reads
// only the fixed header fields needed to find the signature, verifies the
// signature and the payload checksum, and only then decompresses.
//
// Thread safety: free functions without shared state.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "odscan/common/status.h"
#include "odscan/pattern/signing_key.h"

namespace odscan {

// The values are stored in pattern files; never renumber them.
enum class PatternKind : std::uint8_t { kSmartScan = 1, kAgent = 2 };

// Returns "Smart Scan Pattern" or "Smart Scan Agent Pattern".
std::string_view patternKindName(PatternKind kind);

inline constexpr std::uint16_t kPatternFormatVersion = 1;
inline constexpr std::size_t kPatternHeaderSize = 128;
inline constexpr std::size_t kPatternSignatureBlockSize = 104;
inline constexpr std::uint8_t kPatternCompressionZlib = 1;
// Largest decompressed payload a loader accepts (2 GiB); a 10-million-signature
// Smart Scan Pattern of SHA-256 records is about 450 MB.
inline constexpr std::uint64_t kMaxPatternPayloadSize = 1ull << 31;
// Largest pattern file a loader reads: the payload limit plus room for the
// header, the signature block and deflate's worst-case growth.
inline constexpr std::uint64_t kMaxPatternFileSize = kMaxPatternPayloadSize + (1ull << 24);

struct PatternHeader {
  std::uint16_t formatVersion = kPatternFormatVersion;
  PatternKind kind = PatternKind::kSmartScan;
  std::uint8_t compression = kPatternCompressionZlib;
  std::uint64_t version = 0;
  std::int64_t creationTime = 0;     // seconds since 1970-01-01 UTC
  std::uint64_t signatureCount = 0;  // exact signature records in the payload
  std::uint64_t filterKeyCount = 0;  // distinct filter keys; 0 in a Smart Scan Pattern
  std::uint64_t compressedSize = 0;
  std::uint64_t uncompressedSize = 0;
  std::array<std::uint8_t, 32> payloadSha256{};
};

// Section identifiers of the payload. The values are stored in pattern files.
enum class PatternSection : std::uint32_t {
  kNames = 1,
  kMd5Records = 2,
  kSha1Records = 3,
  kSha256Records = 4,
  kFilter = 5,
  kFilterDigestCounts = 6,
};
inline constexpr std::size_t kPatternSectionIdCount = 6;

struct PayloadSection {
  PatternSection id;
  std::span<const std::uint8_t> bytes;
};

// The sections found in a payload, indexed by id - 1; absent ones are empty
// optionals.
using PayloadSections =
    std::array<std::optional<std::span<const std::uint8_t>>, kPatternSectionIdCount>;

// Serializes `sections` into a payload: u32 count | u32 0 | a table of
// {u32 id, u32 0, u64 offset, u64 length} | section bytes, each 8-byte aligned.
std::vector<std::uint8_t> encodePayload(std::span<const PayloadSection> sections);

// Splits a payload into sections. Fails with kCorrupt on a table that does not fit,
// an unknown or repeated id, or sections out of bounds, out of order or
// overlapping. The spans point into `payload`.
Result<PayloadSections> parsePayload(std::span<const std::uint8_t> payload);

std::array<std::uint8_t, kPatternHeaderSize> encodePatternHeader(const PatternHeader& header);

// Decodes the fixed header fields without checking them.
// Preconditions: bytes.size() >= kPatternHeaderSize.
PatternHeader decodePatternHeader(std::span<const std::uint8_t> bytes);

// A byte range of a payload.
struct PayloadRange {
  std::size_t offset = 0;
  std::size_t length = 0;
};

// Compresses `payload`, fills the header's sizes and checksum, and returns the
// complete signed file. `header` supplies kind, version, creation time and counts.
// `storedRanges` (sorted, not overlapping) are stored without compression. The
// agent pattern stores its filter this way, so loading it is a copy rather than a
// slow Huffman decode of near-random bytes.
Result<std::vector<std::uint8_t>> sealPatternFile(PatternHeader header,
                                                  std::span<const std::uint8_t> payload,
                                                  const PrivateKey& key,
                                                  std::span<const PayloadRange> storedRanges = {});

// Returns `signedPart` followed by a signature block for it. sealPatternFile()
// uses it; tests use it to sign deliberately malformed files.
Result<std::vector<std::uint8_t>> appendSignatureBlock(std::vector<std::uint8_t> signedPart,
                                                       const PrivateKey& key);

struct PatternFileContents {
  PatternHeader header;
  std::vector<std::uint8_t> payload;  // decompressed
  bool signatureChecked = false;
};

// Checks, authenticates and decompresses a pattern file held in memory. `name`
// (usually the path) starts every error message. With `key` null the signature is
// not verified (for `odscan-pattern info`); every other check still runs. With
// `expectedKind` set, a file of the other kind fails with kInvalidArgument.
Result<PatternFileContents> openPatternFile(std::span<const std::uint8_t> file,
                                            const PublicKey* key,
                                            std::optional<PatternKind> expectedKind,
                                            std::string_view name);

// Reads `path` and calls openPatternFile() on it.
Result<PatternFileContents> readPatternFile(const std::filesystem::path& path, const PublicKey* key,
                                            std::optional<PatternKind> expectedKind);

}  // namespace odscan
