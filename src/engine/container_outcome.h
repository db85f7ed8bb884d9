// ContainerOutcome: what the members of one container (at any depth) add to the
// container's own result, and the rules that turn it into the container's
// verdict (see the ScanEngine header for those rules).
#pragma once

#include <string>
#include <string_view>

#include "odscan/engine/scan_result.h"

namespace odscan::engine {

struct ContainerOutcome {
  std::string infectedPath;  // first infected object inside, at any depth
  std::string threatName;    // its threat name
  SkipReason problemReason = SkipReason::kNone;
  std::string problemDetail;  // first part that could not be scanned, and why
  bool cancelled = false;     // the scan was cancelled; the container gets no result

  // Each note keeps only the first occurrence, which the report names.
  void noteInfected(std::string_view path, std::string_view threat);
  void noteProblem(SkipReason reason, std::string detail);
  // Adds the notes of a later pass over the same container; earlier notes stay.
  void merge(const ContainerOutcome& later);
};

// Turns the container's own lookup in `container` into its final verdict:
// infected by its own digest, else infected by a member, else not scanned when
// any part was not scanned, else unchanged.
void applyContainerOutcome(const ContainerOutcome& outcome, ScanResult& container);

}  // namespace odscan::engine
