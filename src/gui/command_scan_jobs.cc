#include "odscan/gui/command_scan_jobs.h"

#include <sstream>
#include <utility>

#include "odscan/gui/home_removal.h"
#include "odscan/gui/quarantine_selection.h"

namespace odscan::gui {
namespace {

// Passes progress on and keeps a copy of the report for the window.
class ReportCollector : public scanner::ScanObserver {
 public:
  explicit ReportCollector(const ScanJobs::ProgressCallback& progress) : progress_(progress) {}

  void onProgress(const scanner::ScanProgressUpdate& update) override {
    if (progress_) progress_(update);
  }

  void onReport(const scanner::ScanReport& report, scanner::ExitCode) override { report_ = report; }

  std::optional<scanner::ScanReport> takeReport() { return std::move(report_); }

 private:
  const ScanJobs::ProgressCallback& progress_;
  std::optional<scanner::ScanReport> report_;
};

}  // namespace

CommandScanJobs::CommandScanJobs(scanner::ScanCommandOptions options)
    : options_(std::move(options)),
      home_(options_.home.value_or(scanner::HomeFolder::defaultRoot())) {}

ScanConclusion CommandScanJobs::runScan(const std::atomic<bool>& cancel,
                                        const ProgressCallback& progress) {
  std::ostringstream out;
  std::ostringstream err;
  ReportCollector collector(progress);
  scanner::CommandIo io{out, err, false, &cancel, &collector};

  ScanConclusion conclusion;
  conclusion.exitCode = scanner::runScanCommand(options_, io);
  conclusion.report = collector.takeReport();
  conclusion.errorOutput = err.str();
  return conclusion;
}

QuarantineBatch CommandScanJobs::quarantine(const std::vector<scanner::QuarantineRequest>& requests,
                                            const std::string& scanSessionId) {
  return quarantineSelection(home_, requests, scanSessionId);
}

HomeRemoval CommandScanJobs::removeHome() { return {home_.root(), removeHomeFolder(home_.root())}; }

}  // namespace odscan::gui
