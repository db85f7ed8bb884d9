// The scan query protocol between scanners and Smart Scan Servers: the bodies of
// `POST /v1/query` in their two formats, JSON and a compact binary form, and the
// header names both sides use. docs/protocol.md is the specification; this header
// and that document change together.
//
// Decoders take untrusted bytes. They never throw and never assert; every
// malformed body becomes a Status that says what is wrong and where.
//
// Thread safety: free functions without shared state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "odscan/common/digest.h"
#include "odscan/common/status.h"

namespace odscan::protocol {

inline constexpr std::string_view kQueryPath = "/v1/query";
inline constexpr std::string_view kHealthPath = "/v1/health";
inline constexpr std::string_view kMetricsPath = "/metrics";

inline constexpr std::string_view kJsonContentType = "application/json";
inline constexpr std::string_view kBinaryContentType = "application/x-odscan-query";

// Request headers that identify the caller in the server's logs and metrics: the
// product and its version ("odscan-scanner/0.1.0") and the endpoint (host name or
// endpoint id).
inline constexpr std::string_view kProductHeader = "X-Odscan-Product";
inline constexpr std::string_view kEndpointHeader = "X-Odscan-Endpoint";
inline constexpr std::string_view kRequestIdHeader = "X-Request-Id";

// The default maximum of digests in one query; servers may configure another.
inline constexpr std::size_t kDefaultMaxDigestsPerQuery = 1000;
// Threat names longer than this, or with control characters, make a response
// malformed, so that a client never logs or shows what a server could not mean.
inline constexpr std::size_t kMaxThreatNameLength = 512;

enum class BodyFormat { kJson, kBinary };

// One object to look up: a digest of the file or archive member and its size in
// bytes, since a signature may hold only for one size.
struct QueryItem {
  Digest digest;
  std::uint64_t size = 0;

  bool operator==(const QueryItem&) const = default;
};

struct QueryRequest {
  std::vector<QueryItem> items;
};

// The values are part of the binary format; never renumber them.
enum class QueryVerdict : std::uint8_t { kNotFound = 0, kMalicious = 1 };

// Returns "not_found" or "malicious".
std::string_view queryVerdictName(QueryVerdict verdict);

struct QueryResult {
  QueryVerdict verdict = QueryVerdict::kNotFound;
  std::string threatName;  // set when malicious

  bool operator==(const QueryResult&) const = default;
};

// The results come in the order of the request's items, one per item.
struct QueryResponse {
  std::uint64_t patternVersion = 0;  // version of the Smart Scan Pattern used
  std::vector<QueryResult> results;
};

// Maps a Content-Type value to a format. Parameters such as "; charset=utf-8" and
// letter case are ignored. Fails with kInvalidArgument for any other type.
Result<BodyFormat> bodyFormatFromContentType(std::string_view contentType);
std::string_view contentTypeOf(BodyFormat format);

std::string encodeQueryRequest(const QueryRequest& request, BodyFormat format);

// Fails with kLimitExceeded when the body contains more than `maxDigests` items
// (servers return 413) and with kInvalidArgument when it is malformed (400). An
// empty list is valid.
Result<QueryRequest> decodeQueryRequest(std::string_view body, BodyFormat format,
                                        std::size_t maxDigests);

// Precondition: every malicious result has a threat name that isValidThreatName()
// accepts.
std::string encodeQueryResponse(const QueryResponse& response, BodyFormat format);

// Fails with kInvalidArgument when the body is malformed or contains a threat
// name that isValidThreatName() rejects. The caller checks that the number of
// results matches its request.
Result<QueryResponse> decodeQueryResponse(std::string_view body, BodyFormat format);

// Non-empty, at most kMaxThreatNameLength bytes, valid UTF-8 without control
// characters.
bool isValidThreatName(std::string_view name);

}  // namespace odscan::protocol
