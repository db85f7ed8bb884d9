#include "extraction_budget.h"

#include <algorithm>
#include <limits>

namespace odscan::engine {
namespace {

std::string bytesText(std::uint64_t bytes) { return std::to_string(bytes) + " bytes"; }

}  // namespace

void ExtractionBudget::start(const std::filesystem::path& file, std::uint64_t diskSize) {
  file_ = &file;
  diskSize_ = diskSize;
  extracted_ = 0;
  members_ = 0;
  start_ = std::chrono::steady_clock::now();
  stopped_ = false;
}

std::uint64_t ExtractionBudget::remainingBytes() const {
  // The ratio check fails once extracted / diskSize > maxCompressionRatio, that is
  // at (maxCompressionRatio + 1) * diskSize bytes, and never below the floor.
  const std::uint64_t diskSize = std::max<std::uint64_t>(diskSize_, 1);
  const std::uint64_t factor = std::uint64_t{limits_.maxCompressionRatio} + 1;
  const std::uint64_t ratioCap = diskSize > std::numeric_limits<std::uint64_t>::max() / factor
                                     ? std::numeric_limits<std::uint64_t>::max()
                                     : factor * diskSize - 1;
  const std::uint64_t cap =
      std::min(limits_.maxTotalExtracted, std::max(limits_.ratioFloor, ratioCap));
  return cap > extracted_ ? cap - extracted_ : 0;
}

std::string ExtractionBudget::exceeded() const {
  if (extracted_ > limits_.maxTotalExtracted) {
    return "limit exceeded: total extracted bytes: more than " +
           bytesText(limits_.maxTotalExtracted) + " extracted from '" + file_->string() + "'";
  }

  const std::uint64_t diskSize = std::max<std::uint64_t>(diskSize_, 1);
  if (extracted_ > limits_.ratioFloor && extracted_ / diskSize > limits_.maxCompressionRatio) {
    return "limit exceeded: compression ratio: " + bytesText(extracted_) +
           " extracted from a file of " + bytesText(diskSize_) + " (ratio " +
           std::to_string(extracted_ / diskSize) + ", maximum " +
           std::to_string(limits_.maxCompressionRatio) + ")";
  }

  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start_);
  if (elapsed >= limits_.maxTimePerFile) {
    return "limit exceeded: time per file: " + std::to_string(elapsed.count()) +
           " ms spent (maximum " + std::to_string(limits_.maxTimePerFile.count()) + " ms)";
  }
  return {};
}

std::string ExtractionBudget::countMember() {
  if (++members_ <= limits_.maxMembers) return {};
  return "limit exceeded: member count: more than " + std::to_string(limits_.maxMembers) +
         " members in '" + file_->string() + "'";
}

}  // namespace odscan::engine
