#include "odscan/scanner/scan_command.h"

#include <chrono>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "odscan/engine/scan_engine.h"
#include "odscan/pattern/agent_pattern.h"
#include "odscan/pattern/signing_key.h"
#include "odscan/platform/system.h"
#include "odscan/platform/utf8_path.h"
#include "odscan/scanner/console.h"
#include "odscan/scanner/formatting.h"
#include "odscan/scanner/home_folder.h"
#include "odscan/scanner/quarantine_store.h"
#include "odscan/scanner/result_reporter.h"
#include "odscan/scanner/scan_monitor.h"
#include "odscan/scanner/scan_report.h"
#include "odscan/scanner/session.h"

namespace odscan::scanner {
namespace {

std::string_view profileName(ScanProfile profile) {
  return profile == ScanProfile::kQuick ? "quick" : "full";
}

std::string_view actionName(ScanAction action) {
  return action == ScanAction::kQuarantine ? "quarantine" : "report";
}

nlohmann::ordered_json pathsToJson(const std::vector<std::filesystem::path>& paths) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& path : paths) list.push_back(platform::toUtf8(path));
  return list;
}

nlohmann::ordered_json engineOptionsToJson(const ScanOptions& engine) {
  const ArchiveLimits& limits = engine.archiveLimits;
  return {
      {"profile", profileName(engine.profile)},
      {"follow_symlinks", engine.followSymlinks},
      {"scan_archives", engine.scanArchives},
      {"exclude", pathsToJson(engine.excludePaths)},
      {"exclude_ext", engine.excludeExtensions},
      {"max_file_size", engine.maxFileSize},
      {"threads", engine.threads},
      {"archive_limits",
       {{"max_depth", limits.maxDepth},
        {"max_member_size", limits.maxMemberSize},
        {"max_total_extracted", limits.maxTotalExtracted},
        {"max_compression_ratio", limits.maxCompressionRatio},
        {"max_members", limits.maxMembers},
        {"max_time_per_file_ms", limits.maxTimePerFile.count()}}},
  };
}

// The digest of a file on disk as the scan saw it, preferring the strongest kind.
std::optional<Digest> scannedDigestOf(const ScanResult& result) {
  if (result.depth != 0) return std::nullopt;
  for (const DigestKind kind : {DigestKind::kSha256, DigestKind::kSha1, DigestKind::kMd5}) {
    if (result.digests.get(kind)) return *result.digests.get(kind);
  }
  return std::nullopt;
}

// One run of `odscan scan`; see runScanCommand() for the steps.
class ScanRun {
 public:
  ScanRun(const ScanCommandOptions& options, CommandIo& io)
      : options_(options),
        io_(io),
        console_(io.out, io.err, io.showProgress),
        home_(options.home.value_or(HomeFolder::defaultRoot())),
        patternPath_(options.patternPath.value_or(home_.defaultPatternPath())),
        publicKeyPath_(options.publicKeyPath.value_or(home_.defaultPublicKeyPath())) {}

  int run();

 private:
  Status openSession();
  Status checkDiskSpace();
  Status loadPattern();
  void scan();
  void quarantineInfected();
  void quarantineFile(QuarantineStore& store, const ScanResult& detection);
  int stopBeforeScan(const Status& error, std::string_view event);
  int finish();
  void writeReports();
  void printSummary(ExitCode exitCode);
  nlohmann::ordered_json optionsToJson() const;

  const ScanCommandOptions& options_;
  CommandIo& io_;
  Console console_;
  HomeFolder home_;
  std::filesystem::path patternPath_;
  std::filesystem::path publicKeyPath_;
  std::unique_ptr<Session> session_;
  std::shared_ptr<const AgentPattern> pattern_;
  ScanReport report_;
};

int ScanRun::run() {
  if (Status opened = openSession(); !opened.ok()) {
    console_.printError("odscan: " + opened.message());
    return static_cast<int>(ExitCode::kError);
  }
  if (Status space = checkDiskSpace(); !space.ok()) {
    return stopBeforeScan(space, "disk_space_error");
  }
  if (Status loaded = loadPattern(); !loaded.ok()) return stopBeforeScan(loaded, "pattern_error");

  scan();
  if (options_.action == ScanAction::kQuarantine) quarantineInfected();
  return finish();
}

Status ScanRun::openSession() {
  if (Status layout = home_.createLayout(); !layout.ok()) return layout;
  Result<std::unique_ptr<Session>> session = Session::create(home_, "scan");
  if (!session.ok()) return session.status();
  session_ = std::move(*session);

  report_.scannerVersion = scannerVersion();
  report_.sessionId = session_->id();
  report_.sessionFolder = session_->folder();
  report_.host = platform::hostName();
  report_.user = platform::userName();
  report_.startedAt = session_->startedAt();
  report_.roots = options_.roots;
  report_.options = optionsToJson();

  session_->logger().info("odscan {} on host {} as user {}; HCEXEC folder '{}'",
                          report_.scannerVersion, report_.host, report_.user,
                          home_.root().string());
  session_->events().write("session_start", {{"command", "scan"},
                                             {"scanner_version", report_.scannerVersion},
                                             {"host", report_.host},
                                             {"user", report_.user},
                                             {"roots", pathsToJson(options_.roots)},
                                             {"options", report_.options}});
  return Status::success();
}

Status ScanRun::checkDiskSpace() {
  return scanner::checkFreeSpace(home_.root(), options_.minFreeSpace);
}

Status ScanRun::loadPattern() {
  const std::string components = home_.components().string();
  Result<PublicKey> key = PublicKey::readFile(publicKeyPath_);
  if (!key.ok()) {
    return Status(key.status().code(),
                  "cannot read the publisher's public key: " + key.status().message() +
                      ". The scan did not start. Get fresh components (the launcher installs "
                      "publisher.pub into '" + components + "'), or pass --public-key FILE");
  }

  Result<AgentPattern> pattern = AgentPattern::load(patternPath_, *key);
  if (!pattern.ok()) {
    return Status(pattern.status().code(),
                  "cannot load the Smart Scan Agent Pattern: " + pattern.status().message() +
                      ". The scan did not start. Get a fresh pattern (the launcher downloads "
                      "agent-pattern.ptn into '" + components + "'), or pass --pattern FILE");
  }
  pattern_ = std::make_shared<const AgentPattern>(std::move(*pattern));
  report_.patternVersion = pattern_->version();

  session_->logger().info(
      "loaded Smart Scan Agent Pattern version {} from '{}' ({} exact signatures, {} filter "
      "keys), verified with key {}",
      pattern_->version(), patternPath_.string(), pattern_->exactCount(),
      pattern_->filterKeyCount(), key->fingerprint());
  session_->events().write("pattern_loaded", {{"path", platform::toUtf8(patternPath_)},
                                              {"version", pattern_->version()},
                                              {"exact_signatures", pattern_->exactCount()},
                                              {"filter_keys", pattern_->filterKeyCount()},
                                              {"key_fingerprint", key->fingerprint()}});
  return Status::success();
}

void ScanRun::scan() {
  ResultReporter reporter(console_, *session_, options_.infectedOnly);
  ScanEngine engine(pattern_, options_.engine);
  ScanMonitor monitor(console_, reporter,
                      {[&engine] { return engine.progress(); }, [&engine] { engine.cancel(); }},
                      io_.interrupt);

  session_->logger().info("scan started with pattern version {}: {} root(s), profile {}",
                          pattern_->version(), options_.roots.size(),
                          profileName(options_.engine.profile));
  session_->events().write("scan_start", {{"pattern_version", pattern_->version()},
                                          {"roots", pathsToJson(options_.roots)}});
  monitor.start();
  report_.summary = engine.scan(options_.roots, reporter);
  monitor.stop();

  report_.outcome = report_.summary.cancelled ? ScanOutcome::kCancelled : ScanOutcome::kCompleted;
  report_.findings = reporter.findings();
  report_.problems = reporter.events();
  if (report_.summary.cancelled) {
    console_.printError("odscan: scan cancelled; the results cover only the files scanned so far");
    session_->logger().warn("scan cancelled by the user; the results are incomplete");
  }
}

void ScanRun::quarantineInfected() {
  // An archive holding several infected members is quarantined once. The result
  // for the file itself (depth 0) is preferred, because it carries the file's
  // digest, which proves the file was not replaced after the scan.
  std::map<std::filesystem::path, const ScanResult*> byFile;
  std::vector<std::filesystem::path> order;
  for (const ScanResult& result : report_.findings) {
    if (result.verdict != Verdict::kInfected) continue;
    auto [slot, inserted] = byFile.try_emplace(result.file, &result);
    if (inserted) order.push_back(result.file);
    if (result.depth == 0) slot->second = &result;
  }

  QuarantineStore store(home_.quarantine());
  for (const auto& file : order) quarantineFile(store, *byFile[file]);
}

void ScanRun::quarantineFile(QuarantineStore& store, const ScanResult& detection) {
  QuarantineRequest request;
  request.file = detection.file;
  request.threatName = detection.threatName;
  request.detectionPath = detection.path;
  request.sessionId = session_->id();
  request.scannedDigest = scannedDigestOf(detection);

  QuarantineAction action{detection.file, detection.path, detection.threatName, {}, {}};
  Result<QuarantineEntry> entry = store.quarantine(request);
  const std::string file = platform::toUtf8(detection.file);
  if (entry.ok()) {
    action.quarantineId = entry->id;
    console_.printLine(file + ": moved to quarantine as " + entry->id);
    session_->logger().info("quarantined '{}' ({}) as {} in '{}'", file, detection.threatName,
                            entry->id, entry->entryFile.string());
    session_->events().write("quarantined", {{"file", file},
                                             {"threat", detection.threatName},
                                             {"detection", detection.path},
                                             {"quarantine_id", entry->id},
                                             {"entry", platform::toUtf8(entry->entryFile)},
                                             {"sha256", entry->originalSha256.toHex()}});
  } else {
    action.error = entry.status();
    console_.printError("odscan: " + entry.status().message());
    session_->logger().error("{}; remove or clean the file by hand", entry.status().message());
    session_->events().write("quarantine_failed", {{"file", file},
                                                   {"threat", detection.threatName},
                                                   {"error", entry.status().message()}});
  }
  report_.actions.push_back(std::move(action));
}

int ScanRun::stopBeforeScan(const Status& error, std::string_view event) {
  report_.errors.push_back(error);
  session_->logger().error("{}", error.message());
  session_->events().write(event, {{"code", statusCodeName(error.code())},
                                   {"message", error.message()}});
  console_.printError("odscan: " + error.message());
  console_.printError("odscan: session logs are in '" + session_->folder().string() + "'");
  return finish();
}

int ScanRun::finish() {
  report_.finishedAt = std::chrono::system_clock::now();
  writeReports();
  const ExitCode exitCode = exitCodeOf(report_);

  const ScanSummary& summary = report_.summary;
  session_->logger().info(
      "session finished ({}): {} infected, {} unresolved, {} not scanned, {} clean in {} files; "
      "exit code {}",
      scanOutcomeName(report_.outcome), summary.infected, summary.unresolved, summary.notScanned,
      summary.clean, summary.files, static_cast<int>(exitCode));
  session_->events().write("session_finish",
                           {{"outcome", scanOutcomeName(report_.outcome)},
                            {"exit_code", static_cast<int>(exitCode)},
                            {"pattern_version", report_.patternVersion
                                                    ? nlohmann::ordered_json(*report_.patternVersion)
                                                    : nlohmann::ordered_json()},
                            {"counts", report_.toJson()["counts"]}});

  if (report_.outcome != ScanOutcome::kNotStarted && !options_.noSummary) printSummary(exitCode);
  return static_cast<int>(exitCode);
}

void ScanRun::writeReports() {
  // A failed write is an error of the run, so it counts in the exit code. The
  // session's copy is written last, so it also records a failed --json write.
  if (options_.jsonPath) {
    if (Status written = writeJsonFile(*options_.jsonPath, report_.toJson()); !written.ok()) {
      report_.errors.push_back(written);
      session_->logger().error("{}", written.message());
      console_.printError("odscan: " + written.message() + "; the session's copy is in '" +
                          session_->reportPath().string() + "'");
    }
  }
  if (Status written = writeJsonFile(session_->reportPath(), report_.toJson()); !written.ok()) {
    report_.errors.push_back(written);
    session_->logger().error("{}", written.message());
    console_.printError("odscan: " + written.message());
  }
}

void ScanRun::printSummary(ExitCode exitCode) {
  const ScanSummary& summary = report_.summary;
  std::vector<std::string> lines = {
      "----------- SCAN SUMMARY -----------",
      fmt::format("Infected objects: {}", summary.infected),
      fmt::format("Unresolved objects: {}", summary.unresolved),
      fmt::format("Not scanned objects: {}", summary.notScanned),
      fmt::format("Clean objects: {}", summary.clean),
      fmt::format("Scanned files: {}", summary.files),
      fmt::format("Scanned objects: {}", summary.objects),
      fmt::format("Data read: {}", formatBytes(summary.bytes)),
      fmt::format("Time: {} ({})", formatSeconds(summary.elapsed),
                  formatRate(summary.bytes, summary.elapsed)),
  };
  if (summary.excluded > 0) lines.push_back(fmt::format("Excluded: {}", summary.excluded));
  if (summary.skippedByProfile > 0) {
    lines.push_back(fmt::format("Skipped by the quick profile: {}", summary.skippedByProfile));
  }
  if (!report_.actions.empty()) {
    std::size_t moved = 0;
    for (const auto& action : report_.actions) moved += action.quarantineId ? 1 : 0;
    lines.push_back(fmt::format("Quarantined files: {} of {}", moved, report_.actions.size()));
  }
  lines.push_back(fmt::format("Pattern version: {}", report_.patternVersion.value_or(0)));
  lines.push_back("Session: " + session_->id());
  lines.push_back("Session folder: " + session_->folder().string());
  if (summary.cancelled) lines.push_back("Scan cancelled before the end");
  if (exitCode == ExitCode::kError && summary.infected == 0 && !summary.cancelled) {
    lines.push_back("Some objects could not be decided; see the lines above and report.json");
  }
  for (const auto& line : lines) console_.printLine(line);
}

nlohmann::ordered_json ScanRun::optionsToJson() const {
  nlohmann::ordered_json json = engineOptionsToJson(options_.engine);
  json["action"] = actionName(options_.action);
  json["home"] = platform::toUtf8(home_.root());
  json["pattern"] = platform::toUtf8(patternPath_);
  json["public_key"] = platform::toUtf8(publicKeyPath_);
  json["json"] = options_.jsonPath ? platform::toUtf8(*options_.jsonPath) : "";
  json["infected_only"] = options_.infectedOnly;
  json["min_free_space"] = options_.minFreeSpace;
  return json;
}

}  // namespace

std::string scannerVersion() { return ODSCAN_VERSION; }

int runScanCommand(const ScanCommandOptions& options, CommandIo& io) {
  ScanRun run(options, io);
  return run.run();
}

}  // namespace odscan::scanner
