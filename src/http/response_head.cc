#include "response_head.h"

#include <boost/beast/http/status.hpp>
#include <charconv>
#include <chrono>

namespace odscan::http {
namespace {

void appendFieldValue(std::string& out, std::string_view value) {
  for (const char c : value) out += (c == '\r' || c == '\n') ? ' ' : c;
}

void appendField(std::string& out, std::string_view name, std::string_view value) {
  appendFieldValue(out, name);
  out += ": ";
  appendFieldValue(out, value);
  out += "\r\n";
}

void appendNumber(std::string& out, std::size_t value) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.append(buffer, result.ptr);
}

}  // namespace

std::string_view HttpDateCache::now() {
  const std::time_t second = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  if (second != second_) {
    std::tm utc{};
    gmtime_r(&second, &utc);
    length_ = std::strftime(text_.data(), text_.size(), "%a, %d %b %Y %H:%M:%S GMT", &utc);
    second_ = second;
  }
  return std::string_view(text_.data(), length_);
}

void appendResponseHead(std::string& out, const Response& response,
                        const ResponseHeadOptions& options) {
  const auto reason =
      boost::beast::http::obsolete_reason(boost::beast::http::int_to_status(response.status));
  out += "HTTP/1.1 ";
  appendNumber(out, response.status);
  out += ' ';
  out.append(reason.data(), reason.size());
  out += "\r\n";

  appendField(out, "Date", options.date);
  if (!response.contentType.empty()) appendField(out, "Content-Type", response.contentType);
  out += "Content-Length: ";
  appendNumber(out, response.body.size());
  out += "\r\n";
  if (!options.requestId.empty()) appendField(out, "X-Request-Id", options.requestId);
  if (options.close) {
    out += "Connection: close\r\n";
  } else if (options.keepAliveHeader) {
    out += "Connection: keep-alive\r\n";
  }
  for (const auto& [name, value] : response.headers) appendField(out, name, value);
  out += "\r\n";
}

}  // namespace odscan::http
