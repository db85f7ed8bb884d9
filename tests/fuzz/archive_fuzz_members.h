// Member contents shared by archive_scanner_fuzzer and the seed generator: the
// fuzzer's in-memory pattern has signatures for them, so the seed archives reach
// the infected and unresolved verdicts and not only clean ones.
#pragma once

#include <string_view>

namespace odscan::fuzz {

// Starts with "MZ" so that the quick profile keeps it as an executable. The
// fuzzer's pattern has an exact signature of every digest kind for it.
inline constexpr std::string_view kThreatMember = "MZ odscan archive fuzzer: exact signature";

// The fuzzer's pattern has it only in the filter, so it needs a scan query.
inline constexpr std::string_view kQueryMember = "odscan archive fuzzer: scan query needed";

}  // namespace odscan::fuzz
