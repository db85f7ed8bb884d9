#include "libarchive_bids.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>

#include "content_type.h"

namespace odscan::engine {
namespace {

using namespace std::string_view_literals;

constexpr std::size_t kTarBlockSize = 512;
constexpr std::size_t kTarChecksumOffset = 148;
constexpr std::size_t kTarChecksumSize = 8;
// libarchive's uu bidder stops reading lines after 128 KiB
// (UUENCODE_BID_MAX_READ); twice that covers its read-ahead rounding.
constexpr std::size_t kUuScanBytes = 256u * 1024;

bool startsWith(std::span<const std::uint8_t> bytes, std::string_view magic,
                std::size_t offset = 0) {
  if (bytes.size() < offset + magic.size()) return false;
  return std::memcmp(bytes.data() + offset, magic.data(), magic.size()) == 0;
}

std::uint32_t littleEndian32(std::span<const std::uint8_t> bytes, std::size_t offset) {
  return static_cast<std::uint32_t>(bytes[offset]) |
         static_cast<std::uint32_t>(bytes[offset + 1]) << 8 |
         static_cast<std::uint32_t>(bytes[offset + 2]) << 16 |
         static_cast<std::uint32_t>(bytes[offset + 3]) << 24;
}

// LZMA-alone has no magic number. The bidder takes a properties byte of at most
// 224 and a dictionary size that is a power of two from 4 KiB to 128 MiB, or a
// multiple of 1 MiB from 3 MiB to 63 MiB.
bool lzmaMayClaim(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 14 || bytes[0] > 224) return false;
  const std::uint32_t dictionary = littleEndian32(bytes, 1);
  const bool powerOfTwo =
      dictionary >= (1u << 12) && dictionary <= (1u << 27) && (dictionary & (dictionary - 1)) == 0;
  const bool megabytes =
      dictionary >= 0x300000 && dictionary <= 0x3F00000 && dictionary % (1u << 20) == 0;
  return powerOfTwo || megabytes;
}

// Returns true when `text` occurs in `bytes`; memchr() finds the candidates.
bool contains(std::span<const std::uint8_t> bytes, std::string_view text) {
  const std::uint8_t* position = bytes.data();
  const std::uint8_t* const end = bytes.data() + bytes.size();
  while (static_cast<std::size_t>(end - position) >= text.size()) {
    const void* found = std::memchr(position, text[0], static_cast<std::size_t>(end - position));
    if (found == nullptr) return false;
    position = static_cast<const std::uint8_t*>(found);
    if (static_cast<std::size_t>(end - position) < text.size()) return false;
    if (std::memcmp(position, text.data(), text.size()) == 0) return true;
    ++position;
  }
  return false;
}

bool isOctalDigit(std::uint8_t byte) { return byte >= '0' && byte <= '7'; }
bool isLineEnd(std::uint8_t byte) { return byte == '\n' || byte == '\r'; }
bool isPrintable(std::uint8_t byte) { return byte >= 0x20 && byte <= 0x7E; }

// Returns false when the first line contains a byte other than printable ASCII.
bool firstLineIsText(std::span<const std::uint8_t> bytes) {
  for (const std::uint8_t byte : bytes) {
    if (isLineEnd(byte)) return true;
    if (!isPrintable(byte)) return false;
  }
  return true;
}

// Returns true for the header line of a uuencoded file: "begin " or
// "begin-base64 ", three octal digits of file mode and a space.
bool isUuHeader(std::span<const std::uint8_t> line) {
  for (const std::string_view prefix : {"begin "sv, "begin-base64 "sv}) {
    const std::size_t mode = prefix.size();
    if (startsWith(line, prefix) && line.size() > mode + 3 && isOctalDigit(line[mode]) &&
        isOctalDigit(line[mode + 1]) && isOctalDigit(line[mode + 2]) && line[mode + 3] == ' ') {
      return true;
    }
  }
  return false;
}

// The uu bidder reads the stream line by line from its start. It gives up at the
// first line that contains a byte other than printable ASCII, CR or LF. It claims
// the stream when it finds a header line and the line after it looks uuencoded,
// and this model ignores that second condition.
bool uuMayClaim(std::span<const std::uint8_t> bytes) {
  // Binary data fails on its first line, which settles most streams at once.
  if (!firstLineIsText(bytes)) return false;
  // Line starts in the window count; their header may reach past it.
  const std::span<const std::uint8_t> window = bytes.first(std::min(bytes.size(), kUuScanBytes));
  const std::size_t searched = std::min(bytes.size(), kUuScanBytes + sizeof("begin-base64 777"));
  if (!contains(bytes.first(searched), "begin"sv)) return false;

  std::size_t position = 0;
  while (position < window.size()) {
    if (isUuHeader(bytes.subspan(position))) return true;
    while (true) {
      if (position >= bytes.size()) return false;  // a last line without an end
      const std::uint8_t byte = bytes[position++];
      if (isLineEnd(byte)) break;
      if (!isPrintable(byte)) return false;
    }
  }
  return false;
}

// Formats that libarchive recognizes by the first bytes, except tar and ISO 9660,
// which have their own checks. Executables count too, because the 7-Zip, RAR, cab
// and LHA readers search them for a self-extracting archive.
bool formatMayClaim(std::span<const std::uint8_t> bytes) {
  constexpr std::string_view kMagics[] = {
      "PK"sv,          // zip, any of its record signatures
      "7z\xBC\xAF"sv,  // 7-Zip
      "!<"sv,          // ar
      "MSCF"sv,        // cab
      "0707"sv,        // cpio in its ASCII forms
      "\xC7\x71"sv,    // cpio, binary little-endian
      "\x71\xC7"sv,    // cpio, binary big-endian
      "Rar!"sv,        // RAR and RAR 5
      "xar!"sv,        // xar
      "WARC/"sv,       // WARC
  };
  for (std::string_view magic : kMagics) {
    if (startsWith(bytes, magic)) return true;
  }
  const bool lhaHeader = bytes.size() >= 22 && bytes[2] == '-' && bytes[3] == 'l';
  const std::span<const std::uint8_t> head =
      bytes.first(std::min(bytes.size(), kContentTypeHeadSize));
  return lhaHeader || detectContentType(head) == ContentType::kExecutable;
}

bool isAllZero(std::span<const std::uint8_t> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t byte) { return byte == 0; });
}

// Returns the values that libarchive's tar reader may take the checksum field
// for. The field contains octal digits after leading blanks, which are parsed up
// to the first other character. Versions that accept a base-256 field (first byte
// with the high bit set) read it as a big-endian number and compare it as an
// int, which keeps its last four bytes.
std::array<long, 2> tarChecksumCandidates(std::span<const std::uint8_t> field) {
  std::size_t position = 0;
  while (position < field.size() && (field[position] == ' ' || field[position] == '\t')) {
    ++position;
  }
  long octal = 0;
  for (; position < field.size() && field[position] >= '0' && field[position] <= '7'; ++position) {
    octal = octal * 8 + (field[position] - '0');
  }

  long base256 = octal;
  if ((field[0] & 0x80) != 0) {
    const std::uint32_t low = static_cast<std::uint32_t>(field[4]) << 24 |
                              static_cast<std::uint32_t>(field[5]) << 16 |
                              static_cast<std::uint32_t>(field[6]) << 8 | field[7];
    base256 = static_cast<std::int32_t>(low);
  }
  return {octal, base256};
}

}  // namespace

bool tarMayClaim(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kTarBlockSize) return false;
  const std::span<const std::uint8_t> block = bytes.first(kTarBlockSize);
  if (startsWith(block, "ustar"sv, 257) || isAllZero(block)) return true;

  const std::span<const std::uint8_t> field = block.subspan(kTarChecksumOffset, kTarChecksumSize);
  long unsignedSum = 0;
  long signedSum = 0;
  for (std::size_t i = 0; i < kTarBlockSize; ++i) {
    const bool inField = i >= kTarChecksumOffset && i < kTarChecksumOffset + kTarChecksumSize;
    const std::uint8_t byte = inField ? ' ' : block[i];
    unsignedSum += byte;
    signedSum += static_cast<std::int8_t>(byte);
  }
  for (const long declared : tarChecksumCandidates(field)) {
    if (declared == unsignedSum || declared == signedSum) return true;
  }
  return false;
}

bool filterMayClaim(std::span<const std::uint8_t> bytes) {
  constexpr std::string_view kMagics[] = {
      "\x1F\x8B"sv,  // gzip
      "\x1F\x9D"sv,  // compress (.Z)
      "BZh"sv,       // bzip2
      "\xFD"
      "7zX"sv,               // xz
      "LZIP"sv,              // lzip
      "\x28\xB5\x2F\xFD"sv,  // zstd
      "\x04\x22\x4D\x18"sv,  // lz4
      "\x02\x21\x4C\x18"sv,  // lz4, legacy frame
      "\xED\xAB\xEE\xDB"sv,  // rpm
  };
  for (std::string_view magic : kMagics) {
    if (startsWith(bytes, magic)) return true;
  }
  // Skippable frames of zstd and lz4: 0x184D2A50 to 0x184D2A5F.
  const bool skippableFrame =
      bytes.size() >= 4 && (bytes[0] & 0xF0) == 0x50 && startsWith(bytes, "\x2A\x4D\x18"sv, 1);
  return skippableFrame || lzmaMayClaim(bytes) || uuMayClaim(bytes);
}

bool iso9660MayClaim(std::span<const std::uint8_t> bytes) {
  return startsWith(bytes, "CD001"sv, 32769);
}

DecompressedStreamKind classifyDecompressedStream(std::span<const std::uint8_t> stream) {
  if (stream.empty()) return DecompressedStreamKind::kEmpty;
  // The magic numbers first: filterMayClaim() may read the whole uu window.
  if (formatMayClaim(stream) || iso9660MayClaim(stream) || filterMayClaim(stream)) {
    return DecompressedStreamKind::kOther;
  }
  return tarMayClaim(stream) ? DecompressedStreamKind::kTar : DecompressedStreamKind::kRaw;
}

}  // namespace odscan::engine
