#include "odscan/gui/scan_wizard.h"

#include <fmt/format.h>

#include <map>
#include <sstream>
#include <utility>

#include "odscan/platform/utf8_path.h"
#include "odscan/scanner/formatting.h"

namespace odscan::gui {
namespace {

namespace fs = std::filesystem;
using scanner::formatCount;

constexpr int kStepCount = 4;

// Returns "m:ss", or "h:mm:ss" from one hour on.
std::string formatElapsed(std::chrono::milliseconds elapsed) {
  const auto seconds = elapsed.count() / 1000;
  if (seconds >= 3600) {
    return fmt::format("{}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60);
  }
  return fmt::format("{}:{:02}", seconds / 60, seconds % 60);
}

// The digest of a file on disk as the scan saw it, preferring the strongest kind,
// as the scan command's own quarantine does.
std::optional<Digest> scannedDigestOf(const ScanResult& result) {
  if (result.depth != 0) return std::nullopt;
  for (const DigestKind kind : {DigestKind::kSha256, DigestKind::kSha1, DigestKind::kMd5}) {
    if (result.digests.get(kind)) return *result.digests.get(kind);
  }
  return std::nullopt;
}

// Returns the last line of `text` that is not empty, without the "odscan: " that
// the console puts in front of errors.
std::string lastErrorLine(const std::string& text) {
  std::istringstream lines(text);
  std::string line;
  std::string last;
  while (std::getline(lines, line)) {
    if (!line.empty()) last = line;
  }
  const std::string prefix = "odscan: ";
  if (last.rfind(prefix, 0) == 0) last.erase(0, prefix.size());
  return last;
}

}  // namespace

std::string actionText(const ThreatRow& row) {
  switch (row.state) {
    case ThreatState::kFound:
      return "Quarantine (proposed)";
    case ThreatState::kQuarantined:
      return "Quarantined as " + row.note;
    case ThreatState::kQuarantineFailed:
      return "Quarantine failed: " + row.note;
  }
  return "";
}

ScanWizard::ScanWizard(const scanner::ScanCommandOptions& options, fs::path home)
    : options_(options), home_(std::move(home)) {}

std::string ScanWizard::stepCaption() const {
  switch (step_) {
    case WizardStep::kWelcome:
      return fmt::format("Step 1 of {}: Welcome", kStepCount);
    case WizardStep::kScanning:
      return fmt::format("Step 2 of {}: Scanning", kStepCount);
    case WizardStep::kResults:
      return fmt::format("Step 3 of {}: Results", kStepCount);
    case WizardStep::kFinish:
      return fmt::format("Step 4 of {}: Finish", kStepCount);
  }
  return "";
}

std::vector<std::string> ScanWizard::targetLines() const {
  std::vector<std::string> lines;
  for (const fs::path& root : options_.roots) lines.push_back(platform::toUtf8(root));
  if (lines.empty()) lines.push_back("Nothing to scan: give files or folders on the command line");
  return lines;
}

std::vector<std::string> ScanWizard::serverLines() const {
  const scanner::SmartScanSettings& settings = options_.smartScan;
  std::vector<std::string> lines;
  if (settings.serverUrl) lines.push_back("Smart Scan Server: " + *settings.serverUrl);
  if (settings.globalServerUrl && settings.allowGlobal) {
    lines.push_back("Global Smart Scan Server: " + *settings.globalServerUrl +
                    " (when the Smart Scan Server does not answer)");
  }
  if (settings.globalServerUrl && !settings.allowGlobal) {
    lines.push_back("Global Smart Scan Server: not used (--no-global)");
  }
  if (!settings.configured()) {
    lines.push_back("None is configured, so these files are reported as unresolved.");
  }
  return lines;
}

std::string ScanWizard::homeFolderLine() const {
  return "Logs, reports and quarantined files are kept in " + platform::toUtf8(home_);
}

bool ScanWizard::beginScan() {
  if (step_ != WizardStep::kWelcome && step_ != WizardStep::kFinish) return false;
  if (options_.roots.empty()) return false;

  step_ = WizardStep::kScanning;
  cancelling_ = false;
  progress_.reset();
  conclusion_.reset();
  threats_.clear();
  homeRemoved_ = false;
  statusLine_.clear();
  return true;
}

void ScanWizard::markCancelling() {
  if (step_ == WizardStep::kScanning) cancelling_ = true;
}

void ScanWizard::updateProgress(const scanner::ScanProgressUpdate& update) {
  if (step_ == WizardStep::kScanning) progress_ = update;
}

ScanningFigures ScanWizard::scanningFigures() const {
  const scanner::ScanProgressUpdate update = progress_.value_or(scanner::ScanProgressUpdate{});
  ScanningFigures figures;
  if (cancelling_) {
    figures.status = "Cancelling: waiting for the files being read to finish";
  } else if (!progress_) {
    figures.status =
        "Preparing: loading the Smart Scan Agent Pattern and checking the Smart Scan Servers";
  } else {
    figures.status = "Scanning";
  }
  figures.currentFile = update.currentPath;
  figures.filesScanned = std::to_string(update.progress.files);
  figures.threatsFound = std::to_string(update.counts.infected);
  figures.notScanned = std::to_string(update.counts.notScanned);
  figures.dataRead = scanner::formatBytes(update.progress.bytes);
  figures.elapsed = formatElapsed(update.elapsed);
  return figures;
}

void ScanWizard::completeScan(ScanConclusion conclusion) {
  if (step_ != WizardStep::kScanning) return;

  conclusion_ = std::move(conclusion);
  cancelling_ = false;
  const std::optional<scanner::ScanReport>& report = conclusion_->report;
  if (!report || report->outcome == scanner::ScanOutcome::kNotStarted) {
    step_ = WizardStep::kFinish;
    return;
  }
  buildThreatRows(*report);
  step_ = WizardStep::kResults;
}

void ScanWizard::buildThreatRows(const scanner::ScanReport& report) {
  // One row per file on disk. Members arrive before their archive, so the first
  // infected object of a file names the member. The archive's own result carries
  // the digest with which quarantine checks that the file was not replaced.
  std::map<fs::path, std::size_t> rowOfFile;
  for (const ScanResult& result : report.findings) {
    if (result.verdict != Verdict::kInfected) continue;
    auto [slot, inserted] = rowOfFile.try_emplace(result.file, threats_.size());
    if (inserted) threats_.push_back({result.path, result.threatName, result.file, {}, {}, {}});
    ThreatRow& row = threats_[slot->second];
    if (!row.scannedDigest) row.scannedDigest = scannedDigestOf(result);
  }

  // With --action quarantine the scan itself has acted already.
  for (const scanner::QuarantineAction& action : report.actions) {
    auto row = rowOfFile.find(action.file);
    if (row == rowOfFile.end()) continue;
    ThreatRow& threat = threats_[row->second];
    threat.state = action.quarantineId ? ThreatState::kQuarantined : ThreatState::kQuarantineFailed;
    threat.note = action.quarantineId ? *action.quarantineId : action.error.message();
  }
}

std::string ScanWizard::resultsHeadline() const {
  if (threats_.empty()) return "No threats found.";
  if (threats_.size() == 1) return "Threats found in 1 file.";
  return fmt::format("Threats found in {} files.", threats_.size());
}

std::vector<std::string> ScanWizard::resultsNotes() const {
  std::vector<std::string> notes;
  if (!conclusion_ || !conclusion_->report) return notes;
  const scanner::ScanReport& report = *conclusion_->report;

  if (report.outcome == scanner::ScanOutcome::kCancelled) {
    notes.push_back("The scan was cancelled, so files it had not reached were not checked.");
  }
  if (report.summary.unresolved > 0) {
    notes.push_back(formatCount(report.summary.unresolved, "object", "objects") +
                    " could not be decided without a Smart Scan Server (unresolved).");
  }
  if (report.bypassed > 0) {
    notes.push_back(formatCount(report.bypassed, "object was", "objects were") +
                    " bypassed because no Smart Scan Server answered.");
  }
  if (report.summary.notScanned > 0) {
    notes.push_back(formatCount(report.summary.notScanned, "object", "objects") +
                    " could not be scanned (locked, access denied or over a limit). report.json "
                    "in the session folder lists them.");
  }
  return notes;
}

std::vector<scanner::QuarantineRequest> ScanWizard::quarantineRequests(
    const std::vector<std::size_t>& rows) const {
  std::vector<scanner::QuarantineRequest> requests;
  for (const std::size_t index : rows) {
    if (index >= threats_.size()) continue;
    const ThreatRow& row = threats_[index];
    if (row.state == ThreatState::kQuarantined) continue;
    requests.push_back({row.file, row.threatName, row.path, {}, row.scannedDigest});
  }
  return requests;
}

void ScanWizard::applyQuarantine(const QuarantineBatch& batch) {
  std::size_t moved = 0;
  for (const QuarantineOutcome& outcome : batch.outcomes) {
    if (outcome.entry.ok()) ++moved;
    for (ThreatRow& row : threats_) {
      if (row.file != outcome.file) continue;
      row.state = outcome.entry.ok() ? ThreatState::kQuarantined : ThreatState::kQuarantineFailed;
      row.note = outcome.entry.ok() ? outcome.entry->id : outcome.entry.status().message();
    }
  }

  statusLine_ = fmt::format("Quarantined {} of {}.", moved,
                            formatCount(batch.outcomes.size(), "file", "files"));
  if (moved < batch.outcomes.size()) statusLine_ += " The Action column shows why a file failed.";
  if (!batch.sessionId.empty()) statusLine_ += " Logged in session " + batch.sessionId + ".";
}

std::string ScanWizard::removalWarning() const {
  return "Remove the HCEXEC folder " + platform::toUtf8(home_) +
         "?\n\nThis deletes everything odscan keeps on this computer: the logs and reports of "
         "this scan and of earlier scans, the quarantined files (they can no longer be "
         "restored), and the downloaded pattern. A later scan downloads the files again.";
}

void ScanWizard::applyHomeRemoval(const HomeRemoval& removal) {
  if (removal.status.ok()) {
    homeRemoved_ = true;
    statusLine_ = "Removed " + platform::toUtf8(removal.folder) +
                  " with the logs, reports and quarantined files in it.";
    return;
  }
  statusLine_ = "Could not remove HCEXEC: " + removal.status.message();
}

std::optional<fs::path> ScanWizard::sessionFolder() const {
  if (homeRemoved_ || !conclusion_ || !conclusion_->report) return std::nullopt;
  return conclusion_->report->sessionFolder;
}

std::string ScanWizard::scanSessionId() const {
  if (!conclusion_ || !conclusion_->report) return "";
  return conclusion_->report->sessionId;
}

bool ScanWizard::showFinish() {
  if (step_ != WizardStep::kResults) return false;
  step_ = WizardStep::kFinish;
  return true;
}

std::string ScanWizard::finishHeadline() const {
  if (!conclusion_ || !conclusion_->report ||
      conclusion_->report->outcome == scanner::ScanOutcome::kNotStarted) {
    return "The scan did not start.";
  }
  if (conclusion_->report->outcome == scanner::ScanOutcome::kCancelled) {
    return "The scan was cancelled.";
  }
  return "The scan is complete.";
}

std::string ScanWizard::notStartedReason() const {
  if (!conclusion_) return "";
  if (conclusion_->report && !conclusion_->report->errors.empty()) {
    return conclusion_->report->errors.front().message();
  }
  const std::string line = lastErrorLine(conclusion_->errorOutput);
  return line.empty() ? "No reason was recorded." : line;
}

std::vector<std::string> ScanWizard::finishLines() const {
  std::vector<std::string> lines;
  if (!conclusion_) return lines;
  const std::optional<scanner::ScanReport>& report = conclusion_->report;
  if (!report || report->outcome == scanner::ScanOutcome::kNotStarted) {
    lines.push_back(notStartedReason());
  } else {
    std::size_t quarantined = 0;
    for (const ThreatRow& row : threats_) {
      if (row.state == ThreatState::kQuarantined) ++quarantined;
    }
    lines.push_back(fmt::format("Files scanned: {} ({} in {})", report->filesScanned,
                                scanner::formatBytes(report->summary.bytes),
                                formatElapsed(report->summary.elapsed)));
    lines.push_back("Files with threats: " + std::to_string(threats_.size()));
    lines.push_back(fmt::format("Files quarantined: {} of {}", quarantined, threats_.size()));
    if (report->summary.notScanned > 0) {
      lines.push_back("Objects not scanned: " + std::to_string(report->summary.notScanned));
    }
  }

  if (const auto folder = sessionFolder()) {
    lines.push_back("Session folder (scan.log, events.jsonl, report.json): " +
                    platform::toUtf8(*folder));
  } else if (homeRemoved_) {
    lines.push_back("The HCEXEC folder was removed, with the logs of this scan.");
  }
  return lines;
}

int ScanWizard::exitCode() const {
  return conclusion_ ? conclusion_->exitCode : static_cast<int>(scanner::ExitCode::kError);
}

}  // namespace odscan::gui
