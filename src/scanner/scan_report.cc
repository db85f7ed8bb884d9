#include "odscan/scanner/scan_report.h"

#include <set>
#include <system_error>

#include "durable_file.h"
#include "odscan/platform/utf8_path.h"
#include "odscan/scanner/formatting.h"

namespace odscan::scanner {
namespace {

nlohmann::ordered_json countsToJson(const ScanReport& report) {
  const ScanSummary& summary = report.summary;
  return {
      {"files", summary.files},
      {"files_scanned", report.filesScanned},
      {"infected_files", report.infectedFiles()},
      {"objects", summary.objects},
      {"bytes", summary.bytes},
      {"clean", summary.clean},
      {"infected", summary.infected},
      {"unresolved", summary.unresolved},
      {"not_scanned", summary.notScanned},
      {"bypassed", report.bypassed},
      {"excluded", summary.excluded},
      {"skipped_by_profile", summary.skippedByProfile},
      {"special_files", summary.specialFiles},
      {"symlinks_skipped", report.symlinksSkipped},
      {"loops_skipped", report.loopsSkipped},
  };
}

std::filesystem::path folderOf(const std::filesystem::path& path) {
  return path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
}

nlohmann::ordered_json actionToJson(const QuarantineAction& action) {
  nlohmann::ordered_json json = {
      {"action", action.quarantineId ? "quarantined" : "quarantine_failed"},
      {"file", platform::toUtf8(action.file)},
      {"detection", action.detectionPath},
      {"threat", action.threatName},
  };
  if (action.quarantineId) json["quarantine_id"] = *action.quarantineId;
  if (!action.error.ok()) json["error"] = action.error.message();
  return json;
}

nlohmann::ordered_json smartScanToJson(const SmartScanReport& smartScan) {
  const CloudStats& stats = smartScan.stats;
  nlohmann::ordered_json servers = nlohmann::ordered_json::array();
  for (const auto& server : smartScan.servers) {
    servers.push_back({{"role", server.role}, {"url", server.url}});
  }
  nlohmann::ordered_json verdicts = nlohmann::ordered_json::array();
  for (const CloudVerdict& verdict : stats.verdicts) {
    nlohmann::ordered_json entry = {{"path", verdict.path},
                                    {"verdict", verdictName(verdict.verdict)},
                                    {"server", detectionSourceName(verdict.server)}};
    if (verdict.wasBypassed) entry["was_bypassed"] = true;
    verdicts.push_back(std::move(entry));
  }
  return {
      {"servers", std::move(servers)},
      {"queries", stats.queries},
      {"digests", stats.digests},
      {"cache_hits", stats.cacheHits},
      {"verdicts_by_server",
       {{"smart_scan_server", stats.localVerdicts},
        {"global_smart_scan_server", stats.globalVerdicts}}},
      {"bypassed", stats.bypassed},
      {"requeried", stats.requeried},
      {"still_bypassed", stats.stillBypassed},
      {"verdicts", std::move(verdicts)},
      {"verdicts_not_listed", stats.verdictsNotListed},
  };
}

nlohmann::ordered_json statusToJson(const Status& status) {
  return {{"code", statusCodeName(status.code())}, {"message", status.message()}};
}

}  // namespace

std::string_view scanOutcomeName(ScanOutcome outcome) {
  switch (outcome) {
    case ScanOutcome::kCompleted:
      return "completed";
    case ScanOutcome::kCancelled:
      return "cancelled";
    case ScanOutcome::kNotStarted:
      return "not_started";
  }
  return "unknown";
}

nlohmann::ordered_json resultToJson(const ScanResult& result) {
  nlohmann::ordered_json json = {
      {"path", result.path}, {"file", platform::toUtf8(result.file)},  {"depth", result.depth},
      {"size", result.size}, {"verdict", verdictName(result.verdict)},
  };
  if (result.verdict == Verdict::kInfected) json["threat"] = result.threatName;
  if (result.source != DetectionSource::kNone) json["source"] = detectionSourceName(result.source);
  if (result.wasBypassed) json["was_bypassed"] = true;
  if (result.verdict == Verdict::kNotScanned) json["reason"] = skipReasonName(result.reason);
  if (!result.detail.empty()) json["detail"] = result.detail;
  for (const auto& digest : result.digests.byKind) {
    if (digest) json[std::string(digestKindName(digest->kind))] = digest->toHex();
  }
  return json;
}

nlohmann::ordered_json ScanReport::toJson() const {
  nlohmann::ordered_json json = {
      {"format", "odscan-scan-report"},
      {"format_version", kScanReportFormatVersion},
      {"scanner_version", scannerVersion},
      {"pattern_version", nullptr},
      {"session_id", sessionId},
      {"session_folder", platform::toUtf8(sessionFolder)},
      {"host", host},
      {"user", user},
      {"started_at", formatUtcTimestamp(startedAt)},
      {"finished_at", formatUtcTimestamp(finishedAt)},
      {"outcome", scanOutcomeName(outcome)},
      {"exit_code", static_cast<int>(exitCodeOf(*this))},
  };
  if (patternVersion) json["pattern_version"] = *patternVersion;

  json["roots"] = nlohmann::ordered_json::array();
  for (const auto& root : roots) json["roots"].push_back(platform::toUtf8(root));
  json["options"] = options;
  json["counts"] = countsToJson(*this);
  json["elapsed_ms"] = summary.elapsed.count();
  json["smart_scan"] = smartScan ? smartScanToJson(*smartScan) : nlohmann::ordered_json();

  json["results"] = nlohmann::ordered_json::array();
  for (const auto& result : findings) json["results"].push_back(resultToJson(result));
  json["problems"] = nlohmann::ordered_json::array();
  for (const auto& event : problems) {
    json["problems"].push_back(
        {{"kind", scanEventKindName(event.kind)}, {"path", event.path}, {"detail", event.detail}});
  }
  json["actions"] = nlohmann::ordered_json::array();
  for (const auto& action : actions) json["actions"].push_back(actionToJson(action));
  json["errors"] = nlohmann::ordered_json::array();
  for (const auto& error : errors) json["errors"].push_back(statusToJson(error));
  return json;
}

ExitCode exitCodeOf(const ScanReport& report) {
  if (report.summary.infected > 0) return ExitCode::kThreatsFound;
  const bool incomplete = report.outcome != ScanOutcome::kCompleted || !report.errors.empty() ||
                          report.summary.unresolved > 0 || report.summary.notScanned > 0 ||
                          report.bypassed > 0;
  return incomplete ? ExitCode::kError : ExitCode::kNothingFound;
}

std::uint64_t ScanReport::infectedFiles() const {
  std::set<std::filesystem::path> files;
  for (const ScanResult& result : findings) {
    if (result.verdict == Verdict::kInfected) files.insert(result.file);
  }
  return files.size();
}

Status writeJsonFile(const std::filesystem::path& path, const nlohmann::ordered_json& document,
                     FileAccess access) {
  const std::string text =
      document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  const std::filesystem::path temporary = temporarySiblingOf(path);

  Result<DurableFile> file = access == FileAccess::kOwnerOnly
                                 ? DurableFile::createOwnerOnly(temporary)
                                 : DurableFile::create(temporary, 0644);
  if (!file.ok())
    return file.status().withContext("cannot write the report '" + path.string() + "'");
  Status written = file->write({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
  if (written.ok()) written = file->sync();
  if (written.ok()) written = file->close();

  std::error_code error;
  if (written.ok()) {
    std::filesystem::rename(temporary, path, error);
    if (error)
      written = Status(StatusCode::kIoError,
                       "renaming '" + temporary.string() + "' failed: " + error.message());
  }
  if (!written.ok()) {
    std::filesystem::remove(temporary, error);
    return written.withContext("cannot write the report '" + path.string() + "'");
  }
  return Status::success();
}

Status checkJsonFileWritable(const std::filesystem::path& path) {
  const std::string context = "cannot write the JSON report '" + path.string() + "'";
  std::error_code error;
  if (path.empty() || !path.has_filename() || std::filesystem::is_directory(path, error)) {
    return Status(StatusCode::kInvalidArgument,
                  context +
                      ": --json needs a file name, not a folder; pass a file such as "
                      "report.json");
  }

  const std::filesystem::path probe = temporarySiblingOf(path);
  Result<DurableFile> file = DurableFile::create(probe, 0600);
  if (!file.ok()) {
    const std::string folder = "'" + folderOf(path).string() + "'";
    const StatusCode code = file.status().code();
    const std::string reason =
        code == StatusCode::kNotFound           ? "the folder " + folder + " does not exist"
        : code == StatusCode::kPermissionDenied ? "you may not create files in " + folder
                                                : file.status().message();
    return Status(code, context + ": " + reason +
                            "; pass a --json path in an existing folder that you can write to");
  }
  (void)file->close();
  std::filesystem::remove(probe, error);
  return Status::success();
}

}  // namespace odscan::scanner
