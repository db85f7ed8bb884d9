#include "odscan/pattern/pattern_file.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <new>

#include "byte_io.h"
#include "file_io.h"
#include "odscan/common/hasher.h"
#include "zlib_codec.h"

namespace odscan {
namespace {

using pattern_detail::ByteReader;
using pattern_detail::ByteWriter;
using pattern_detail::loadLe16;
using pattern_detail::loadLe64;

constexpr std::array<std::uint8_t, 8> kHeaderMagic = {'O', 'D', 'S', 'C', 'N', 'P', 'T', 'N'};
constexpr std::array<std::uint8_t, 8> kSignatureMagic = {'O', 'D', 'S', 'C', 'S', 'I', 'G', '1'};
constexpr std::size_t kSectionEntrySize = 24;

std::string describe(std::string_view name) { return "pattern file '" + std::string(name) + "'"; }

Status fileError(StatusCode code, std::string_view name, const std::string& reason) {
  return Status(code, describe(name) + " " + reason);
}

std::array<std::uint8_t, 32> sha256Of(std::span<const std::uint8_t> bytes) {
  const Digest digest = MultiHasher::digestOf(DigestKind::kSha256, bytes);
  std::array<std::uint8_t, 32> result{};
  std::copy_n(digest.bytes.begin(), result.size(), result.begin());
  return result;
}

std::string hexOf(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (const std::uint8_t byte : bytes) {
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 0xf]);
  }
  return hex;
}

// Checks what can be checked before authentication: length, magic, format version
// and the declared payload size, which locates the signature block.
Status checkLayout(std::span<const std::uint8_t> file, std::string_view name) {
  if (file.empty()) return fileError(StatusCode::kTruncated, name, "is empty");
  if (file.size() < kPatternHeaderSize + kPatternSignatureBlockSize) {
    return fileError(StatusCode::kTruncated, name,
                     "is truncated: it has " + std::to_string(file.size()) +
                         " bytes, fewer than the header and signature block need; download it "
                         "again");
  }
  if (!std::equal(kHeaderMagic.begin(), kHeaderMagic.end(), file.begin())) {
    return fileError(StatusCode::kCorrupt, name, "is not an odscan pattern file (wrong magic)");
  }
  const std::uint16_t formatVersion = loadLe16(file.data() + 8);
  if (formatVersion != kPatternFormatVersion) {
    return fileError(StatusCode::kUnsupportedVersion, name,
                     "uses pattern format version " + std::to_string(formatVersion) +
                         "; this build reads version " + std::to_string(kPatternFormatVersion) +
                         ", so update odscan or use a matching pattern");
  }

  const std::uint64_t compressedSize = loadLe64(file.data() + 48);
  const std::uint64_t available = file.size() - kPatternHeaderSize - kPatternSignatureBlockSize;
  if (compressedSize == available + kPatternSignatureBlockSize) {
    return fileError(StatusCode::kBadSignature, name,
                     "is not signed: it ends after its payload, without a signature block");
  }
  if (compressedSize > available) {
    return fileError(StatusCode::kTruncated, name,
                     "is truncated: it has " + std::to_string(file.size()) +
                         " bytes but its header declares a payload of " +
                         std::to_string(compressedSize) + "; download it again");
  }
  if (compressedSize < available) {
    return fileError(StatusCode::kCorrupt, name,
                     "has " + std::to_string(available - compressedSize) +
                         " unexpected bytes after its signature block");
  }
  return Status::success();
}

Status checkSignature(std::span<const std::uint8_t> file, const PublicKey& key,
                      std::string_view name) {
  const std::size_t signedLength = file.size() - kPatternSignatureBlockSize;
  const auto block = file.subspan(signedLength);
  if (!std::equal(kSignatureMagic.begin(), kSignatureMagic.end(), block.begin())) {
    return fileError(StatusCode::kBadSignature, name, "has no valid signature block");
  }
  const auto fingerprint = block.subspan(8, kKeyFingerprintLength);
  if (!std::equal(fingerprint.begin(), fingerprint.end(), key.fingerprintBytes().begin())) {
    return fileError(StatusCode::kBadSignature, name,
                     "was signed by the key with fingerprint " + hexOf(fingerprint) +
                         ", not by the expected key " + key.fingerprint() +
                         "; check that the public key belongs to the pattern publisher");
  }
  const auto signature = block.subspan(8 + kKeyFingerprintLength, kEd25519SignatureLength);
  if (!key.verify(file.first(signedLength), signature)) {
    return fileError(StatusCode::kBadSignature, name,
                     "has a signature that does not verify: the file was modified or damaged; "
                     "download it again");
  }
  return Status::success();
}

// Checks the authenticated header fields that describe the payload's encoding.
Status checkHeader(const PatternHeader& header, std::span<const std::uint8_t> file,
                   std::optional<PatternKind> expectedKind, std::string_view name) {
  if (header.compression != kPatternCompressionZlib) {
    return fileError(StatusCode::kCorrupt, name,
                     "uses unknown compression method " + std::to_string(header.compression));
  }
  const bool reservedZero =
      std::all_of(file.begin() + 12, file.begin() + 16, [](std::uint8_t b) { return b == 0; }) &&
      std::all_of(file.begin() + 96, file.begin() + 128, [](std::uint8_t b) { return b == 0; });
  if (!reservedZero) return fileError(StatusCode::kCorrupt, name, "has non-zero reserved bytes");

  if (header.kind != PatternKind::kSmartScan && header.kind != PatternKind::kAgent) {
    return fileError(StatusCode::kCorrupt, name,
                     "has unknown pattern kind " + std::to_string(static_cast<int>(header.kind)));
  }
  if (expectedKind && header.kind != *expectedKind) {
    return fileError(StatusCode::kInvalidArgument, name,
                     "is a " + std::string(patternKindName(header.kind)) + ", but a " +
                         std::string(patternKindName(*expectedKind)) + " is expected here");
  }
  if (header.uncompressedSize > kMaxPatternPayloadSize ||
      header.uncompressedSize > std::numeric_limits<std::size_t>::max() / 2) {
    return fileError(StatusCode::kLimitExceeded, name,
                     "declares a payload of " + std::to_string(header.uncompressedSize) +
                         " bytes, more than the maximum of " +
                         std::to_string(kMaxPatternPayloadSize));
  }
  // Deflate expands data at most 1032 times (zlib's "Technical Details" page,
  // zlib.net/zlib_tech.html). A larger declared size is corrupt, and rejecting it
  // here keeps an unsigned file from making the loader allocate up to 2 GiB.
  constexpr std::uint64_t kMaxDeflateRatio = 1032;
  if (header.uncompressedSize / kMaxDeflateRatio > header.compressedSize) {
    return fileError(StatusCode::kCorrupt, name,
                     "declares a payload of " + std::to_string(header.uncompressedSize) +
                         " bytes, more than its " + std::to_string(header.compressedSize) +
                         " compressed bytes can hold; download it again");
  }
  return Status::success();
}

}  // namespace

std::string_view patternKindName(PatternKind kind) {
  switch (kind) {
    case PatternKind::kSmartScan:
      return "Smart Scan Pattern";
    case PatternKind::kAgent:
      return "Smart Scan Agent Pattern";
  }
  return "unknown pattern kind";
}

std::vector<std::uint8_t> encodePayload(std::span<const PayloadSection> sections) {
  std::vector<std::uint8_t> payload;
  ByteWriter writer(payload);
  writer.u32(static_cast<std::uint32_t>(sections.size()));
  writer.u32(0);

  std::uint64_t offset = 8 + kSectionEntrySize * sections.size();
  for (const PayloadSection& section : sections) {
    offset = (offset + 7) / 8 * 8;
    writer.u32(static_cast<std::uint32_t>(section.id));
    writer.u32(0);
    writer.u64(offset);
    writer.u64(section.bytes.size());
    offset += section.bytes.size();
  }
  for (const PayloadSection& section : sections) {
    writer.align(8);
    writer.bytes(section.bytes);
  }
  return payload;
}

Result<PayloadSections> parsePayload(std::span<const std::uint8_t> payload) {
  auto corrupt = [](const std::string& reason) {
    return Status(StatusCode::kCorrupt, "payload " + reason);
  };

  ByteReader reader(payload);
  const auto count = reader.u32();
  const auto reserved = reader.u32();
  if (!count || !reserved) return corrupt("is shorter than its 8-byte section count");
  if (*reserved != 0) return corrupt("has a non-zero reserved field");
  if (*count > kPatternSectionIdCount) {
    return corrupt("declares " + std::to_string(*count) + " sections; at most " +
                   std::to_string(kPatternSectionIdCount) + " exist");
  }
  const std::uint64_t tableEnd = 8 + kSectionEntrySize * std::uint64_t{*count};
  if (tableEnd > payload.size()) return corrupt("is too short for its section table");

  PayloadSections sections;
  std::uint64_t previousEnd = tableEnd;
  for (std::uint32_t i = 0; i < *count; ++i) {
    const std::uint32_t id = *reader.u32();
    const std::uint32_t padding = *reader.u32();
    const std::uint64_t offset = *reader.u64();
    const std::uint64_t length = *reader.u64();
    if (id == 0 || id > kPatternSectionIdCount || padding != 0) {
      return corrupt("has an unknown section id " + std::to_string(id));
    }
    if (sections[id - 1]) return corrupt("repeats section id " + std::to_string(id));
    if (offset < previousEnd || offset > payload.size() || length > payload.size() - offset) {
      return corrupt("section " + std::to_string(id) + " at offset " + std::to_string(offset) +
                     " with length " + std::to_string(length) +
                     " lies outside the payload or overlaps another section");
    }
    sections[id - 1] =
        payload.subspan(static_cast<std::size_t>(offset), static_cast<std::size_t>(length));
    previousEnd = offset + length;
  }
  return sections;
}

std::array<std::uint8_t, kPatternHeaderSize> encodePatternHeader(const PatternHeader& header) {
  std::vector<std::uint8_t> bytes;
  ByteWriter writer(bytes);
  writer.bytes(kHeaderMagic);
  writer.u16(header.formatVersion);
  writer.u8(static_cast<std::uint8_t>(header.kind));
  writer.u8(header.compression);
  writer.u32(0);
  writer.u64(header.version);
  writer.u64(static_cast<std::uint64_t>(header.creationTime));
  writer.u64(header.signatureCount);
  writer.u64(header.filterKeyCount);
  writer.u64(header.compressedSize);
  writer.u64(header.uncompressedSize);
  writer.bytes(header.payloadSha256);
  writer.zeros(kPatternHeaderSize - bytes.size());

  std::array<std::uint8_t, kPatternHeaderSize> result{};
  std::copy(bytes.begin(), bytes.end(), result.begin());
  return result;
}

PatternHeader decodePatternHeader(std::span<const std::uint8_t> bytes) {
  PatternHeader header;
  header.formatVersion = loadLe16(bytes.data() + 8);
  header.kind = static_cast<PatternKind>(bytes[10]);
  header.compression = bytes[11];
  header.version = loadLe64(bytes.data() + 16);
  header.creationTime = static_cast<std::int64_t>(loadLe64(bytes.data() + 24));
  header.signatureCount = loadLe64(bytes.data() + 32);
  header.filterKeyCount = loadLe64(bytes.data() + 40);
  header.compressedSize = loadLe64(bytes.data() + 48);
  header.uncompressedSize = loadLe64(bytes.data() + 56);
  std::copy_n(bytes.begin() + 64, header.payloadSha256.size(), header.payloadSha256.begin());
  return header;
}

Result<std::vector<std::uint8_t>> sealPatternFile(PatternHeader header,
                                                  std::span<const std::uint8_t> payload,
                                                  const PrivateKey& key,
                                                  std::span<const PayloadRange> storedRanges) {
  if (payload.size() > kMaxPatternPayloadSize) {
    return Status(StatusCode::kLimitExceeded,
                  "the pattern payload has " + std::to_string(payload.size()) +
                      " bytes, more than the maximum of " + std::to_string(kMaxPatternPayloadSize));
  }
  std::vector<pattern_detail::ByteRange> ranges;
  for (const PayloadRange& range : storedRanges) ranges.push_back({range.offset, range.length});
  auto compressed = pattern_detail::deflateWithStoredRanges(payload, ranges);
  if (!compressed.ok()) return compressed.status();

  header.compressedSize = compressed->size();
  header.uncompressedSize = payload.size();
  header.payloadSha256 = sha256Of(*compressed);

  std::vector<std::uint8_t> file;
  file.reserve(kPatternHeaderSize + compressed->size() + kPatternSignatureBlockSize);
  const auto headerBytes = encodePatternHeader(header);
  file.insert(file.end(), headerBytes.begin(), headerBytes.end());
  file.insert(file.end(), compressed->begin(), compressed->end());
  return appendSignatureBlock(std::move(file), key);
}

Result<std::vector<std::uint8_t>> appendSignatureBlock(std::vector<std::uint8_t> signedPart,
                                                       const PrivateKey& key) {
  auto signature = key.sign(signedPart);
  if (!signature.ok()) return signature.status();
  const PublicKey publicKey = key.publicKey();
  signedPart.insert(signedPart.end(), kSignatureMagic.begin(), kSignatureMagic.end());
  signedPart.insert(signedPart.end(), publicKey.fingerprintBytes().begin(),
                    publicKey.fingerprintBytes().end());
  signedPart.insert(signedPart.end(), signature->begin(), signature->end());
  return signedPart;
}

Result<PatternFileContents> openPatternFile(std::span<const std::uint8_t> file,
                                            const PublicKey* key,
                                            std::optional<PatternKind> expectedKind,
                                            std::string_view name) {
  Status status = checkLayout(file, name);
  if (!status.ok()) return status;

  PatternFileContents contents;
  if (key != nullptr) {
    status = checkSignature(file, *key, name);
    if (!status.ok()) return status;
    contents.signatureChecked = true;
  }

  contents.header = decodePatternHeader(file);
  const auto compressed =
      file.subspan(kPatternHeaderSize, static_cast<std::size_t>(contents.header.compressedSize));
  if (sha256Of(compressed) != contents.header.payloadSha256) {
    return fileError(StatusCode::kCorrupt, name,
                     "has a payload whose SHA-256 does not match its header; download it again");
  }

  status = checkHeader(contents.header, file, expectedKind, name);
  if (!status.ok()) return status;

  try {
    auto payload = pattern_detail::inflateExactly(
        compressed, static_cast<std::size_t>(contents.header.uncompressedSize));
    if (!payload.ok()) return fileError(payload.status().code(), name, payload.status().message());
    contents.payload = std::move(payload).value();
  } catch (const std::bad_alloc&) {
    return fileError(StatusCode::kLimitExceeded, name,
                     "needs " + std::to_string(contents.header.uncompressedSize) +
                         " bytes of memory to decompress, more than is available");
  }
  return contents;
}

Result<PatternFileContents> readPatternFile(const std::filesystem::path& path, const PublicKey* key,
                                            std::optional<PatternKind> expectedKind) {
  Result<std::vector<std::uint8_t>> bytes = Status(StatusCode::kInternal, "not read");
  try {
    bytes = pattern_detail::readWholeFile(path, kMaxPatternFileSize);
  } catch (const std::bad_alloc&) {
    return fileError(StatusCode::kLimitExceeded, path.string(), "is too large to read into memory");
  }
  if (!bytes.ok()) return bytes.status().withContext("cannot read pattern file");
  return openPatternFile(*bytes, key, expectedKind, path.string());
}

}  // namespace odscan
