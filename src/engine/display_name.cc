#include "display_name.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>

namespace odscan::engine {
namespace {

bool isContinuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// Returns the length of the valid UTF-8 sequence starting at text[0], or 0 when
// it is invalid (bad lead byte, bad continuation, overlong form, surrogate, or a
// code point above U+10FFFF).
std::size_t validSequenceLength(std::string_view text) {
  const auto lead = static_cast<unsigned char>(text[0]);
  if (lead < 0x80) return 1;

  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // UTF-16 surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }

  if (text.size() < length) return 0;
  const auto second = static_cast<unsigned char>(text[1]);
  if (second < low || second > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (!isContinuation(static_cast<unsigned char>(text[i]))) return 0;
  }
  return length;
}

}  // namespace

void appendSanitized(std::string_view name, std::string& out) {
  // Most names are printable ASCII; copy those in one step.
  const bool printableAscii = std::all_of(name.begin(), name.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte >= 0x20 && byte < 0x7F;
  });
  if (printableAscii) {
    out.append(name);
    return;
  }

  std::size_t i = 0;
  while (i < name.size()) {
    const auto byte = static_cast<unsigned char>(name[i]);
    if (byte < 0x20 || byte == 0x7F) {
      out.push_back('?');
      ++i;
      continue;
    }
    const std::size_t length = validSequenceLength(name.substr(i));
    if (length == 0) {
      out.push_back('?');
      ++i;
      continue;
    }
    out.append(name.substr(i, length));
    i += length;
  }
}

std::string memberDisplayName(std::string_view rawName) {
  if (rawName.empty()) return "(unnamed)";
  std::string name;
  appendSanitized(rawName.substr(0, kMaxMemberNameBytes), name);
  if (rawName.size() > kMaxMemberNameBytes) name += "...";
  return name;
}

std::string rawStreamMemberName(std::string_view containerName) {
  constexpr std::array<std::string_view, 9> kSuffixes = {".gz",  ".bz2", ".xz", ".lzma", ".zst",
                                                         ".lz4", ".lz",  ".Z",  ".lzo"};
  for (std::string_view suffix : kSuffixes) {
    if (containerName.size() > suffix.size() && containerName.ends_with(suffix)) {
      return std::string(containerName.substr(0, containerName.size() - suffix.size()));
    }
  }
  return "data";
}

std::string_view lastPathComponent(std::string_view path) {
  const std::size_t separator = path.find_last_of("/\\");
  return separator == std::string_view::npos ? path : path.substr(separator + 1);
}

}  // namespace odscan::engine
