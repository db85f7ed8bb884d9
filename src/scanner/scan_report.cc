#include "odscan/scanner/scan_report.h"

#include <system_error>

#include "durable_file.h"
#include "odscan/platform/utf8_path.h"
#include "odscan/scanner/formatting.h"
#include "odscan/scanner/random_id.h"

namespace odscan::scanner {
namespace {

nlohmann::ordered_json countsToJson(const ScanSummary& summary) {
  return {
      {"files", summary.files},
      {"objects", summary.objects},
      {"bytes", summary.bytes},
      {"clean", summary.clean},
      {"infected", summary.infected},
      {"unresolved", summary.unresolved},
      {"not_scanned", summary.notScanned},
      {"excluded", summary.excluded},
      {"skipped_by_profile", summary.skippedByProfile},
      {"special_files", summary.specialFiles},
  };
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
      {"path", result.path},
      {"file", platform::toUtf8(result.file)},
      {"depth", result.depth},
      {"size", result.size},
      {"verdict", verdictName(result.verdict)},
  };
  if (result.verdict == Verdict::kInfected) {
    json["threat"] = result.threatName;
    json["source"] = detectionSourceName(result.source);
  }
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
  json["counts"] = countsToJson(summary);
  json["elapsed_ms"] = summary.elapsed.count();

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
                          report.summary.unresolved > 0 || report.summary.notScanned > 0;
  return incomplete ? ExitCode::kError : ExitCode::kNothingFound;
}

Status writeJsonFile(const std::filesystem::path& path, const nlohmann::ordered_json& document) {
  const std::string text =
      document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::filesystem::path folder = path.parent_path();
  if (folder.empty()) folder = ".";
  const std::filesystem::path temporary =
      folder / ("." + path.filename().string() + "." + randomHexId(4) + ".tmp");

  Result<DurableFile> file = DurableFile::create(temporary, 0644);
  if (!file.ok()) return file.status().withContext("cannot write the report '" + path.string() + "'");
  Status written = file->write({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
  if (written.ok()) written = file->sync();
  if (written.ok()) written = file->close();

  std::error_code error;
  if (written.ok()) {
    std::filesystem::rename(temporary, path, error);
    if (error) written = Status(StatusCode::kIoError, "renaming '" + temporary.string() + "' failed: " + error.message());
  }
  if (!written.ok()) {
    std::filesystem::remove(temporary, error);
    return written.withContext("cannot write the report '" + path.string() + "'");
  }
  return Status::success();
}

}  // namespace odscan::scanner
