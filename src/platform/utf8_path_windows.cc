// UTF-16 to WTF-8 and back, written out instead of calling WideCharToMultiByte.
// That call replaces an unpaired surrogate with U+FFFD, and the scanner could
// then not open the file again by the name it reported.
#include "odscan/platform/utf8_path.h"
#include "windows_support.h"

namespace odscan::platform {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

bool isHighSurrogate(char32_t unit) { return unit >= 0xD800 && unit <= 0xDBFF; }
bool isLowSurrogate(char32_t unit) { return unit >= 0xDC00 && unit <= 0xDFFF; }

void appendUtf8(std::string& out, char32_t code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

void appendUtf16(std::wstring& out, char32_t code) {
  if (code < 0x10000) {
    out += static_cast<wchar_t>(code);
    return;
  }
  code -= 0x10000;
  out += static_cast<wchar_t>(0xD800 + (code >> 10));
  out += static_cast<wchar_t>(0xDC00 + (code & 0x3FF));
}

// Decodes one sequence at the start of `text` and returns its code point and
// length. Overlong forms, code points above U+10FFFF and bad continuation bytes
// give U+FFFD for one byte. Encoded surrogates are accepted (WTF-8).
std::pair<char32_t, std::size_t> decodeOne(std::string_view text) {
  const auto lead = static_cast<unsigned char>(text[0]);
  if (lead < 0x80) return {lead, 1};

  std::size_t length = 0;
  char32_t code = 0;
  char32_t minimum = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    code = lead & 0x1F;
    minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    code = lead & 0x0F;
    minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    code = lead & 0x07;
    minimum = 0x10000;
  } else {
    return {kReplacement, 1};
  }
  if (text.size() < length) return {kReplacement, 1};

  for (std::size_t i = 1; i < length; ++i) {
    const auto next = static_cast<unsigned char>(text[i]);
    if ((next & 0xC0) != 0x80) return {kReplacement, 1};
    code = (code << 6) | (next & 0x3F);
  }
  if (code < minimum || code > 0x10FFFF) return {kReplacement, 1};
  return {code, length};
}

}  // namespace

std::string narrow(std::wstring_view utf16) {
  std::string out;
  out.reserve(utf16.size());
  for (std::size_t i = 0; i < utf16.size(); ++i) {
    char32_t code = static_cast<char32_t>(utf16[i]);
    if (isHighSurrogate(code) && i + 1 < utf16.size() &&
        isLowSurrogate(static_cast<char32_t>(utf16[i + 1]))) {
      code = 0x10000 + ((code - 0xD800) << 10) + (static_cast<char32_t>(utf16[i + 1]) - 0xDC00);
      ++i;
    }
    appendUtf8(out, code);
  }
  return out;
}

std::wstring widen(std::string_view utf8) {
  std::wstring out;
  out.reserve(utf8.size());
  while (!utf8.empty()) {
    const auto [code, length] = decodeOne(utf8);
    appendUtf16(out, code);
    utf8.remove_prefix(length);
  }
  return out;
}

std::string toUtf8(const std::filesystem::path& path) { return narrow(path.native()); }

std::filesystem::path fromUtf8(std::string_view text) { return std::filesystem::path(widen(text)); }

}  // namespace odscan::platform
