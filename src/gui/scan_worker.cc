#include "odscan/gui/scan_worker.h"

#include <system_error>
#include <utility>

namespace odscan::gui {

ScanWorker::~ScanWorker() {
  cancelScan();
  wait();
}

bool ScanWorker::startScan() {
  return launch([this] {
    ScanConclusion conclusion = jobs_.runScan(
        cancel_,
        [this](const scanner::ScanProgressUpdate& update) { listener_.onScanProgress(update); });
    busy_.store(false);
    listener_.onScanFinished(std::move(conclusion));
  });
}

bool ScanWorker::startQuarantine(std::vector<scanner::QuarantineRequest> requests,
                                 std::string scanSessionId) {
  return launch([this, requests = std::move(requests), scanSessionId = std::move(scanSessionId)] {
    QuarantineBatch batch = jobs_.quarantine(requests, scanSessionId);
    busy_.store(false);
    listener_.onQuarantineFinished(std::move(batch));
  });
}

bool ScanWorker::startHomeRemoval() {
  return launch([this] {
    HomeRemoval removal = jobs_.removeHome();
    busy_.store(false);
    listener_.onHomeRemoved(std::move(removal));
  });
}

void ScanWorker::wait() {
  if (thread_.joinable()) thread_.join();
}

bool ScanWorker::launch(std::function<void()> job) {
  if (busy_.load()) return false;

  // A finished job's thread may still be inside its listener call; that call only
  // hands the outcome over, so joining here is short.
  wait();
  busy_.store(true);
  cancel_.store(false);
  try {
    thread_ = std::thread(std::move(job));
  } catch (const std::system_error&) {
    // The system has no thread to spare; the caller shows that the job did not start.
    busy_.store(false);
    return false;
  }
  return true;
}

}  // namespace odscan::gui
