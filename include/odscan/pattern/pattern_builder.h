// Builds the pair of pattern files a publisher releases together from signature
// files: DIR/smart-scan-pattern.ptn (every signature) and DIR/agent-pattern.ptn
// (the exact signatures of the --agent-exact files plus a filter over every
// digest). Both files are written to temporary files in DIR, flushed to disk and
// renamed only after both are complete, so a failed build leaves the previous
// files untouched.
//
// Thread safety: free functions without shared state; two builds into the same
// folder at once must be avoided by the caller.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "odscan/common/digest.h"
#include "odscan/common/status.h"
#include "odscan/pattern/signing_key.h"

namespace odscan {

inline constexpr std::string_view kSmartScanPatternFileName = "smart-scan-pattern.ptn";
inline constexpr std::string_view kAgentPatternFileName = "agent-pattern.ptn";
// Duplicate-signature warnings listed one by one; the rest are only counted.
inline constexpr std::size_t kMaxListedWarnings = 20;

struct PatternBuildOptions {
  std::filesystem::path outputDirectory;
  // Signature files whose signatures go into both patterns (exact signatures of
  // the agent pattern, and the Smart Scan Pattern and filter). Read first.
  std::vector<std::filesystem::path> agentExactFiles;
  // Signature files for the Smart Scan Pattern and the filter, read in order after
  // agentExactFiles.
  std::vector<std::filesystem::path> signatureFiles;
  std::uint64_t version = 0;
  std::int64_t creationTime = 0;  // seconds since 1970-01-01 UTC
};

struct PatternBuildReport {
  std::filesystem::path smartScanPatternPath;
  std::filesystem::path agentPatternPath;
  std::uint64_t version = 0;
  std::size_t signaturesRead = 0;
  // Signatures in the Smart Scan Pattern, in total and per digest kind.
  std::size_t smartScanSignatures = 0;
  std::array<std::size_t, kDigestKindCount> smartScanByKind{};
  std::size_t agentExactSignatures = 0;
  std::uint64_t filterKeys = 0;
  double filterBitsPerKey = 0.0;
  std::uint64_t smartScanFileSize = 0;
  std::uint64_t agentFileSize = 0;
  // Repeated digest+size pairs dropped, and how many of them had another name.
  std::size_t duplicates = 0;
  std::size_t conflictingDuplicates = 0;
  // The first kMaxListedWarnings warnings, each "file:line: ...".
  std::vector<std::string> warnings;
};

// Returns the default pattern version for a build at `time`: the UTC date and time
// as the decimal number YYYYMMDDHHMM.
std::uint64_t defaultPatternVersion(std::chrono::system_clock::time_point time);

// Reads the signature files, builds and signs both patterns, and writes them.
// Of several signatures with the same digest and size the first read is kept; one
// with another threat name adds a warning. Fails with kInvalidArgument on a bad
// signature line (`file:line: text: reason`) or when no signature was read; I/O
// failures keep their codes. On any failure the files in the output folder are
// unchanged.
Result<PatternBuildReport> buildPatternFiles(const PatternBuildOptions& options,
                                             const PrivateKey& key);

}  // namespace odscan
