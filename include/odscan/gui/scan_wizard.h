// ScanWizard: the state and the texts of the scanner's window, with no window in
// it. ScanWindow shows what the wizard returns and hands it each user action and
// each outcome of the background jobs, so tests can drive every step without a
// window.
//
// The steps are welcome, scanning, results and finish. A run that stops before
// scanning any file (no pattern, no Smart Scan Server reachable, too little disk
// space) goes from scanning straight to finish, which shows the reason. From finish,
// beginScan() starts another scan.
//
// Every text is UTF-8.
// Thread safety: none; the window's thread owns the wizard.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "odscan/common/digest.h"
#include "odscan/gui/scan_jobs.h"
#include "odscan/scanner/quarantine_store.h"
#include "odscan/scanner/scan_command.h"
#include "odscan/scanner/scan_observer.h"

namespace odscan::gui {

enum class WizardStep { kWelcome, kScanning, kResults, kFinish };

enum class ThreatState { kFound, kQuarantined, kQuarantineFailed };

// One infected file on disk, as the results step lists it.
struct ThreatRow {
  // The first infected object found in the file: the file itself, or
  // `file!member` for a threat inside an archive.
  std::string path;
  std::string threatName;
  // The file on disk that quarantine moves (the outermost archive for members).
  std::filesystem::path file;
  // The file's digest at scan time, when the scan computed one. Quarantine
  // rejects a file that no longer matches it.
  std::optional<Digest> scannedDigest;
  ThreatState state = ThreatState::kFound;
  std::string note;  // the quarantine id, or why quarantine failed
};

// Returns the results list's action column for `row`, for example
// "Quarantine (proposed)" or "Quarantined as 1a2b3c4d".
std::string actionText(const ThreatRow& row);

// The figures of the scanning step.
struct ScanningFigures {
  std::string status;       // what the scan does now
  std::string currentFile;  // empty until a file has finished
  std::string filesScanned;
  std::string threatsFound;
  std::string notScanned;
  std::string dataRead;  // for example "12.3 MiB"
  std::string elapsed;   // minutes and seconds, for example "1:05"
};

class ScanWizard {
 public:
  // `options` are the settings of the scan the window runs; `home` is the HCEXEC
  // folder it uses.
  ScanWizard(const scanner::ScanCommandOptions& options, std::filesystem::path home);

  WizardStep step() const { return step_; }
  // Returns the caption of the current step, for example "Step 2 of 4: Scanning".
  std::string stepCaption() const;

  // Welcome: what will be scanned, which servers decide unknown files, and where
  // logs are kept.
  std::vector<std::string> targetLines() const;
  std::vector<std::string> serverLines() const;
  std::string homeFolderLine() const;

  // Moves from welcome or finish to scanning. Returns false in the other steps.
  bool beginScan();
  // Records that the user asked to cancel; the scan's outcome still arrives.
  void markCancelling();
  bool cancelling() const { return cancelling_; }
  void updateProgress(const scanner::ScanProgressUpdate& update);
  ScanningFigures scanningFigures() const;

  // Moves from scanning to results, or to finish when the scan did not start.
  void completeScan(ScanConclusion conclusion);

  // Results.
  const std::vector<ThreatRow>& threats() const { return threats_; }
  std::string resultsHeadline() const;
  // Notes on objects that were not decided and on a cancelled scan.
  std::vector<std::string> resultsNotes() const;
  // Returns the requests for the rows at `rows` (indexes into threats()) that are
  // not quarantined yet; out-of-range indexes are ignored.
  std::vector<scanner::QuarantineRequest> quarantineRequests(
      const std::vector<std::size_t>& rows) const;
  void applyQuarantine(const QuarantineBatch& batch);
  // Returns the question that confirms "Remove HCEXEC".
  std::string removalWarning() const;
  void applyHomeRemoval(const HomeRemoval& removal);
  // The outcome of the last quarantine or removal, for the status line.
  const std::string& statusLine() const { return statusLine_; }

  // The scan's session folder; unset before a scan has one and after HCEXEC was
  // removed.
  std::optional<std::filesystem::path> sessionFolder() const;
  // The scan's session id; empty before a scan has one.
  std::string scanSessionId() const;

  // Moves from results to finish. Returns false in the other steps.
  bool showFinish();
  std::string finishHeadline() const;
  std::vector<std::string> finishLines() const;

  // Returns the exit code of the last scan as `odscan scan` defines it, or 2 when
  // no scan has finished.
  int exitCode() const;

 private:
  void buildThreatRows(const scanner::ScanReport& report);
  std::string notStartedReason() const;

  scanner::ScanCommandOptions options_;
  std::filesystem::path home_;
  WizardStep step_ = WizardStep::kWelcome;

  bool cancelling_ = false;
  std::optional<scanner::ScanProgressUpdate> progress_;

  std::optional<ScanConclusion> conclusion_;
  std::vector<ThreatRow> threats_;
  bool homeRemoved_ = false;
  std::string statusLine_;
};

}  // namespace odscan::gui
