#include "response_head.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>

namespace odscan::bench {
namespace {

constexpr std::string_view kLineEnd = "\r\n";
constexpr std::string_view kHeadEnd = "\r\n\r\n";

Status invalidHead(std::string_view reason) {
  return Status(StatusCode::kInvalidArgument, "invalid HTTP response head: " + std::string(reason));
}

bool equalsIgnoringCase(std::string_view left, std::string_view right) {
  return left.size() == right.size() &&
         std::equal(left.begin(), left.end(), right.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) ==
                  std::tolower(static_cast<unsigned char>(b));
         });
}

bool containsTokenIgnoringCase(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (equalsIgnoringCase(item, token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Parses "HTTP/1.x NNN reason" and sets the status; HTTP/1.0 closes by default.
Status parseStatusLine(std::string_view line, ResponseHead& head) {
  const bool http10 = line.rfind("HTTP/1.0 ", 0) == 0;
  if (!http10 && line.rfind("HTTP/1.1 ", 0) != 0) {
    return invalidHead("the status line does not start with HTTP/1.1 or HTTP/1.0");
  }
  const std::string_view code = line.substr(9, 3);
  unsigned status = 0;
  const auto result = std::from_chars(code.data(), code.data() + code.size(), status);
  if (code.size() != 3 || result.ec != std::errc() || result.ptr != code.data() + 3 ||
      status < 100 || (line.size() > 12 && line[12] != ' ')) {
    return invalidHead("the status code is not three digits");
  }
  head.status = status;
  head.closeConnection = http10;
  return Status::success();
}

Status parseField(std::string_view line, ResponseHead& head, bool& haveLength) {
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return invalidHead("a header line has no field name and colon");
  }
  const std::string_view name = line.substr(0, colon);
  const std::string_view value = trimmed(line.substr(colon + 1));

  if (equalsIgnoringCase(name, "Content-Length")) {
    std::size_t length = 0;
    const auto result = std::from_chars(value.data(), value.data() + value.size(), length);
    if (value.empty() || result.ec != std::errc() || result.ptr != value.data() + value.size()) {
      return invalidHead("Content-Length '" + std::string(value) + "' is not a byte count");
    }
    if (haveLength && length != head.contentLength) {
      return invalidHead("two Content-Length fields with different values");
    }
    head.contentLength = length;
    haveLength = true;
  } else if (equalsIgnoringCase(name, "Transfer-Encoding")) {
    return invalidHead(
        "Transfer-Encoding is not supported; the load generator reads bodies by "
        "Content-Length");
  } else if (equalsIgnoringCase(name, "Connection")) {
    if (containsTokenIgnoringCase(value, "close")) head.closeConnection = true;
    if (containsTokenIgnoringCase(value, "keep-alive")) head.closeConnection = false;
  }
  return Status::success();
}

}  // namespace

Result<std::optional<ResponseHead>> parseResponseHead(std::string_view data,
                                                      std::size_t maxHeadBytes) {
  const auto end = data.find(kHeadEnd);
  if (end == std::string_view::npos) {
    if (data.size() > maxHeadBytes) {
      return invalidHead("no end of the head within " + std::to_string(maxHeadBytes) + " bytes");
    }
    return std::optional<ResponseHead>();
  }

  ResponseHead head;
  head.headBytes = end + kHeadEnd.size();
  std::string_view rest = data.substr(0, end + kLineEnd.size());
  const auto statusEnd = rest.find(kLineEnd);
  if (Status status = parseStatusLine(rest.substr(0, statusEnd), head); !status.ok()) {
    return status;
  }
  rest.remove_prefix(statusEnd + kLineEnd.size());

  bool haveLength = false;
  while (!rest.empty()) {
    const auto lineEnd = rest.find(kLineEnd);
    if (Status status = parseField(rest.substr(0, lineEnd), head, haveLength); !status.ok()) {
      return status;
    }
    rest.remove_prefix(lineEnd + kLineEnd.size());
  }
  if (!haveLength) return invalidHead("no Content-Length field");
  return std::optional<ResponseHead>(head);
}

}  // namespace odscan::bench
