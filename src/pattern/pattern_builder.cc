#include "odscan/pattern/pattern_builder.h"

#include <algorithm>
#include <ctime>
#include <numeric>
#include <system_error>

#include "file_io.h"
#include "odscan/pattern/agent_pattern.h"
#include "odscan/pattern/binary_fuse_filter.h"
#include "odscan/pattern/signature_file.h"
#include "odscan/pattern/smart_scan_pattern.h"

namespace odscan {
namespace {

// Pattern files are public data; the publisher's web server must be able to read
// them.
constexpr unsigned kPatternFileMode = 0644;

// A signature with the place it was read from, for duplicate warnings.
struct SourcedSignature {
  Signature signature;
  std::size_t fileIndex = 0;
  std::size_t line = 0;
  bool agentExact = false;
};

struct CollectedSignatures {
  std::vector<std::filesystem::path> files;
  std::vector<SourcedSignature> signatures;
};

Status collect(const std::vector<std::filesystem::path>& paths, bool agentExact,
               CollectedSignatures& collected) {
  for (const auto& path : paths) {
    auto entries = readSignatureFile(path);
    if (!entries.ok()) return entries.status();
    const std::size_t fileIndex = collected.files.size();
    collected.files.push_back(path);
    for (SignatureEntry& entry : *entries) {
      collected.signatures.push_back(
          {std::move(entry.signature), fileIndex, entry.line, agentExact});
    }
  }
  return Status::success();
}

std::string sizeText(std::uint64_t size) {
  return size == kAnySize ? std::string("*") : std::to_string(size);
}

// Keeps the first signature of each digest+size pair in reading order and records
// a warning for each later one with another threat name.
std::vector<SourcedSignature> deduplicate(CollectedSignatures& collected,
                                          PatternBuildReport& report) {
  auto& all = collected.signatures;
  std::vector<std::size_t> order(all.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&all](std::size_t left, std::size_t right) {
    const Signature& a = all[left].signature;
    const Signature& b = all[right].signature;
    if (a.digest != b.digest) return a.digest < b.digest;
    return a.size < b.size;
  });

  std::vector<SourcedSignature> unique;
  unique.reserve(all.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    SourcedSignature& current = all[order[i]];
    if (!unique.empty() && unique.back().signature.digest == current.signature.digest &&
        unique.back().signature.size == current.signature.size) {
      ++report.duplicates;
      const SourcedSignature& first = unique.back();
      if (first.signature.threatName == current.signature.threatName) continue;
      ++report.conflictingDuplicates;
      if (report.warnings.size() < kMaxListedWarnings) {
        report.warnings.push_back(
            collected.files[current.fileIndex].string() + ":" + std::to_string(current.line) +
            ": signature " + current.signature.digest.toHex() + ":" +
            sizeText(current.signature.size) + " named '" + current.signature.threatName +
            "' repeats " + collected.files[first.fileIndex].string() + ":" +
            std::to_string(first.line) + "; keeping the name '" + first.signature.threatName + "'");
      }
      continue;
    }
    unique.push_back(std::move(current));
  }
  return unique;
}

// Writes both files to temporary names, then renames them, so that the old files
// stay in place until both new ones are on disk.
Status writeBoth(const std::filesystem::path& directory,
                 const std::vector<std::uint8_t>& smartScanFile,
                 const std::vector<std::uint8_t>& agentFile, PatternBuildReport& report) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) {
    return Status(StatusCode::kIoError,
                  "cannot create output folder '" + directory.string() + "': " + error.message());
  }
  report.smartScanPatternPath = directory / kSmartScanPatternFileName;
  report.agentPatternPath = directory / kAgentPatternFileName;

  auto smartScanTemporary = pattern_detail::writeTemporaryFile(
      directory, "." + std::string(kSmartScanPatternFileName), smartScanFile, kPatternFileMode);
  if (!smartScanTemporary.ok()) return smartScanTemporary.status();
  auto agentTemporary = pattern_detail::writeTemporaryFile(
      directory, "." + std::string(kAgentPatternFileName), agentFile, kPatternFileMode);
  if (!agentTemporary.ok()) {
    std::filesystem::remove(*smartScanTemporary, error);
    return agentTemporary.status();
  }

  // NOTE: if the second rename fails after the first succeeded, the folder contains a
  // new Smart Scan Pattern beside the previous agent pattern until the next build.
  Status status = pattern_detail::replaceFile(*smartScanTemporary, report.smartScanPatternPath);
  if (status.ok()) status = pattern_detail::replaceFile(*agentTemporary, report.agentPatternPath);
  std::filesystem::remove(*smartScanTemporary, error);
  std::filesystem::remove(*agentTemporary, error);
  return status;
}

}  // namespace

std::uint64_t defaultPatternVersion(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
#ifdef _WIN32
  gmtime_s(&utc, &seconds);
#else
  gmtime_r(&seconds, &utc);
#endif
  const std::uint64_t date = static_cast<std::uint64_t>(utc.tm_year + 1900) * 10000 +
                             static_cast<std::uint64_t>(utc.tm_mon + 1) * 100 +
                             static_cast<std::uint64_t>(utc.tm_mday);
  return date * 10000 + static_cast<std::uint64_t>(utc.tm_hour) * 100 +
         static_cast<std::uint64_t>(utc.tm_min);
}

Result<PatternBuildReport> buildPatternFiles(const PatternBuildOptions& options,
                                             const PrivateKey& key) {
  PatternBuildReport report;
  report.version = options.version;

  CollectedSignatures collected;
  Status status = collect(options.agentExactFiles, true, collected);
  if (status.ok()) status = collect(options.signatureFiles, false, collected);
  if (!status.ok()) return status;
  report.signaturesRead = collected.signatures.size();
  if (collected.signatures.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  "the signature files contain no signatures; nothing to build");
  }

  std::vector<SourcedSignature> unique = deduplicate(collected, report);
  collected.signatures = {};
  std::vector<Signature> exact;
  std::vector<Digest> filterDigests;
  std::vector<Signature> all;
  filterDigests.reserve(unique.size());
  all.reserve(unique.size());
  for (SourcedSignature& entry : unique) {
    if (entry.agentExact) exact.push_back(entry.signature);
    filterDigests.push_back(entry.signature.digest);
    all.push_back(std::move(entry.signature));
  }
  unique = {};

  auto smartScan = SmartScanPattern::build(std::move(all), options.version);
  if (!smartScan.ok()) return smartScan.status();
  auto agent = AgentPattern::build(std::move(exact), filterDigests, options.version);
  if (!agent.ok()) return agent.status();

  auto smartScanFile = smartScan->encode(key, options.creationTime);
  if (!smartScanFile.ok()) return smartScanFile.status();
  auto agentFile = agent->encode(key, options.creationTime);
  if (!agentFile.ok()) return agentFile.status();

  status = writeBoth(options.outputDirectory, *smartScanFile, *agentFile, report);
  if (!status.ok()) return status;

  report.smartScanSignatures = smartScan->signatureCount();
  for (const DigestKind kind : {DigestKind::kMd5, DigestKind::kSha1, DigestKind::kSha256}) {
    report.smartScanByKind[digestKindIndex(kind)] = smartScan->signatureCount(kind);
  }
  report.agentExactSignatures = agent->exactCount();
  report.filterKeys = agent->filterKeyCount();
  report.filterBitsPerKey = agent->filter().bitsPerKey();
  report.smartScanFileSize = smartScanFile->size();
  report.agentFileSize = agentFile->size();
  return report;
}

}  // namespace odscan
