#include "odscan/protocol/query_codec.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>

namespace odscan::protocol {
namespace {

// Binary bodies: a 4-byte magic, then little-endian integers.
//   request:  "OSQ1" u32 count, then per item: u8 digest kind (1 MD5, 2 SHA-1,
//             3 SHA-256), u64 size, the digest bytes (16, 20 or 32)
//   response: "OSR1" u64 pattern version, u32 count, then per result: u8 verdict,
//             and for kMalicious a u16 name length and the name bytes
constexpr std::string_view kRequestMagic = "OSQ1";
constexpr std::string_view kResponseMagic = "OSR1";
constexpr std::size_t kMinBinaryItemSize = 1 + 8 + 16;

Status malformed(std::string detail) {
  return Status(StatusCode::kInvalidArgument, "malformed query body: " + std::move(detail));
}

Status tooManyDigests(std::size_t count, std::size_t maxDigests) {
  return Status(StatusCode::kLimitExceeded,
                "the query holds " + std::to_string(count) + " digests, more than the maximum of " +
                    std::to_string(maxDigests) + "; split it into smaller batches");
}

template <typename Integer>
void appendLittleEndian(std::string& out, Integer value) {
  for (std::size_t i = 0; i < sizeof(Integer); ++i) {
    out.push_back(static_cast<char>(static_cast<std::uint64_t>(value) >> (8 * i) & 0xff));
  }
}

// Reads a binary body front to back; every read checks the remaining length.
class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}

  std::size_t offset() const { return offset_; }
  std::size_t remaining() const { return bytes_.size() - offset_; }

  template <typename Integer>
  std::optional<Integer> read() {
    if (remaining() < sizeof(Integer)) return std::nullopt;
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < sizeof(Integer); ++i) {
      value |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes_[offset_ + i]))
               << (8 * i);
    }
    offset_ += sizeof(Integer);
    return static_cast<Integer>(value);
  }

  std::optional<std::string_view> readBytes(std::size_t count) {
    if (remaining() < count) return std::nullopt;
    std::string_view part = bytes_.substr(offset_, count);
    offset_ += count;
    return part;
  }

 private:
  std::string_view bytes_;
  std::size_t offset_ = 0;
};

std::string truncatedAt(const ByteReader& reader, std::string_view what) {
  return "the binary body ends at byte " + std::to_string(reader.offset()) + " inside " +
         std::string(what);
}

std::optional<DigestKind> digestKindFromByte(std::uint8_t value) {
  switch (value) {
    case static_cast<std::uint8_t>(DigestKind::kMd5):
      return DigestKind::kMd5;
    case static_cast<std::uint8_t>(DigestKind::kSha1):
      return DigestKind::kSha1;
    case static_cast<std::uint8_t>(DigestKind::kSha256):
      return DigestKind::kSha256;
    default:
      return std::nullopt;
  }
}

// ---- binary request --------------------------------------------------------

std::string encodeBinaryRequest(const QueryRequest& request) {
  std::string out;
  out.reserve(8 + request.items.size() * (1 + 8 + kMaxDigestLength));
  out.append(kRequestMagic);
  appendLittleEndian(out, static_cast<std::uint32_t>(request.items.size()));
  for (const QueryItem& item : request.items) {
    out.push_back(static_cast<char>(item.digest.kind));
    appendLittleEndian(out, item.size);
    out.append(reinterpret_cast<const char*>(item.digest.bytes.data()), item.digest.length());
  }
  return out;
}

Result<QueryRequest> decodeBinaryRequest(std::string_view body, std::size_t maxDigests) {
  ByteReader reader(body);
  std::optional<std::string_view> magic = reader.readBytes(kRequestMagic.size());
  if (!magic || *magic != kRequestMagic) {
    return malformed("a binary query starts with \"OSQ1\"; send the JSON format with " +
                     std::string(kJsonContentType) + " or fix the encoder");
  }
  std::optional<std::uint32_t> count = reader.read<std::uint32_t>();
  if (!count) return malformed(truncatedAt(reader, "the item count"));
  if (*count > maxDigests) return tooManyDigests(*count, maxDigests);
  // A count that the body cannot hold is rejected before anything is reserved.
  if (*count > reader.remaining() / kMinBinaryItemSize) {
    return malformed("the body declares " + std::to_string(*count) + " items but has only " +
                     std::to_string(reader.remaining()) + " bytes after the header");
  }

  QueryRequest request;
  request.items.reserve(*count);
  for (std::uint32_t index = 0; index < *count; ++index) {
    const std::string what = "item " + std::to_string(index);
    std::optional<std::uint8_t> kindByte = reader.read<std::uint8_t>();
    if (!kindByte) return malformed(truncatedAt(reader, what));
    std::optional<DigestKind> kind = digestKindFromByte(*kindByte);
    if (!kind) {
      return malformed(what + " has digest kind " + std::to_string(*kindByte) +
                       "; the kinds are 1 (MD5), 2 (SHA-1) and 3 (SHA-256)");
    }
    std::optional<std::uint64_t> size = reader.read<std::uint64_t>();
    std::optional<std::string_view> bytes;
    if (size) bytes = reader.readBytes(digestLength(*kind));
    if (!bytes) return malformed(truncatedAt(reader, what));

    QueryItem& item = request.items.emplace_back();
    item.digest.kind = *kind;
    std::memcpy(item.digest.bytes.data(), bytes->data(), bytes->size());
    item.size = *size;
  }
  if (reader.remaining() != 0) {
    return malformed(std::to_string(reader.remaining()) + " bytes follow the last of " +
                     std::to_string(*count) + " items");
  }
  return request;
}

// ---- binary response -------------------------------------------------------

std::string encodeBinaryResponse(const QueryResponse& response) {
  std::string out;
  out.reserve(16 + response.results.size() * 2);
  out.append(kResponseMagic);
  appendLittleEndian(out, response.patternVersion);
  appendLittleEndian(out, static_cast<std::uint32_t>(response.results.size()));
  for (const QueryResult& result : response.results) {
    out.push_back(static_cast<char>(result.verdict));
    if (result.verdict != QueryVerdict::kMalicious) continue;
    appendLittleEndian(out, static_cast<std::uint16_t>(result.threatName.size()));
    out.append(result.threatName);
  }
  return out;
}

Result<QueryResponse> decodeBinaryResponse(std::string_view body) {
  ByteReader reader(body);
  std::optional<std::string_view> magic = reader.readBytes(kResponseMagic.size());
  if (!magic || *magic != kResponseMagic) {
    return malformed(
        "a binary response starts with \"OSR1\"; the server may not be a Smart Scan "
        "Server, or it speaks another protocol version");
  }
  QueryResponse response;
  std::optional<std::uint64_t> version = reader.read<std::uint64_t>();
  std::optional<std::uint32_t> count = reader.read<std::uint32_t>();
  if (!version || !count) return malformed(truncatedAt(reader, "the response header"));
  if (*count > reader.remaining()) {
    return malformed("the response declares " + std::to_string(*count) + " results but has only " +
                     std::to_string(reader.remaining()) + " bytes after the header");
  }
  response.patternVersion = *version;
  response.results.reserve(*count);

  for (std::uint32_t index = 0; index < *count; ++index) {
    const std::string what = "result " + std::to_string(index);
    std::optional<std::uint8_t> verdict = reader.read<std::uint8_t>();
    if (!verdict) return malformed(truncatedAt(reader, what));
    QueryResult& result = response.results.emplace_back();
    if (*verdict == static_cast<std::uint8_t>(QueryVerdict::kNotFound)) continue;
    if (*verdict != static_cast<std::uint8_t>(QueryVerdict::kMalicious)) {
      return malformed(what + " has verdict " + std::to_string(*verdict) +
                       "; the verdicts are 0 (not found) and 1 (malicious)");
    }
    std::optional<std::uint16_t> length = reader.read<std::uint16_t>();
    std::optional<std::string_view> name;
    if (length) name = reader.readBytes(*length);
    if (!name) return malformed(truncatedAt(reader, what));
    if (!isValidThreatName(*name)) return malformed(what + " has an invalid threat name");
    result.verdict = QueryVerdict::kMalicious;
    result.threatName.assign(*name);
  }
  if (reader.remaining() != 0) {
    return malformed(std::to_string(reader.remaining()) + " bytes follow the last of " +
                     std::to_string(*count) + " results");
  }
  return response;
}

// ---- JSON ------------------------------------------------------------------

// Parses JSON without letting an exception escape; the message names the byte.
Result<nlohmann::json> parseJson(std::string_view body) {
  try {
    return nlohmann::json::parse(body);
  } catch (const nlohmann::json::exception& error) {
    return malformed(std::string("not valid JSON: ") + error.what());
  }
}

std::string encodeJsonRequest(const QueryRequest& request) {
  nlohmann::json queries = nlohmann::json::array();
  for (const QueryItem& item : request.items) {
    queries.push_back({{"digest", item.digest.toHex()}, {"size", item.size}});
  }
  return nlohmann::json{{"queries", std::move(queries)}}.dump();
}

Result<QueryItem> decodeJsonItem(const nlohmann::json& entry, std::size_t index) {
  const std::string what = "queries[" + std::to_string(index) + "]";
  if (!entry.is_object()) return malformed(what + " is not an object");
  auto digest = entry.find("digest");
  auto size = entry.find("size");
  if (digest == entry.end() || !digest->is_string()) {
    return malformed(what + " needs \"digest\": the hex MD5, SHA-1 or SHA-256 of the file");
  }
  if (size == entry.end() || !size->is_number_unsigned()) {
    return malformed(what + " needs \"size\": the file size in bytes, a non-negative integer");
  }
  Result<Digest> parsed = Digest::fromHex(digest->get_ref<const std::string&>());
  if (!parsed.ok()) return malformed(what + ": " + parsed.status().message());
  return QueryItem{*parsed, size->get<std::uint64_t>()};
}

Result<QueryRequest> decodeJsonRequest(std::string_view body, std::size_t maxDigests) {
  Result<nlohmann::json> document = parseJson(body);
  if (!document.ok()) return document.status();
  auto queries = document->is_object() ? document->find("queries") : document->end();
  if (!document->is_object() || queries == document->end() || !queries->is_array()) {
    return malformed(R"(a JSON query is an object with a "queries" array, like )"
                     R"({"queries":[{"digest":"<hex>","size":68}]})");
  }
  if (queries->size() > maxDigests) return tooManyDigests(queries->size(), maxDigests);

  QueryRequest request;
  request.items.reserve(queries->size());
  for (std::size_t index = 0; index < queries->size(); ++index) {
    Result<QueryItem> item = decodeJsonItem((*queries)[index], index);
    if (!item.ok()) return item.status();
    request.items.push_back(*item);
  }
  return request;
}

std::string encodeJsonResponse(const QueryResponse& response) {
  nlohmann::json results = nlohmann::json::array();
  for (const QueryResult& result : response.results) {
    nlohmann::json entry{{"verdict", queryVerdictName(result.verdict)}};
    if (result.verdict == QueryVerdict::kMalicious) entry["threat"] = result.threatName;
    results.push_back(std::move(entry));
  }
  return nlohmann::json{{"pattern_version", response.patternVersion},
                        {"results", std::move(results)}}
      .dump();
}

Result<QueryResult> decodeJsonResult(const nlohmann::json& entry, std::size_t index) {
  const std::string what = "results[" + std::to_string(index) + "]";
  auto verdict = entry.is_object() ? entry.find("verdict") : entry.end();
  if (!entry.is_object() || verdict == entry.end() || !verdict->is_string()) {
    return malformed(what + R"( needs "verdict": "malicious" or "not_found")");
  }
  const std::string& name = verdict->get_ref<const std::string&>();
  if (name == queryVerdictName(QueryVerdict::kNotFound)) return QueryResult{};
  if (name != queryVerdictName(QueryVerdict::kMalicious)) {
    return malformed(what + " has the unknown verdict \"" + name.substr(0, 32) + "\"");
  }
  auto threat = entry.find("threat");
  if (threat == entry.end() || !threat->is_string() ||
      !isValidThreatName(threat->get_ref<const std::string&>())) {
    return malformed(what + R"( is malicious but has no valid "threat" name)");
  }
  return QueryResult{QueryVerdict::kMalicious, threat->get<std::string>()};
}

Result<QueryResponse> decodeJsonResponse(std::string_view body) {
  Result<nlohmann::json> document = parseJson(body);
  if (!document.ok()) return document.status();
  if (!document->is_object()) return malformed("a JSON response is an object");
  auto version = document->find("pattern_version");
  auto results = document->find("results");
  if (version == document->end() || !version->is_number_unsigned() || results == document->end() ||
      !results->is_array()) {
    return malformed(R"(a JSON response needs "pattern_version" and a "results" array)");
  }

  QueryResponse response;
  response.patternVersion = version->get<std::uint64_t>();
  response.results.reserve(results->size());
  for (std::size_t index = 0; index < results->size(); ++index) {
    Result<QueryResult> result = decodeJsonResult((*results)[index], index);
    if (!result.ok()) return result.status();
    response.results.push_back(std::move(*result));
  }
  return response;
}

bool isContinuationByte(unsigned char byte) { return (byte & 0xc0) == 0x80; }

// Returns the length of the UTF-8 sequence at `text[at]`, or 0 when it is invalid
// (overlong forms and surrogates included).
std::size_t utf8SequenceLength(std::string_view text, std::size_t at) {
  const auto lead = static_cast<unsigned char>(text[at]);
  std::size_t length = 0;
  std::uint32_t minimum = 0;
  std::uint32_t point = 0;
  if (lead < 0x80) return 1;
  if ((lead & 0xe0) == 0xc0) {
    length = 2, minimum = 0x80, point = lead & 0x1fu;
  } else if ((lead & 0xf0) == 0xe0) {
    length = 3, minimum = 0x800, point = lead & 0x0fu;
  } else if ((lead & 0xf8) == 0xf0) {
    length = 4, minimum = 0x10000, point = lead & 0x07u;
  } else {
    return 0;
  }
  if (text.size() - at < length) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    const auto byte = static_cast<unsigned char>(text[at + i]);
    if (!isContinuationByte(byte)) return 0;
    point = (point << 6) | (byte & 0x3fu);
  }
  const bool surrogate = point >= 0xd800 && point <= 0xdfff;
  return point < minimum || point > 0x10ffff || surrogate ? 0 : length;
}

}  // namespace

std::string_view queryVerdictName(QueryVerdict verdict) {
  return verdict == QueryVerdict::kMalicious ? "malicious" : "not_found";
}

Result<BodyFormat> bodyFormatFromContentType(std::string_view contentType) {
  std::string_view type = contentType.substr(0, contentType.find(';'));
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type.back()))) {
    type.remove_suffix(1);
  }
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type.front()))) {
    type.remove_prefix(1);
  }
  auto sameType = [type](std::string_view expected) {
    return std::equal(
        type.begin(), type.end(), expected.begin(), expected.end(),
        [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
  };
  if (sameType(kJsonContentType)) return BodyFormat::kJson;
  if (sameType(kBinaryContentType)) return BodyFormat::kBinary;
  return Status(StatusCode::kInvalidArgument, "unsupported Content-Type \"" +
                                                  std::string(contentType.substr(0, 64)) +
                                                  "\"; send " + std::string(kJsonContentType) +
                                                  " or " + std::string(kBinaryContentType));
}

std::string_view contentTypeOf(BodyFormat format) {
  return format == BodyFormat::kJson ? kJsonContentType : kBinaryContentType;
}

std::string encodeQueryRequest(const QueryRequest& request, BodyFormat format) {
  return format == BodyFormat::kJson ? encodeJsonRequest(request) : encodeBinaryRequest(request);
}

Result<QueryRequest> decodeQueryRequest(std::string_view body, BodyFormat format,
                                        std::size_t maxDigests) {
  return format == BodyFormat::kJson ? decodeJsonRequest(body, maxDigests)
                                     : decodeBinaryRequest(body, maxDigests);
}

std::string encodeQueryResponse(const QueryResponse& response, BodyFormat format) {
  return format == BodyFormat::kJson ? encodeJsonResponse(response)
                                     : encodeBinaryResponse(response);
}

Result<QueryResponse> decodeQueryResponse(std::string_view body, BodyFormat format) {
  return format == BodyFormat::kJson ? decodeJsonResponse(body) : decodeBinaryResponse(body);
}

bool isValidThreatName(std::string_view name) {
  if (name.empty() || name.size() > kMaxThreatNameLength) return false;
  for (std::size_t at = 0; at < name.size();) {
    const auto byte = static_cast<unsigned char>(name[at]);
    if (byte < 0x20 || byte == 0x7f) return false;
    const std::size_t length = utf8SequenceLength(name, at);
    if (length == 0) return false;
    at += length;
  }
  return true;
}

}  // namespace odscan::protocol
