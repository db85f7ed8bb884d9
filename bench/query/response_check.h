// Checks the body of a 200 response to a scan query against its request. The
// body must decode (magic, lengths, threat names) and contain one result per
// digest, and it must report every hit as malicious and every miss as not found.
//
// Thread safety: free functions without shared state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "odscan/protocol/query_codec.h"

namespace odscan::bench {

enum class CheckFailure { kNone, kMalformedBody, kWrongResultCount, kWrongVerdict };

// Returns the error kind under which the run statistics count a failure, for
// example "wrong verdict".
std::string_view checkFailureName(CheckFailure failure);

struct ResponseCheck {
  CheckFailure failure = CheckFailure::kNone;
  std::string detail;  // what was wrong, when failure is not kNone
  std::size_t hits = 0;
  std::uint64_t patternVersion = 0;
};

// `expectedMalicious` has one entry per digest of the request, 1 for a hit.
ResponseCheck checkQueryResponse(std::string_view body, protocol::BodyFormat format,
                                 const std::vector<std::uint8_t>& expectedMalicious);

}  // namespace odscan::bench
