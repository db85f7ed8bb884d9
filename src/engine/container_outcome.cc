#include "container_outcome.h"

#include <utility>

namespace odscan::engine {

void ContainerOutcome::noteInfected(std::string_view path, std::string_view threat) {
  if (!infectedPath.empty()) return;
  infectedPath.assign(path);
  threatName.assign(threat);
}

void ContainerOutcome::noteProblem(SkipReason reason, std::string detail) {
  if (problemReason != SkipReason::kNone) return;
  problemReason = reason;
  problemDetail = std::move(detail);
}

void ContainerOutcome::merge(const ContainerOutcome& later) {
  if (!later.infectedPath.empty()) noteInfected(later.infectedPath, later.threatName);
  if (later.problemReason != SkipReason::kNone) {
    noteProblem(later.problemReason, later.problemDetail);
  }
  cancelled = cancelled || later.cancelled;
}

void applyContainerOutcome(const ContainerOutcome& outcome, ScanResult& container) {
  if (container.verdict == Verdict::kInfected) return;

  if (!outcome.infectedPath.empty()) {
    container.verdict = Verdict::kInfected;
    container.threatName = outcome.threatName;
    container.source = DetectionSource::kAgentPattern;
    container.detail = "contains infected member '" + outcome.infectedPath + "'";
    return;
  }

  if (outcome.problemReason != SkipReason::kNone) {
    container.verdict = Verdict::kNotScanned;
    container.reason = outcome.problemReason;
    container.detail = outcome.problemDetail;
  }
}

}  // namespace odscan::engine
