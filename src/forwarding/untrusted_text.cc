#include "odscan/forwarding/untrusted_text.h"

#include <cstdint>

namespace odscan::forwarding {
namespace {

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view kEllipsis = "...";

struct DecodedCharacter {
  char32_t codePoint = 0;
  std::size_t length = 0;  // 0 when the bytes at the position are not valid UTF-8
};

// Decodes one UTF-8 character, rejecting overlong forms, surrogates and values
// above U+10FFFF as RFC 3629 requires.
DecodedCharacter decodeUtf8(std::string_view text, std::size_t position) {
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[position + i]); };
  const std::uint8_t lead = byte(0);
  if (lead < 0x80) return {lead, 1};

  // The lead byte gives the length, its payload bits and the smallest code point
  // that needs that length.
  std::size_t length = 0;
  char32_t codePoint = 0;
  char32_t minimum = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    codePoint = lead & 0x1Fu;
    minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    codePoint = lead & 0x0Fu;
    minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    codePoint = lead & 0x07u;
    minimum = 0x10000;
  } else {
    return {};
  }
  if (position + length > text.size()) return {};

  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return {};
    codePoint = (codePoint << 6) | (byte(i) & 0x3Fu);
  }
  const bool surrogate = codePoint >= 0xD800 && codePoint <= 0xDFFF;
  if (codePoint < minimum || codePoint > 0x10FFFF || surrogate) return {};
  return {codePoint, length};
}

// True for characters that can forge a line, hide text or reorder it on screen.
bool isHiddenOrControl(char32_t codePoint) {
  if (codePoint < 0x20 || codePoint == 0x7F) return true;
  if (codePoint >= 0x80 && codePoint <= 0x9F) return true;
  if (codePoint == 0x2028 || codePoint == 0x2029) return true;
  if (codePoint >= 0x202A && codePoint <= 0x202E) return true;
  return codePoint >= 0x2066 && codePoint <= 0x2069;
}

void appendCleaned(std::string& output, std::string_view text, std::size_t position,
                   const DecodedCharacter& character, LineBreaks lineBreaks) {
  const char32_t codePoint = character.codePoint;
  const bool lineBreak = codePoint == '\r' || codePoint == '\n';
  if (lineBreak && lineBreaks == LineBreaks::kKeep) {
    output += static_cast<char>(codePoint);
  } else if (lineBreak || codePoint == '\t') {
    output += ' ';
  } else if (isHiddenOrControl(codePoint)) {
    output += '?';
  } else {
    output.append(text.substr(position, character.length));
  }
}

}  // namespace

std::string cleanUntrustedText(std::string_view text, std::size_t maxBytes, LineBreaks lineBreaks) {
  std::string cleaned;
  cleaned.reserve(text.size() < maxBytes ? text.size() : maxBytes + kEllipsis.size());

  for (std::size_t position = 0; position < text.size();) {
    const DecodedCharacter character = decodeUtf8(text, position);
    if (character.length == 0) {
      cleaned += kReplacementCharacter;
      ++position;
    } else {
      appendCleaned(cleaned, text, position, character, lineBreaks);
      position += character.length;
    }
    // Stop early on huge inputs: only the first maxBytes can survive.
    if (cleaned.size() > maxBytes + kEllipsis.size()) break;
  }

  if (cleaned.size() <= maxBytes) return cleaned;
  if (maxBytes <= kEllipsis.size()) return std::string(utf8Prefix(cleaned, maxBytes));
  std::string shortened(utf8Prefix(cleaned, maxBytes - kEllipsis.size()));
  shortened += kEllipsis;
  return shortened;
}

std::string asciiHeaderField(std::string_view text, std::size_t maxBytes) {
  std::string field;
  for (const char c : text.substr(0, maxBytes)) {
    field += (c >= 33 && c <= 126) ? c : '_';
  }
  return field.empty() ? std::string("-") : field;
}

std::string_view utf8Prefix(std::string_view text, std::size_t maxBytes) {
  if (text.size() <= maxBytes) return text;
  std::size_t end = maxBytes;
  // Step back over continuation bytes to the start of the cut character.
  while (end > 0 && (static_cast<std::uint8_t>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

}  // namespace odscan::forwarding
