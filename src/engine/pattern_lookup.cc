#include "pattern_lookup.h"

namespace odscan::engine {

LookupOutcome lookUpDigests(const AgentPattern& pattern, const FileDigests& digests,
                            std::uint64_t size) {
  for (const std::optional<Digest>& digest : digests.byKind) {
    if (!digest) continue;
    if (std::optional<std::string_view> threat = pattern.findExact(*digest, size)) {
      return LookupOutcome{Verdict::kInfected, *threat};
    }
  }
  for (const std::optional<Digest>& digest : digests.byKind) {
    if (digest && pattern.mayContain(*digest)) return LookupOutcome{Verdict::kUnresolved, {}};
  }
  return LookupOutcome{};
}

void applyLookup(const LookupOutcome& outcome, ScanResult& result) {
  result.verdict = outcome.verdict;
  if (outcome.verdict == Verdict::kInfected) {
    result.threatName.assign(outcome.threatName);
    result.source = DetectionSource::kAgentPattern;
  }
}

}  // namespace odscan::engine
