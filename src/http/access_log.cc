#include "access_log.h"

namespace odscan::http {
namespace {

bool isPlainLogChar(char c) { return c > ' ' && c < 0x7f && c != '"' && c != '\\'; }

}  // namespace

void appendLogValue(std::string& out, std::string_view value) {
  if (value.empty()) {
    out += '-';
    return;
  }
  bool plain = true;
  for (const char c : value) plain = plain && isPlainLogChar(c);
  if (plain) {
    out += value;
    return;
  }

  static constexpr char kHexDigits[] = "0123456789abcdef";
  out += '"';
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte >= ' ' && byte < 0x7f) {
      out += c;
    } else {
      out += "\\x";
      out += kHexDigits[byte >> 4];
      out += kHexDigits[byte & 0xf];
    }
  }
  out += '"';
}

void appendLogField(std::string& out, std::string_view key, std::string_view value) {
  out += ' ';
  out += key;
  out += '=';
  appendLogValue(out, value);
}

}  // namespace odscan::http
