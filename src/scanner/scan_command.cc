#include "odscan/scanner/scan_command.h"

#include <fmt/format.h>

#include <chrono>
#include <map>
#include <memory>

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
#include "odscan/scanner/scan_observer.h"
#include "odscan/scanner/scan_report.h"
#include "odscan/scanner/session.h"
#include "odscan/scanner/session_uploader.h"

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

// Returns `path` made absolute, so logs and reports name a usable file whatever the
// working directory of the reader.
std::filesystem::path absolutePath(const std::filesystem::path& path) {
  std::error_code error;
  std::filesystem::path absolute = std::filesystem::absolute(path, error);
  return error ? path : absolute;
}

// The advice after a component that does not load. A path the user gave is
// theirs to check; a default one is missing or stale in components/.
std::string componentAdvice(bool optionGiven, std::string_view option, const HomeFolder& home) {
  if (optionGiven) {
    return fmt::format(
        "Check the file given with {}; docs/scanner.md (section Components) "
        "shows how to build a pattern and its key",
        option);
  }
  return fmt::format(
      "Install the pattern and its public key into '{}' with 'odscan components "
      "install --pattern FILE --public-key FILE' (docs/scanner.md, section "
      "Components, shows how to build them), or pass {} FILE",
      home.components().string(), option);
}

// Returns the summary's heading and count lines. Counts of things left out on
// purpose appear only when they are not 0.
std::vector<std::string> summaryCountLines(const ScanReport& report) {
  const ScanSummary& summary = report.summary;
  std::vector<std::string> lines = {
      "----------- SCAN SUMMARY -----------",
      fmt::format("Infected files: {}", report.infectedFiles()),
      fmt::format("Infected objects: {}", summary.infected),
      fmt::format("Unresolved objects: {}", summary.unresolved),
      fmt::format("Bypassed objects: {}", report.bypassed),
      fmt::format("Not scanned objects: {}", summary.notScanned),
      fmt::format("Clean objects: {}", summary.clean),
      fmt::format("Objects: {}", summary.objects),
      fmt::format("Files examined: {}", summary.files),
      fmt::format("Files scanned: {}", report.filesScanned),
  };

  const auto addCount = [&lines](std::string_view label, std::uint64_t count) {
    if (count > 0) lines.push_back(fmt::format("{}: {}", label, count));
  };
  addCount("Skipped by the quick profile", summary.skippedByProfile);
  addCount("Excluded", summary.excluded);
  addCount("Symbolic links not followed", report.symlinksSkipped);
  addCount("Folder loops skipped", report.loopsSkipped);
  addCount("Devices, FIFOs and sockets", summary.specialFiles);

  lines.push_back(fmt::format("Data read: {}", formatBytes(summary.bytes)));
  lines.push_back(fmt::format("Time: {} ({})", formatSeconds(summary.elapsed),
                              formatRate(summary.bytes, summary.elapsed)));
  return lines;
}

// One run of `odscan scan`; see runScanCommand() for the steps.
class ScanRun {
 public:
  ScanRun(const ScanCommandOptions& options, CommandIo& io)
      : options_(options),
        io_(io),
        console_(io.out, io.err, io.showProgress),
        home_(options.home.value_or(HomeFolder::defaultRoot())),
        patternPath_(absolutePath(options.patternPath.value_or(home_.defaultPatternPath()))),
        publicKeyPath_(absolutePath(options.publicKeyPath.value_or(home_.defaultPublicKeyPath()))) {
    if (options.jsonPath) jsonPath_ = absolutePath(*options.jsonPath);
  }

  int run();

 private:
  Status openSession();
  void logRestrictedFolders(const LayoutChanges& changes);
  void prepareUpload();
  void deliverSession();
  Status checkJsonFile();
  Status checkDiskSpace();
  Status loadPattern();
  Status connectServers();
  void logPoolEvent(const query::PoolEvent& event);
  void scan();
  void takeCounts(const ResultReporter& reporter);
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
  // --json FILE as an absolute path; reset when the check before the scan fails,
  // so the run does not try to write it again.
  std::optional<std::filesystem::path> jsonPath_;
  std::unique_ptr<Session> session_;
  std::shared_ptr<const AgentPattern> pattern_;
  std::unique_ptr<query::ServerPool> pool_;  // set when servers are configured
  ScanReport report_;
  std::unique_ptr<SessionUploader> uploader_;  // set when the logs go to a console
};

int ScanRun::run() {
  if (Status opened = openSession(); !opened.ok()) {
    console_.printError("odscan: " + opened.message());
    return static_cast<int>(ExitCode::kError);
  }
  prepareUpload();
  if (Status json = checkJsonFile(); !json.ok()) return stopBeforeScan(json, "json_report_error");
  if (Status space = checkDiskSpace(); !space.ok()) {
    return stopBeforeScan(space, "disk_space_error");
  }
  if (Status loaded = loadPattern(); !loaded.ok()) return stopBeforeScan(loaded, "pattern_error");
  if (Status servers = connectServers(); !servers.ok()) {
    return stopBeforeScan(servers, "smart_scan_servers_unreachable");
  }

  scan();
  if (options_.action == ScanAction::kQuarantine) quarantineInfected();
  return finish();
}

Status ScanRun::openSession() {
  Result<LayoutChanges> layout = home_.createLayout();
  if (!layout.ok()) return layout.status();
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
  logRestrictedFolders(*layout);
  if (options_.settingsFile) {
    session_->logger().info("On-demand Scan settings from '{}'",
                            platform::toUtf8(*options_.settingsFile));
  }
  return Status::success();
}

void ScanRun::prepareUpload() {
  if (!options_.consoleUrl || options_.noUpload) {
    session_->logger().info(options_.noUpload
                                ? "session logs are not sent to a console (--no-upload)"
                                : "no console configured (--console); session logs stay local");
    return;
  }

  SessionUploadOptions upload = options_.upload;
  upload.client.userAgent = "odscan-scanner/" + scannerVersion();
  Result<std::unique_ptr<ConsoleClient>> client =
      ConsoleClient::create(*options_.consoleUrl, upload.client);
  SessionRegistration registration{
      session_->id(),          "",           report_.host,
      platform::ipAddresses(), report_.user, platform::osVersion(),
      report_.scannerVersion,  std::nullopt, formatUtcTimestamp(session_->startedAt())};
  Result<std::unique_ptr<SessionUploader>> uploader =
      client.ok() ? SessionUploader::create(std::move(*client), *session_, home_.sessions(),
                                            std::move(registration), std::move(upload))
                  : Result<std::unique_ptr<SessionUploader>>(client.status());
  if (!uploader.ok()) {
    const std::string message = "session logs cannot be sent to the console at " +
                                *options_.consoleUrl + ": " + uploader.status().message();
    console_.printError("odscan: " + message);
    session_->logger().warn("{}", message);
    return;
  }
  uploader_ = std::move(*uploader);
  session_->logger().info("session logs go to the console at {}", *options_.consoleUrl);
}

void ScanRun::logRestrictedFolders(const LayoutChanges& changes) {
  for (const auto& folder : changes.restricted) {
    const std::string message = restrictedFolderMessage(folder);
    console_.printError("odscan: " + message);
    session_->logger().warn("{}", message);
    session_->events().write("permissions_restricted", {{"path", platform::toUtf8(folder)}});
  }
}

Status ScanRun::checkJsonFile() {
  if (!jsonPath_) return Status::success();
  Status writable = checkJsonFileWritable(*jsonPath_);
  if (!writable.ok()) jsonPath_.reset();
  return writable;
}

Status ScanRun::checkDiskSpace() {
  return scanner::checkFreeSpace(home_.root(), options_.minFreeSpace);
}

Status ScanRun::loadPattern() {
  Result<PublicKey> key = PublicKey::readFile(publicKeyPath_);
  if (!key.ok()) {
    return Status(key.status().code(),
                  "cannot read the publisher's public key: " + key.status().message() +
                      ". The scan did not start. " +
                      componentAdvice(options_.publicKeyPath.has_value(), "--public-key", home_));
  }

  Result<AgentPattern> pattern = AgentPattern::load(patternPath_, *key);
  if (!pattern.ok()) {
    return Status(pattern.status().code(),
                  "cannot load the Smart Scan Agent Pattern: " + pattern.status().message() +
                      ". The scan did not start. " +
                      componentAdvice(options_.patternPath.has_value(), "--pattern", home_));
  }
  pattern_ = std::make_shared<const AgentPattern>(std::move(*pattern));
  report_.patternVersion = pattern_->version();

  session_->logger().info(
      "loaded Smart Scan Agent Pattern version {} from '{}' ({}, {}), verified with key {}",
      pattern_->version(), patternPath_.string(),
      formatCount(pattern_->exactCount(), "exact signature", "exact signatures"),
      formatCount(pattern_->filterKeyCount(), "filter key", "filter keys"), key->fingerprint());
  session_->events().write("pattern_loaded", {{"path", platform::toUtf8(patternPath_)},
                                              {"version", pattern_->version()},
                                              {"exact_signatures", pattern_->exactCount()},
                                              {"filter_keys", pattern_->filterKeyCount()},
                                              {"key_fingerprint", key->fingerprint()}});
  return Status::success();
}

Status ScanRun::connectServers() {
  const SmartScanSettings& settings = options_.smartScan;
  if (!settings.configured()) {
    session_->logger().info(
        "no Smart Scan Server configured (--server); objects that need a scan query stay "
        "unresolved");
    return Status::success();
  }

  SmartScanReport smartScan;
  std::vector<std::unique_ptr<query::QueryTransport>> servers;
  query::SmartScanClientOptions client = settings.client;
  client.product = "odscan-scanner/" + scannerVersion();
  client.endpoint = report_.host;
  if (settings.serverUrl) {
    servers.push_back(std::make_unique<query::SmartScanClient>(query::ServerRole::kSmartScanServer,
                                                               *settings.serverUrl, client));
  }
  if (settings.globalServerUrl && settings.allowGlobal) {
    client.apiKey = settings.globalApiKey;
    servers.push_back(std::make_unique<query::SmartScanClient>(
        query::ServerRole::kGlobalSmartScanServer, *settings.globalServerUrl, client));
  }
  for (const auto& server : servers) {
    smartScan.servers.push_back(
        {std::string(query::serverRoleName(server->role())), server->baseUrl()});
  }
  report_.smartScan = std::move(smartScan);

  pool_ = std::make_unique<query::ServerPool>(
      std::move(servers), settings.pool,
      [this](const query::PoolEvent& event) { logPoolEvent(event); });
  Status checked = pool_->checkServers();
  if (!checked.ok()) {
    return Status(StatusCode::kUnreachable,
                  checked.message() +
                      ". The scan did not start, because files that need a scan query could not "
                      "be decided. Check that the servers run and that the URLs are right, or "
                      "scan without --server (such files are then reported as unresolved)");
  }
  const query::QueryTransport& active = pool_->activeServer();
  session_->logger().info("scan queries go to the {} at {}", query::serverRoleTitle(active.role()),
                          active.baseUrl());
  session_->events().write("smart_scan_ready", {{"server", query::serverRoleName(active.role())},
                                                {"url", active.baseUrl()}});
  return Status::success();
}

void ScanRun::logPoolEvent(const query::PoolEvent& event) {
  const std::string server = std::string(query::serverRoleTitle(event.role)) + " " + event.url;
  session_->events().write("smart_scan_server", {{"kind", query::poolEventKindName(event.kind)},
                                                 {"server", query::serverRoleName(event.role)},
                                                 {"url", event.url},
                                                 {"message", event.message}});
  switch (event.kind) {
    case query::PoolEvent::Kind::kRetry:
      session_->logger().info("scan query to {} failed: {}", server, event.message);
      return;
    case query::PoolEvent::Kind::kServerDown:
      session_->logger().warn("{} does not answer: {}", server, event.message);
      return;
    case query::PoolEvent::Kind::kFailover:
      session_->logger().warn("scan queries fail over to the {} ({})", server, event.message);
      console_.printError("odscan: scan queries go to the " + server + " now");
      return;
    case query::PoolEvent::Kind::kFailback:
      session_->logger().info("scan queries fail back to the {} ({})", server, event.message);
      console_.printError("odscan: scan queries go to the " + server + " again");
      return;
    case query::PoolEvent::Kind::kOffline:
      session_->logger().error(
          "no Smart Scan Server answers ({}); files that need a scan query are bypassed until "
          "one answers again",
          event.message);
      console_.printError(
          "odscan: no Smart Scan Server answers; files that need a scan query are bypassed "
          "and will be queried again when a server answers");
      return;
    case query::PoolEvent::Kind::kOnline:
      session_->logger().info("the {} answers again; bypassed files are queried again", server);
      console_.printError("odscan: the " + server + " answers again");
      return;
  }
}

void ScanRun::scan() {
  // ScanEngine::scan() clears a cancellation made before it starts, so an interrupt
  // that arrived during the checks before the scan is handled here.
  // NOTE: an interrupt that arrives between this check and the engine's start is lost.
  if (io_.interrupt != nullptr && io_.interrupt->load()) {
    report_.summary.cancelled = true;
    report_.outcome = ScanOutcome::kCancelled;
    console_.printError("odscan: scan cancelled before the first file was read");
    session_->logger().warn("scan cancelled by the user before it started; no file was scanned");
    return;
  }

  ResultReporter reporter(console_, *session_, options_.infectedOnly);
  ScanEngine engine(pattern_, options_.engine);
  ScanMonitor::Hooks hooks;
  hooks.progress = [&engine] { return engine.progress(); };
  hooks.cancel = [&engine] { engine.cancel(); };
  if (io_.observer != nullptr) {
    hooks.observe = [this](const ScanProgressUpdate& update) { io_.observer->onProgress(update); };
  }
  ScanMonitor monitor(console_, reporter, std::move(hooks), io_.interrupt);

  session_->logger().info("scan started with pattern version {}: {}, profile {}",
                          pattern_->version(), formatCount(options_.roots.size(), "root", "roots"),
                          profileName(options_.engine.profile));
  session_->events().write("scan_start", {{"pattern_version", pattern_->version()},
                                          {"roots", pathsToJson(options_.roots)}});
  if (uploader_) uploader_->start(report_.patternVersion);
  monitor.start();
  if (pool_) {
    CloudScanSink cloud(*pool_, reporter, *session_, options_.smartScan.batching);
    report_.summary = engine.scan(options_.roots, cloud);
    report_.smartScan->stats = cloud.finish();
  } else {
    report_.summary = engine.scan(options_.roots, reporter);
  }
  monitor.stop();
  takeCounts(reporter);

  report_.outcome = report_.summary.cancelled ? ScanOutcome::kCancelled : ScanOutcome::kCompleted;
  report_.findings = reporter.findings();
  report_.problems = reporter.events();
  report_.filesScanned = reporter.filesScanned();
  report_.symlinksSkipped = reporter.eventCount(ScanEvent::Kind::kSymlinkSkipped);
  report_.loopsSkipped = reporter.eventCount(ScanEvent::Kind::kLoopSkipped);
  if (report_.summary.cancelled) {
    console_.printError("odscan: scan cancelled; the results cover only the files scanned so far");
    session_->logger().warn("scan cancelled by the user; the results are incomplete");
  }
}

// Scan queries change verdicts after the engine has counted them, so the counts
// of the report come from the reporter, which sees every change.
void ScanRun::takeCounts(const ResultReporter& reporter) {
  const VerdictCounts counts = reporter.counts();
  report_.summary.clean = counts.clean;
  report_.summary.infected = counts.infected;
  report_.summary.unresolved = counts.unresolved;
  report_.summary.notScanned = counts.notScanned;
  report_.bypassed = counts.bypassed;
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
    session_->events().write(
        "quarantine_failed",
        {{"file", file}, {"threat", detection.threatName}, {"error", entry.status().message()}});
  }
  report_.actions.push_back(std::move(action));
}

int ScanRun::stopBeforeScan(const Status& error, std::string_view event) {
  report_.errors.push_back(error);
  session_->logger().error("{}", error.message());
  session_->events().write(event,
                           {{"code", statusCodeName(error.code())}, {"message", error.message()}});
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
      "session finished ({}): {} infected in {}, {} unresolved, {} bypassed, {} not scanned, {} "
      "clean; {} examined, {} scanned; exit code {}",
      scanOutcomeName(report_.outcome), summary.infected,
      formatCount(report_.infectedFiles(), "file", "files"), summary.unresolved, report_.bypassed,
      summary.notScanned, summary.clean, formatCount(summary.files, "file", "files"),
      report_.filesScanned, static_cast<int>(exitCode));
  session_->events().write(
      "session_finish",
      {{"outcome", scanOutcomeName(report_.outcome)},
       {"exit_code", static_cast<int>(exitCode)},
       {"pattern_version", report_.patternVersion ? nlohmann::ordered_json(*report_.patternVersion)
                                                  : nlohmann::ordered_json()},
       {"counts", report_.toJson()["counts"]}});

  if (report_.outcome != ScanOutcome::kNotStarted && !options_.noSummary) printSummary(exitCode);
  deliverSession();
  if (io_.observer != nullptr) io_.observer->onReport(report_, exitCode);
  return static_cast<int>(exitCode);
}

// The report is written before this, so an upload failure is only logged and
// printed; it never changes the exit code.
void ScanRun::deliverSession() {
  if (!uploader_) return;
  const UploadOutcome outcome = uploader_->finish(report_.patternVersion);
  if (outcome.problem.ok()) return;
  const std::filesystem::path kept =
      outcome.currentSessionComplete ? home_.sessions() : session_->folder();
  console_.printError("odscan: session logs could not be sent to the console at " +
                      uploader_->consoleUrl() + ": " + outcome.problem.message() +
                      "; they stay in '" + platform::toUtf8(kept) +
                      "' and are sent on the next run");
}

void ScanRun::writeReports() {
  // A failed write is an error of the run, so it counts in the exit code. The
  // session's copy is written last, so it also records a failed --json write.
  if (jsonPath_) {
    if (Status written = writeJsonFile(*jsonPath_, report_.toJson(), FileAccess::kUmask);
        !written.ok()) {
      report_.errors.push_back(written);
      session_->logger().error("{}", written.message());
      console_.printError("odscan: " + written.message() + "; the session's copy is in '" +
                          session_->reportPath().string() + "'");
    }
  }
  if (Status written =
          writeJsonFile(session_->reportPath(), report_.toJson(), FileAccess::kOwnerOnly);
      !written.ok()) {
    report_.errors.push_back(written);
    session_->logger().error("{}", written.message());
    console_.printError("odscan: " + written.message());
  }
}

void ScanRun::printSummary(ExitCode exitCode) {
  const ScanSummary& summary = report_.summary;
  std::vector<std::string> lines = summaryCountLines(report_);

  if (!report_.actions.empty()) {
    std::size_t moved = 0;
    for (const auto& action : report_.actions) moved += action.quarantineId ? 1 : 0;
    lines.push_back(fmt::format("Quarantined files: {} of {}", moved, report_.actions.size()));
  }
  lines.push_back(fmt::format("Pattern version: {}", report_.patternVersion.value_or(0)));
  if (report_.smartScan) {
    const CloudStats& stats = report_.smartScan->stats;
    lines.push_back(fmt::format(
        "Scan queries: {} in {}; verdicts by the Smart Scan Server: {}, by the Global Smart Scan "
        "Server: {}",
        formatCount(stats.digests, "digest", "digests"),
        formatCount(stats.queries, "request", "requests"), stats.localVerdicts,
        stats.globalVerdicts));
  }
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
  json["json"] = options_.jsonPath ? platform::toUtf8(absolutePath(*options_.jsonPath)) : "";
  json["infected_only"] = options_.infectedOnly;
  json["min_free_space"] = options_.minFreeSpace;
  const SmartScanSettings& smartScan = options_.smartScan;
  json["server"] = smartScan.serverUrl.value_or("");
  json["global_server"] = smartScan.globalServerUrl.value_or("");
  json["allow_global"] = smartScan.allowGlobal;
  json["console"] = options_.noUpload ? "" : options_.consoleUrl.value_or("");
  json["settings"] = options_.settingsFile ? platform::toUtf8(*options_.settingsFile) : "";
  return json;
}

}  // namespace

std::string scannerVersion() { return ODSCAN_VERSION; }

int runScanCommand(const ScanCommandOptions& options, CommandIo& io) {
  ScanRun run(options, io);
  return run.run();
}

}  // namespace odscan::scanner
