// CommandScanJobs: the real ScanJobs. A scan is one runScanCommand() call, the
// same code path as `odscan scan`, so the window's scan writes the same session
// files and report. Its console output is kept only to explain a run that ended
// without a report, because scan.log has the same lines.
//
// Ownership: keeps its own copy of the options.
// Thread safety: one call at a time, which ScanWorker guarantees.
#pragma once

#include "odscan/gui/scan_jobs.h"
#include "odscan/scanner/home_folder.h"
#include "odscan/scanner/scan_command.h"

namespace odscan::gui {

class CommandScanJobs : public ScanJobs {
 public:
  explicit CommandScanJobs(scanner::ScanCommandOptions options);

  ScanConclusion runScan(const std::atomic<bool>& cancel,
                         const ProgressCallback& progress) override;
  QuarantineBatch quarantine(const std::vector<scanner::QuarantineRequest>& requests,
                             const std::string& scanSessionId) override;
  HomeRemoval removeHome() override;

  const scanner::ScanCommandOptions& options() const { return options_; }
  const scanner::HomeFolder& home() const { return home_; }

 private:
  scanner::ScanCommandOptions options_;
  scanner::HomeFolder home_;
};

}  // namespace odscan::gui
