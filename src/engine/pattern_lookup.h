// Looks up the digests of one object in the Smart Scan Agent Pattern: exact
// signatures first, then the filter.
#pragma once

#include <cstdint>
#include <string_view>

#include "odscan/common/digest.h"
#include "odscan/engine/scan_result.h"
#include "odscan/pattern/agent_pattern.h"

namespace odscan::engine {

struct LookupOutcome {
  Verdict verdict = Verdict::kClean;  // kClean, kInfected or kUnresolved
  std::string_view threatName;        // set when infected; owned by the pattern
};

// An exact signature of any computed digest (matching `size`) makes the object
// infected; otherwise a filter hit for any digest makes it unresolved.
LookupOutcome lookUpDigests(const AgentPattern& pattern, const FileDigests& digests,
                            std::uint64_t size);

// Sets verdict, threatName and source of `result` from `outcome`.
void applyLookup(const LookupOutcome& outcome, ScanResult& result);

}  // namespace odscan::engine
