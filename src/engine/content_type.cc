#include "content_type.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

namespace odscan::engine {
namespace {

bool startsWith(std::span<const std::uint8_t> data, std::string_view magic,
                std::size_t offset = 0) {
  if (data.size() < offset + magic.size()) return false;
  return std::equal(magic.begin(), magic.end(), data.begin() + static_cast<std::ptrdiff_t>(offset),
                    [](char expected, std::uint8_t actual) {
                      return static_cast<std::uint8_t>(expected) == actual;
                    });
}

bool isExecutable(std::span<const std::uint8_t> head) {
  using namespace std::string_view_literals;
  return startsWith(head, "MZ"sv) || startsWith(head, "\x7F\x45LF"sv) ||
         startsWith(head, "\xFE\xED\xFA\xCE"sv) || startsWith(head, "\xFE\xED\xFA\xCF"sv) ||
         startsWith(head, "\xCE\xFA\xED\xFE"sv) || startsWith(head, "\xCF\xFA\xED\xFE"sv) ||
         startsWith(head, "\xCA\xFE\xBA\xBE"sv);  // Mach-O universal (also Java class files)
}

// bzip2: "BZh", a block size digit, then the magic of a first block or of the
// end-of-stream marker. Checking the second magic keeps text starting with "BZh"
// out of libarchive.
bool isBzip2(std::span<const std::uint8_t> head) {
  using namespace std::string_view_literals;
  if (!startsWith(head, "BZh"sv) || head.size() < 10) return false;
  if (head[3] < '1' || head[3] > '9') return false;
  return startsWith(head, "1AY&SY"sv, 4) || startsWith(head, "\x17\x72\x45\x38\x50\x90"sv, 4);
}

// LZMA-alone has no real magic: properties byte 0x5D (the usual lc/lp/pb), a
// dictionary size, and an uncompressed size that is either unknown (all 0xFF) or
// far below 2^56.
bool isLzmaAlone(std::span<const std::uint8_t> head) {
  using namespace std::string_view_literals;
  if (head.size() < 13 || !startsWith(head, "\x5D\x00\x00"sv)) return false;
  const bool sizeUnknown = std::all_of(head.begin() + 5, head.begin() + 13,
                                       [](std::uint8_t byte) { return byte == 0xFF; });
  return sizeUnknown || head[12] == 0;
}

bool isTar(std::span<const std::uint8_t> head) {
  using namespace std::string_view_literals;
  return startsWith(head, "ustar"sv, 257);  // POSIX "ustar\0" and GNU "ustar  \0"
}

// Old binary cpio has only a 2-byte magic (070707 octal in the writer's byte
// order), so the first header's file type and name size must be plausible too.
// Without that check about one random file in 30000 would pass for an archive.
bool isBinaryCpio(std::span<const std::uint8_t> head) {
  if (head.size() < 26) return false;
  const bool littleEndian = head[0] == 0xC7 && head[1] == 0x71;
  const bool bigEndian = head[0] == 0x71 && head[1] == 0xC7;
  if (!littleEndian && !bigEndian) return false;

  auto field = [&](std::size_t offset) {
    return littleEndian ? static_cast<unsigned>(head[offset] | (head[offset + 1] << 8))
                        : static_cast<unsigned>((head[offset] << 8) | head[offset + 1]);
  };
  const unsigned fileType = field(6) & 0170000;
  const unsigned nameSize = field(20);
  const bool knownType = fileType == 0100000 || fileType == 0040000 || fileType == 0120000 ||
                         fileType == 0020000 || fileType == 0060000 || fileType == 0010000 ||
                         fileType == 0140000;
  return knownType && nameSize >= 1 && nameSize <= 4096;
}

bool isCpio(std::span<const std::uint8_t> head) {
  using namespace std::string_view_literals;
  return startsWith(head, "070707"sv) || startsWith(head, "070701"sv) ||
         startsWith(head, "070702"sv) || isBinaryCpio(head);
}

// gzip: the magic, then compression method 8 (deflate, the only one defined) and
// flags with the reserved bits clear.
bool isGzip(std::span<const std::uint8_t> head) {
  return head.size() >= 4 && head[0] == 0x1F && head[1] == 0x8B && head[2] == 8 &&
         (head[3] & 0xE0) == 0;
}

// compress (.Z): the magic, then a maximum code width of 9 to 16 bits and the
// reserved bits clear.
bool isCompress(std::span<const std::uint8_t> head) {
  if (head.size() < 3 || head[0] != 0x1F || head[1] != 0x9D) return false;
  const unsigned bits = head[2] & 0x1F;
  return (head[2] & 0x60) == 0 && bits >= 9 && bits <= 16;
}

// LHA: "-lh?-" or "-lz?-" at offset 2 of the first header.
bool isLha(std::span<const std::uint8_t> head) {
  if (head.size() < 7 || head[2] != '-' || head[3] != 'l' || head[6] != '-') return false;
  return head[4] == 'h' || head[4] == 'z';
}

bool isContainer(std::span<const std::uint8_t> head) {
  using namespace std::string_view_literals;
  constexpr std::array kMagics = {
      "PK\x03\x04"sv,            // zip
      "PK\x05\x06"sv,            // empty zip
      "PK\x07\x08"sv,            // spanned zip
      "7z\xBC\xAF\x27\x1C"sv,    // 7z
      "\xFD\x37zXZ\x00"sv,       // xz
      "\x28\xB5\x2F\xFD"sv,      // zstd
      "\x04\x22\x4D\x18"sv,      // lz4
      "LZIP"sv,                  // lzip
      "MSCF\x00\x00\x00\x00"sv,  // cab
      "Rar!\x1A\x07"sv,          // rar 4 and 5
      "!<arch>\n"sv,             // ar
      "xar!"sv,                  // xar
      "WARC/"sv,                 // warc
      "\xED\xAB\xEE\xDB"sv,      // rpm
  };
  for (std::string_view magic : kMagics) {
    if (startsWith(head, magic)) return true;
  }
  return isGzip(head) || isCompress(head) || isBzip2(head) || isLzmaAlone(head) || isTar(head) ||
         isCpio(head) || isLha(head) || startsWith(head, "CD001"sv, 32769);  // ISO 9660
}

bool endsWithIgnoringCase(std::string_view text, std::string_view suffix) {
  if (text.size() < suffix.size()) return false;
  const std::string_view tail = text.substr(text.size() - suffix.size());
  return std::equal(tail.begin(), tail.end(), suffix.begin(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == b;
  });
}

}  // namespace

ContentType detectContentType(std::span<const std::uint8_t> head) {
  if (isExecutable(head)) return ContentType::kExecutable;
  if (head.size() >= 2 && head[0] == '#' && head[1] == '!') return ContentType::kScript;
  if (isContainer(head)) return ContentType::kContainer;
  return ContentType::kOther;
}

bool hasScriptExtension(std::string_view fileName) {
  constexpr std::array<std::string_view, 12> kExtensions = {".ps1", ".psm1", ".vbs", ".vbe",
                                                            ".js",  ".jse",  ".wsf", ".wsh",
                                                            ".hta", ".bat",  ".cmd", ".sh"};
  return std::any_of(
      kExtensions.begin(), kExtensions.end(),
      [fileName](std::string_view extension) { return endsWithIgnoringCase(fileName, extension); });
}

}  // namespace odscan::engine
