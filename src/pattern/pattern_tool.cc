#include "odscan/pattern/pattern_tool.h"

#include <CLI/CLI.hpp>
#include <charconv>
#include <chrono>
#include <ctime>
#include <iomanip>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "file_io.h"
#include "odscan/activeupdate/component_publisher.h"
#include "odscan/pattern/agent_pattern.h"
#include "odscan/pattern/binary_fuse_filter.h"
#include "odscan/pattern/filter_benchmark.h"
#include "odscan/pattern/pattern_builder.h"
#include "odscan/pattern/pattern_file.h"
#include "odscan/pattern/signature_table.h"
#include "odscan/pattern/signing_key.h"
#include "odscan/pattern/smart_scan_pattern.h"
#include "odscan/platform/system.h"

namespace odscan {
namespace {

constexpr std::array<DigestKind, kDigestKindCount> kKinds = {DigestKind::kMd5, DigestKind::kSha1,
                                                             DigestKind::kSha256};

constexpr const char* kExitCodeHelp =
    "Exit codes:\n"
    "  0  success; lookup: a signature matched\n"
    "  1  verify/info: the pattern file failed a check; lookup: no match, or the agent\n"
    "     pattern says the digest is certainly not in the Smart Scan Pattern\n"
    "  2  usage error or unusable input (missing file, bad signature line, bad key)\n"
    "  3  lookup in an agent pattern: a scan query is needed";

struct KeygenOptions {
  std::string privatePath;
  std::string publicPath;
  bool force = false;
};

struct BuildOptions {
  std::string keyPath;
  std::string outputDirectory;
  std::vector<std::string> agentExactFiles;
  std::vector<std::string> signatureFiles;
  std::uint64_t version = 0;
};

struct VerifyOptions {
  std::string publicPath;
  std::string file;
};

struct InfoOptions {
  std::string file;
  std::string publicPath;
  std::uint64_t queries = 1000000;
};

struct LookupOptions {
  std::string file;
  std::string digest;
  std::uint64_t size = 0;
  std::string publicPath;
};

struct PublishCommandOptions {
  std::string keyPath;
  std::string outputDirectory;
  std::size_t keep = activeupdate::kDefaultKeptVersions;
  bool allowDowngrade = false;
  std::vector<std::string> patternFiles;
  std::vector<std::string> components;         // NAME=FILE
  std::vector<std::string> componentVersions;  // NAME=VERSION
};

struct BenchOptions {
  std::uint64_t keys = 0;
  int loads = 5;
  std::uint64_t queries = 1000000;
  std::string workDirectory;
};

// A pattern of either kind, after the container checks.
struct OpenedPattern {
  PatternHeader header;
  bool signatureChecked = false;
  std::string signerFingerprint;
  std::uint64_t fileSize = 0;
  std::variant<SmartScanPattern, AgentPattern> pattern;
};

std::string hexOf(std::span<const std::uint8_t> bytes) {
  std::ostringstream text;
  for (const std::uint8_t byte : bytes) {
    text << std::hex << std::setw(2) << std::setfill('0') << static_cast<int>(byte);
  }
  return text.str();
}

std::string formatTime(std::int64_t seconds) {
  const auto time = static_cast<std::time_t>(seconds);
  std::tm utc{};
#ifdef _WIN32
  gmtime_s(&utc, &time);
#else
  gmtime_r(&time, &utc);
#endif
  std::ostringstream text;
  text << std::put_time(&utc, "%Y-%m-%d %H:%M:%S UTC");
  return text.str();
}

std::string fixed(double value, int digits) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(digits) << value;
  return text.str();
}

// Exit code for a pattern file that could not be opened: a file that cannot be read
// is an input error, a file that fails a check is a negative verification.
int exitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kNotFound:
    case StatusCode::kIoError:
    case StatusCode::kPermissionDenied:
      return kPatternToolUsageError;
    default:
      return kPatternToolNegative;
  }
}

Result<OpenedPattern> openPattern(const std::string& path, const PublicKey* key) {
  auto bytes = pattern_detail::readWholeFile(path, kMaxPatternFileSize);
  if (!bytes.ok()) return bytes.status().withContext("cannot read pattern file");
  auto contents = openPatternFile(*bytes, key, std::nullopt, path);
  if (!contents.ok()) return contents.status();

  const auto block = std::span(*bytes).last(kPatternSignatureBlockSize);
  const std::string signer = hexOf(block.subspan(8, kKeyFingerprintLength));
  const std::uint64_t fileSize = bytes->size();
  const PatternHeader header = contents->header;
  const bool checked = contents->signatureChecked;
  bytes = std::vector<std::uint8_t>();

  auto withContext = [&path](const Status& status) {
    return status.withContext("pattern file '" + path + "'");
  };
  if (header.kind == PatternKind::kAgent) {
    auto agent = AgentPattern::fromPayload(std::move(contents->payload), header);
    if (!agent.ok()) return withContext(agent.status());
    return OpenedPattern{header, checked, signer, fileSize, std::move(agent).value()};
  }
  auto smartScan = SmartScanPattern::fromPayload(std::move(contents->payload), header);
  if (!smartScan.ok()) return withContext(smartScan.status());
  return OpenedPattern{header, checked, signer, fileSize, std::move(smartScan).value()};
}

Digest randomSha256(std::mt19937_64& random) {
  Digest digest;
  digest.kind = DigestKind::kSha256;
  for (std::size_t i = 0; i < 32; ++i) digest.bytes[i] = static_cast<std::uint8_t>(random());
  return digest;
}

std::string countsByKind(const std::array<std::uint64_t, kDigestKindCount>& counts) {
  std::string text;
  for (const DigestKind kind : kKinds) {
    if (!text.empty()) text += ", ";
    text += std::string(digestKindName(kind)) + " " + std::to_string(counts[digestKindIndex(kind)]);
  }
  return text;
}

std::array<std::uint64_t, kDigestKindCount> tableCounts(const SignatureTable& table) {
  std::array<std::uint64_t, kDigestKindCount> counts{};
  for (const DigestKind kind : kKinds) counts[digestKindIndex(kind)] = table.count(kind);
  return counts;
}

int runKeygen(const KeygenOptions& options, std::ostream& out, std::ostream& err) {
  if (!options.force) {
    for (const std::string& path : {options.privatePath, options.publicPath}) {
      std::error_code error;
      if (std::filesystem::exists(std::filesystem::symlink_status(path, error))) {
        err << "error: '" << path << "' already exists; pass --force to replace it\n";
        return kPatternToolUsageError;
      }
    }
  }

  auto key = PrivateKey::generate();
  Status status = key.status();
  if (status.ok()) status = key->writeFile(options.privatePath, options.force);
  if (status.ok()) status = key->publicKey().writeFile(options.publicPath, options.force);
  if (!status.ok()) {
    err << "error: " << status.message() << "\n";
    return kPatternToolUsageError;
  }
  out << "Wrote private key " << options.privatePath << " (mode 0600) and public key "
      << options.publicPath << "\nKey fingerprint: " << key->publicKey().fingerprint() << "\n";
  return kPatternToolSuccess;
}

void printBuildReport(const PatternBuildReport& report, std::ostream& out, std::ostream& err) {
  for (const std::string& warning : report.warnings) err << "warning: " << warning << "\n";
  if (report.conflictingDuplicates > report.warnings.size()) {
    err << "warning: " << report.conflictingDuplicates - report.warnings.size()
        << " more signatures repeat an earlier digest and size with another threat name\n";
  }

  std::array<std::uint64_t, kDigestKindCount> byKind{};
  for (std::size_t i = 0; i < kDigestKindCount; ++i) byKind[i] = report.smartScanByKind[i];
  out << "Built pattern version " << report.version << " from " << report.signaturesRead
      << " signatures (" << report.duplicates << " duplicates dropped, "
      << report.conflictingDuplicates << " of them with another threat name)\n"
      << "  " << report.smartScanPatternPath.string() << ": " << report.smartScanSignatures
      << " signatures (" << countsByKind(byKind) << "), " << report.smartScanFileSize << " bytes\n"
      << "  " << report.agentPatternPath.string() << ": " << report.agentExactSignatures
      << " exact signatures, " << report.filterKeys << " filter keys ("
      << fixed(report.filterBitsPerKey, 2) << " bits per key), " << report.agentFileSize
      << " bytes\n";
}

int runBuild(const BuildOptions& options, bool versionGiven, std::ostream& out, std::ostream& err) {
  if (options.signatureFiles.empty() && options.agentExactFiles.empty()) {
    err << "error: no signature files given; pass SIGFILE arguments or --agent-exact\n";
    return kPatternToolUsageError;
  }
  auto key = PrivateKey::readFile(options.keyPath);
  if (!key.ok()) {
    err << "error: " << key.status().message() << "\n";
    return kPatternToolUsageError;
  }

  const auto now = std::chrono::system_clock::now();
  PatternBuildOptions build;
  build.outputDirectory = options.outputDirectory;
  build.agentExactFiles.assign(options.agentExactFiles.begin(), options.agentExactFiles.end());
  build.signatureFiles.assign(options.signatureFiles.begin(), options.signatureFiles.end());
  build.version = versionGiven ? options.version : defaultPatternVersion(now);
  build.creationTime =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();

  auto report = buildPatternFiles(build, *key);
  if (!report.ok()) {
    err << "error: " << report.status().message() << "\n"
        << "error: no pattern files were changed\n";
    return kPatternToolUsageError;
  }
  printBuildReport(*report, out, err);
  return kPatternToolSuccess;
}

Result<std::optional<PublicKey>> readOptionalKey(const std::string& path) {
  if (path.empty()) return std::optional<PublicKey>();
  auto key = PublicKey::readFile(path);
  if (!key.ok()) return key.status();
  return std::optional<PublicKey>(std::move(key).value());
}

std::string summaryOf(const OpenedPattern& opened) {
  std::string text =
      std::string(patternKindName(opened.header.kind)) + " version " +
      std::to_string(opened.header.version) + ", " + std::to_string(opened.header.signatureCount) +
      (opened.header.kind == PatternKind::kAgent ? " exact signatures, " : " signatures");
  if (opened.header.kind == PatternKind::kAgent) {
    text += std::to_string(opened.header.filterKeyCount) + " filter keys";
  }
  return text;
}

int runVerify(const VerifyOptions& options, std::ostream& out, std::ostream& err) {
  auto key = PublicKey::readFile(options.publicPath);
  if (!key.ok()) {
    err << "error: " << key.status().message() << "\n";
    return kPatternToolUsageError;
  }
  auto opened = openPattern(options.file, &*key);
  if (!opened.ok()) {
    err << "FAILED " << opened.status().message() << "\n";
    return exitCodeFor(opened.status());
  }
  out << "OK " << options.file << ": " << summaryOf(*opened) << "; signed by key "
      << key->fingerprint() << "\n";
  return kPatternToolSuccess;
}

void printFilterInfo(const AgentPattern& agent, std::uint64_t queries, std::ostream& out) {
  std::array<std::uint64_t, kDigestKindCount> keyCounts{};
  for (const DigestKind kind : kKinds)
    keyCounts[digestKindIndex(kind)] = agent.filterKeyCount(kind);
  const BinaryFuseFilter& filter = agent.filter();
  out << "filter keys:        " << filter.keyCount() << " (digests: " << countsByKind(keyCounts)
      << ")\n"
      << "filter size:        " << filter.fingerprintBytes() << " bytes, "
      << fixed(filter.bitsPerKey(), 2) << " bits per key\n";

  // A fixed seed makes repeated runs print the same rate.
  std::mt19937_64 random(1);
  std::uint64_t positives = 0;
  for (std::uint64_t i = 0; i < queries; ++i) positives += agent.mayContain(randomSha256(random));
  const double rate =
      queries == 0 ? 0.0 : 100.0 * static_cast<double>(positives) / static_cast<double>(queries);
  out << "false positives:    " << fixed(rate, 3) << "% (" << positives << " of " << queries
      << " random SHA-256 digests)\n";
}

int runInfo(const InfoOptions& options, std::ostream& out, std::ostream& err) {
  auto key = readOptionalKey(options.publicPath);
  if (!key.ok()) {
    err << "error: " << key.status().message() << "\n";
    return kPatternToolUsageError;
  }
  auto opened = openPattern(options.file, key->has_value() ? &key->value() : nullptr);
  if (!opened.ok()) {
    err << "error: " << opened.status().message() << "\n";
    return exitCodeFor(opened.status());
  }

  const PatternHeader& header = opened->header;
  out << "file:               " << options.file << " (" << opened->fileSize << " bytes)\n"
      << "kind:               " << patternKindName(header.kind) << "\n"
      << "format version:     " << header.formatVersion << "\n"
      << "pattern version:    " << header.version << "\n"
      << "created:            " << formatTime(header.creationTime) << "\n"
      << "signature:          "
      << (opened->signatureChecked ? "verified" : "not checked (pass --public KEY to check it)")
      << "; signer key fingerprint " << opened->signerFingerprint << "\n"
      << "payload:            " << header.compressedSize << " bytes compressed, "
      << header.uncompressedSize << " bytes decompressed\n";

  if (const auto* agent = std::get_if<AgentPattern>(&opened->pattern)) {
    out << "exact signatures:   " << agent->exactCount() << " ("
        << countsByKind(tableCounts(agent->exactSignatures())) << ")\n";
    printFilterInfo(*agent, options.queries, out);
  } else {
    const auto& smartScan = std::get<SmartScanPattern>(opened->pattern);
    out << "signatures:         " << smartScan.signatureCount() << " ("
        << countsByKind(tableCounts(smartScan.signatures())) << ")\n";
  }
  return kPatternToolSuccess;
}

std::string sizeText(std::uint64_t size) {
  return size == kAnySize ? std::string("any size") : std::to_string(size) + " bytes";
}

// Prints the signatures matching the lookup; returns whether any matched.
bool printMatches(const SignatureTable& table, const Digest& digest,
                  std::optional<std::uint64_t> size, std::string_view label, std::ostream& out) {
  if (size) {
    const auto name = table.find(digest, *size);
    if (name) out << label << ": " << *name << "\n";
    return name.has_value();
  }
  const auto matches = table.findAll(digest);
  for (const Signature& match : matches) {
    out << label << ": " << match.threatName << " (" << sizeText(match.size) << ")\n";
  }
  return !matches.empty();
}

int runLookup(const LookupOptions& options, bool sizeGiven, std::ostream& out, std::ostream& err) {
  auto digest = Digest::fromHex(options.digest);
  if (!digest.ok()) {
    err << "error: " << digest.status().message() << "\n";
    return kPatternToolUsageError;
  }
  auto key = readOptionalKey(options.publicPath);
  if (!key.ok()) {
    err << "error: " << key.status().message() << "\n";
    return kPatternToolUsageError;
  }
  auto opened = openPattern(options.file, key->has_value() ? &key->value() : nullptr);
  if (!opened.ok()) {
    err << "error: " << opened.status().message() << "\n";
    return exitCodeFor(opened.status());
  }
  if (!opened->signatureChecked) {
    err << "note: signature not checked; pass --public KEY to check it\n";
  }

  const std::optional<std::uint64_t> size =
      sizeGiven ? std::optional<std::uint64_t>(options.size) : std::nullopt;
  if (const auto* agent = std::get_if<AgentPattern>(&opened->pattern)) {
    if (printMatches(agent->exactSignatures(), *digest, size, "exact match", out)) {
      return kPatternToolSuccess;
    }
    if (agent->mayContain(*digest)) {
      out << "query needed: the filter may contain " << digest->toHex()
          << "; a Smart Scan Server decides\n";
      return kPatternToolQueryNeeded;
    }
    out << "certainly clean: " << digest->toHex() << " is not in the Smart Scan Pattern\n";
    return kPatternToolNegative;
  }
  const auto& smartScan = std::get<SmartScanPattern>(opened->pattern);
  if (printMatches(smartScan.signatures(), *digest, size, "match", out)) return kPatternToolSuccess;
  out << "no match: " << digest->toHex() << (size ? " with size " + std::to_string(*size) : "")
      << " is not in the Smart Scan Pattern\n";
  return kPatternToolNegative;
}

// Splits "NAME=VALUE" at the first '='. Returns nothing when either side is empty.
std::optional<std::pair<std::string, std::string>> splitAssignment(const std::string& text) {
  const std::size_t equals = text.find('=');
  if (equals == std::string::npos || equals == 0 || equals + 1 == text.size()) return std::nullopt;
  return std::make_pair(text.substr(0, equals), text.substr(equals + 1));
}

// Parses "NAME=VERSION" with a decimal version of at most 2^64 - 1.
std::optional<std::pair<std::string, std::uint64_t>> parseComponentVersion(
    const std::string& text) {
  const auto pair = splitAssignment(text);
  if (!pair) return std::nullopt;
  std::uint64_t version = 0;
  const char* end = pair->second.data() + pair->second.size();
  const auto [stop, error] = std::from_chars(pair->second.data(), end, version);
  if (error != std::errc() || stop != end) return std::nullopt;
  return std::make_pair(pair->first, version);
}

// Pairs each --component NAME=FILE with its --component-version NAME=VERSION. A
// name given twice to --component is left for publishComponents() to reject.
Result<std::vector<activeupdate::ComponentFile>> componentFiles(
    const PublishCommandOptions& options) {
  std::map<std::string, std::uint64_t> versions;
  for (const std::string& text : options.componentVersions) {
    const auto version = parseComponentVersion(text);
    if (!version) {
      return Status(StatusCode::kInvalidArgument,
                    "--component-version '" + text +
                        "' is not NAME=VERSION with a decimal version from 0 to "
                        "18446744073709551615");
    }
    if (!versions.insert(*version).second) {
      return Status(StatusCode::kInvalidArgument,
                    "--component-version is given twice for '" + version->first + "'");
    }
  }

  std::vector<activeupdate::ComponentFile> files;
  std::set<std::string> named;
  for (const std::string& text : options.components) {
    const auto pair = splitAssignment(text);
    if (!pair) {
      return Status(StatusCode::kInvalidArgument, "--component '" + text + "' is not NAME=FILE");
    }
    const auto version = versions.find(pair->first);
    if (version == versions.end()) {
      return Status(StatusCode::kInvalidArgument,
                    "component '" + pair->first + "' has no version; pass --component-version " +
                        pair->first + "=VERSION");
    }
    files.push_back({pair->first, version->second, pair->second});
    named.insert(pair->first);
  }
  for (const auto& [name, version] : versions) {
    if (named.count(name) == 0) {
      return Status(StatusCode::kInvalidArgument, "--component-version names '" + name +
                                                      "', which no --component gives a file for");
    }
  }
  return files;
}

std::string_view changeText(activeupdate::ComponentChange change) {
  switch (change) {
    case activeupdate::ComponentChange::kAdded:
      return "added";
    case activeupdate::ComponentChange::kUpgraded:
      return "upgraded";
    case activeupdate::ComponentChange::kUnchanged:
      return "unchanged";
    case activeupdate::ComponentChange::kDowngraded:
      return "downgraded";
  }
  return "changed";
}

void printPublishReport(const activeupdate::PublishReport& report, const std::string& folder,
                        const PublicKey& key, std::ostream& out, std::ostream& err) {
  if (report.manifestWritten) {
    out << "Published to " << folder << "; manifest signed by key " << key.fingerprint() << "\n";
  } else {
    out << "Nothing new to publish in " << folder << "; the manifest is unchanged\n";
  }
  for (const activeupdate::PublishedComponent& component : report.published) {
    out << "  " << component.entry.name << " " << component.entry.version << " ("
        << changeText(component.change);
    if (component.previousVersion &&
        component.change != activeupdate::ComponentChange::kUnchanged) {
      out << " from " << *component.previousVersion;
    }
    out << "): " << component.entry.file << ", " << component.entry.size << " bytes\n";
  }
  for (const std::string& file : report.removedFiles) out << "  removed old file " << file << "\n";
  for (const std::string& warning : report.warnings) err << "warning: " << warning << "\n";
}

int runPublish(const PublishCommandOptions& options, std::ostream& out, std::ostream& err) {
  auto components = componentFiles(options);
  if (!components.ok()) {
    err << "error: " << components.status().message() << "\n";
    return kPatternToolUsageError;
  }
  if (options.patternFiles.empty() && components->empty()) {
    err << "error: nothing to publish; pass PATTERN files or --component NAME=FILE\n";
    return kPatternToolUsageError;
  }
  auto key = PrivateKey::readFile(options.keyPath);
  if (!key.ok()) {
    err << "error: " << key.status().message() << "\n";
    return kPatternToolUsageError;
  }

  activeupdate::PublishOptions publish;
  publish.outputDirectory = options.outputDirectory;
  publish.patternFiles.assign(options.patternFiles.begin(), options.patternFiles.end());
  publish.otherComponents = std::move(components).value();
  publish.keep = options.keep;
  publish.allowDowngrade = options.allowDowngrade;
  auto report = activeupdate::publishComponents(publish, *key);
  if (!report.ok()) {
    err << "error: " << report.status().message() << "\n"
        << "error: the manifest in " << options.outputDirectory << " was not changed\n";
    return kPatternToolUsageError;
  }
  printPublishReport(*report, options.outputDirectory, key->publicKey(), out, err);
  return kPatternToolSuccess;
}

int runBench(const BenchOptions& options, std::ostream& out, std::ostream& err) {
  FilterBenchmarkOptions bench;
  bench.keys = options.keys;
  bench.loads = options.loads;
  bench.queries = options.queries;
  bench.workDirectory = options.workDirectory.empty()
                            ? platform::tempDirectory()
                            : std::filesystem::path(options.workDirectory);
  auto result = runFilterBenchmark(bench);
  if (!result.ok()) {
    err << "error: " << result.status().message() << "\n";
    return kPatternToolUsageError;
  }
  out << "keys:                " << result->keys << " random SHA-256 digests\n"
      << "build time:          " << fixed(result->buildTime.count(), 1) << " ms\n"
      << "compress+sign time:  " << fixed(result->sealTime.count(), 1) << " ms\n"
      << "file size:           " << result->fileSize << " bytes ("
      << fixed(result->fileBytesPerKey(), 3) << " bytes per key; filter alone "
      << fixed(result->filterBytesPerKey(), 3) << ")\n"
      << "load time:           " << fixed(result->medianLoadTime.count(), 1) << " ms (median of "
      << std::max(options.loads, 1) << " loads with signature check)\n"
      << "false positives:     " << fixed(100.0 * result->falsePositiveRate(), 3) << "% ("
      << result->falsePositives << " of " << result->queries << " random digests)\n";
  return kPatternToolSuccess;
}

}  // namespace

int runPatternTool(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"Builds, signs, verifies and inspects odscan pattern files.", "odscan-pattern"};
  app.require_subcommand(1);
  app.footer(kExitCodeHelp);

  KeygenOptions keygen;
  auto* keygenCommand = app.add_subcommand("keygen", "Create an Ed25519 key pair for signing");
  keygenCommand->add_option("--private", keygen.privatePath, "Private key file to write (PEM)")
      ->required();
  keygenCommand->add_option("--public", keygen.publicPath, "Public key file to write (PEM)")
      ->required();
  keygenCommand->add_flag("--force", keygen.force, "Replace existing key files");

  BuildOptions build;
  auto* buildCommand =
      app.add_subcommand("build", "Build and sign smart-scan-pattern.ptn and agent-pattern.ptn");
  buildCommand->add_option("--key", build.keyPath, "Private key file (PEM)")->required();
  buildCommand
      ->add_option("--output-dir", build.outputDirectory,
                   "Folder for the pattern files; created if missing")
      ->required();
  buildCommand
      ->add_option("--agent-exact", build.agentExactFiles,
                   "Signature file whose signatures also become exact signatures of "
                   "the agent pattern (repeatable; one file per option)")
      ->allow_extra_args(false);
  auto* versionOption = buildCommand->add_option(
      "--version", build.version, "Pattern version (default: UTC build time as YYYYMMDDHHMM)");
  buildCommand->add_option("SIGFILE", build.signatureFiles,
                           "Signature files: ClamAV .hdb/.hsb or digest lists");

  VerifyOptions verify;
  auto* verifyCommand =
      app.add_subcommand("verify", "Check a pattern file's signature, checksum and contents");
  verifyCommand->add_option("--public", verify.publicPath, "Publisher's public key (PEM)")
      ->required();
  verifyCommand->add_option("FILE", verify.file, "Pattern file")->required();

  InfoOptions info;
  auto* infoCommand = app.add_subcommand("info", "Describe a pattern file");
  infoCommand->add_option("FILE", info.file, "Pattern file")->required();
  infoCommand->add_option("--public", info.publicPath,
                          "Publisher's public key (PEM); without it the signature is not "
                          "checked");
  infoCommand->add_option("--queries", info.queries,
                          "Random digests used to measure the filter's false-positive rate");

  LookupOptions lookup;
  auto* lookupCommand = app.add_subcommand("lookup", "Look up one digest in a pattern file");
  lookupCommand->add_option("FILE", lookup.file, "Pattern file")->required();
  lookupCommand->add_option("DIGEST", lookup.digest, "MD5, SHA-1 or SHA-256 in hex")->required();
  auto* sizeOption = lookupCommand->add_option(
      "--size", lookup.size, "File size in bytes (default: list matches of every size)");
  lookupCommand->add_option("--public", lookup.publicPath,
                            "Publisher's public key (PEM); without it the signature is not "
                            "checked");

  PublishCommandOptions publish;
  auto* publishCommand = app.add_subcommand(
      "publish", "Add pattern files and other components to a signed ActiveUpdate folder");
  publishCommand->add_option("--key", publish.keyPath, "Private key file (PEM)")->required();
  publishCommand
      ->add_option("--output-dir", publish.outputDirectory,
                   "ActiveUpdate folder to update; created if missing")
      ->required();
  publishCommand
      ->add_option("--keep", publish.keep,
                   "Versions of each component whose files stay in the folder, the current one "
                   "included (default 3)")
      ->check(CLI::PositiveNumber);
  publishCommand->add_flag("--allow-downgrade", publish.allowDowngrade,
                           "Publish a version older than the one the manifest lists");
  publishCommand
      ->add_option("--component", publish.components,
                   "Another component, as NAME=FILE (repeatable; needs --component-version)")
      ->allow_extra_args(false);
  publishCommand
      ->add_option("--component-version", publish.componentVersions,
                   "Version of a --component, as NAME=VERSION (repeatable)")
      ->allow_extra_args(false);
  publishCommand->add_option("PATTERN", publish.patternFiles,
                             "Signed pattern files; each becomes the component of its kind");

  BenchOptions bench;
  auto* benchCommand = app.add_subcommand(
      "bench-filter", "Measure an agent pattern built from random SHA-256 digests");
  benchCommand->add_option("--keys", bench.keys, "Number of random digests")->required();
  benchCommand->add_option("--loads", bench.loads, "Loads to time; the median is printed");
  benchCommand->add_option("--queries", bench.queries,
                           "Random digests used to measure the false-positive rate");
  benchCommand->add_option("--work-dir", bench.workDirectory,
                           "Folder for the temporary pattern file (default: temp folder)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error, out, err);
    return code == 0 ? kPatternToolSuccess : kPatternToolUsageError;
  }

  if (*keygenCommand) return runKeygen(keygen, out, err);
  if (*buildCommand) return runBuild(build, versionOption->count() > 0, out, err);
  if (*verifyCommand) return runVerify(verify, out, err);
  if (*infoCommand) return runInfo(info, out, err);
  if (*lookupCommand) return runLookup(lookup, sizeOption->count() > 0, out, err);
  if (*publishCommand) return runPublish(publish, out, err);
  return runBench(bench, out, err);
}

}  // namespace odscan
