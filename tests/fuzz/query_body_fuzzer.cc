// Fuzzes the scan query decoders that read network bodies: the server's request
// decoder and the scanner's response decoder, in both formats. The first byte
// picks the decoder, the rest is the body.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "odscan/protocol/query_codec.h"

namespace {

using odscan::protocol::BodyFormat;

// A decoded body must encode again and decode to the same values.
void checkRequestRoundTrip(std::string_view body, BodyFormat format) {
  auto request = odscan::protocol::decodeQueryRequest(body, format, 1000);
  if (!request.ok()) return;
  if (request->items.size() > 1000) __builtin_trap();
  auto again = odscan::protocol::decodeQueryRequest(
      odscan::protocol::encodeQueryRequest(*request, format), format, 1000);
  if (!again.ok() || again->items != request->items) __builtin_trap();
}

void checkResponseRoundTrip(std::string_view body, BodyFormat format) {
  auto response = odscan::protocol::decodeQueryResponse(body, format);
  if (!response.ok()) return;
  for (const auto& result : response->results) {
    if (result.verdict == odscan::protocol::QueryVerdict::kMalicious &&
        !odscan::protocol::isValidThreatName(result.threatName)) {
      __builtin_trap();
    }
  }
  auto again = odscan::protocol::decodeQueryResponse(
      odscan::protocol::encodeQueryResponse(*response, format), format);
  if (!again.ok() || again->results != response->results) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  const BodyFormat format = (data[0] & 1) != 0 ? BodyFormat::kBinary : BodyFormat::kJson;
  if ((data[0] & 2) != 0) {
    checkResponseRoundTrip(body, format);
  } else {
    checkRequestRoundTrip(body, format);
  }
  return 0;
}
