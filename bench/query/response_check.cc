#include "response_check.h"

namespace odscan::bench {

std::string_view checkFailureName(CheckFailure failure) {
  switch (failure) {
    case CheckFailure::kNone:
      return "none";
    case CheckFailure::kMalformedBody:
      return "malformed response body";
    case CheckFailure::kWrongResultCount:
      return "wrong result count";
    case CheckFailure::kWrongVerdict:
      return "wrong verdict";
  }
  return "unknown";
}

ResponseCheck checkQueryResponse(std::string_view body, protocol::BodyFormat format,
                                 const std::vector<std::uint8_t>& expectedMalicious) {
  ResponseCheck check;
  auto response = protocol::decodeQueryResponse(body, format);
  if (!response.ok()) {
    check.failure = CheckFailure::kMalformedBody;
    check.detail = response.status().message();
    return check;
  }
  check.patternVersion = response->patternVersion;

  if (response->results.size() != expectedMalicious.size()) {
    check.failure = CheckFailure::kWrongResultCount;
    check.detail = std::to_string(response->results.size()) + " results for " +
                   std::to_string(expectedMalicious.size()) + " digests";
    return check;
  }
  for (std::size_t i = 0; i < expectedMalicious.size(); ++i) {
    const bool malicious = response->results[i].verdict == protocol::QueryVerdict::kMalicious;
    if (malicious != (expectedMalicious[i] != 0)) {
      check.failure = CheckFailure::kWrongVerdict;
      check.detail = "digest " + std::to_string(i) + " of the batch is " +
                     std::string(protocol::queryVerdictName(response->results[i].verdict)) +
                     ", expected " + (expectedMalicious[i] != 0 ? "malicious" : "not_found");
      return check;
    }
    if (malicious) ++check.hits;
  }
  return check;
}

}  // namespace odscan::bench
