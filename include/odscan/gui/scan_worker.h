// ScanWorker: runs the jobs of ScanJobs on a background thread, one at a time, so
// the window's thread does not wait for files, disks or servers. Progress and each
// job's outcome go to a ScanListener.
//
// Ownership: refers to the jobs and the listener it is given; both must outlive
// the worker. The destructor cancels a running scan and waits for the job to end.
// Thread safety: call the start, cancel and wait methods from one thread (the
// window's). The listener is called on the worker thread, so a window passes each
// call on to its own thread (PostMessage) instead of touching controls.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "odscan/gui/scan_jobs.h"

namespace odscan::gui {

class ScanListener {
 public:
  virtual ~ScanListener() = default;

  virtual void onScanProgress(const scanner::ScanProgressUpdate& update) = 0;
  // The last call of a scan job.
  virtual void onScanFinished(ScanConclusion conclusion) = 0;
  virtual void onQuarantineFinished(QuarantineBatch batch) = 0;
  virtual void onHomeRemoved(HomeRemoval removal) = 0;
};

class ScanWorker {
 public:
  ScanWorker(ScanJobs& jobs, ScanListener& listener) : jobs_(jobs), listener_(listener) {}
  ~ScanWorker();
  ScanWorker(const ScanWorker&) = delete;
  ScanWorker& operator=(const ScanWorker&) = delete;

  // Returns true while a job runs. It turns false just before the job's outcome
  // reaches the listener, so the thread that the listener hands the outcome to can
  // start the next job at once. A listener call must not start a job itself,
  // because starting one waits for the previous job's thread to end.
  bool busy() const { return busy_.load(); }

  // Each start method returns false, and starts nothing, while a job runs.
  bool startScan();
  bool startQuarantine(std::vector<scanner::QuarantineRequest> requests, std::string scanSessionId);
  bool startHomeRemoval();

  // Asks a running scan to stop soon. Its outcome still reaches the listener.
  void cancelScan() { cancel_.store(true); }

  // Blocks until the running job, and its call to the listener, have ended.
  void wait();

 private:
  bool launch(std::function<void()> job);

  ScanJobs& jobs_;
  ScanListener& listener_;
  std::atomic<bool> busy_{false};
  std::atomic<bool> cancel_{false};
  std::thread thread_;
};

}  // namespace odscan::gui
