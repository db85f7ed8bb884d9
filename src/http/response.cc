#include "odscan/http/response.h"

namespace odscan::http {
namespace {

bool isContinuationByte(unsigned char byte) { return (byte & 0xc0) == 0x80; }

// Returns the length of the valid UTF-8 sequence at the start of `text`, or 0 when
// it starts with an invalid one. Overlong forms and surrogates count as invalid.
std::size_t utf8SequenceLength(std::string_view text) {
  const auto lead = static_cast<unsigned char>(text[0]);
  std::size_t length = 0;
  unsigned minimum = 0;
  unsigned codePoint = 0;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
    minimum = 0x80;
    codePoint = lead & 0x1f;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    minimum = 0x800;
    codePoint = lead & 0x0f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    minimum = 0x10000;
    codePoint = lead & 0x07;
  } else {
    return 0;
  }
  if (text.size() < length) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (!isContinuationByte(byte)) return 0;
    codePoint = (codePoint << 6) | (byte & 0x3f);
  }
  const bool surrogate = codePoint >= 0xd800 && codePoint <= 0xdfff;
  if (codePoint < minimum || codePoint > 0x10ffff || surrogate) return 0;
  return length;
}

}  // namespace

void Response::reset() {
  status = 200;
  contentType.clear();
  body.clear();
  headers.clear();
  accessLogFields.clear();
}

void Response::addHeader(std::string_view name, std::string_view value) {
  headers.emplace_back(std::string(name), std::string(value));
}

void Response::setError(unsigned errorStatus, std::string_view message,
                        std::string_view requestId) {
  status = errorStatus;
  contentType = "application/json";
  body.clear();
  body += "{\"error\":";
  appendJsonString(body, message);
  body += ",\"request_id\":";
  appendJsonString(body, requestId);
  body += "}\n";
}

void Response::addLogField(std::string_view key, std::string_view value) {
  if (!accessLogFields.empty()) accessLogFields += ' ';
  accessLogFields += key;
  accessLogFields += '=';
  accessLogFields += value;
}

void appendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHexDigits[] = "0123456789abcdef";
  out += '"';
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80) {
      // Messages can quote client bytes; invalid UTF-8 would make the whole body
      // invalid JSON, so such bytes become U+FFFD.
      const std::size_t length = utf8SequenceLength(text.substr(i));
      if (length == 0) {
        out += "\ufffd";
      } else {
        out.append(text.substr(i, length));
        i += length - 1;
      }
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (byte < 0x20 || byte == 0x7f) {
      out += "\\u00";
      out += kHexDigits[byte >> 4];
      out += kHexDigits[byte & 0xf];
    } else {
      out += c;
    }
  }
  out += '"';
}

}  // namespace odscan::http
