#include "odscan/gui/scan_worker.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace odscan::gui {
namespace {

using std::chrono::milliseconds;

// Jobs whose scan reports progress until it is cancelled or released.
class FakeJobs : public ScanJobs {
 public:
  ScanConclusion runScan(const std::atomic<bool>& cancel,
                         const ProgressCallback& progress) override {
    scanner::ScanProgressUpdate update;
    while (!cancel.load() && !released_.load()) {
      ++update.progress.files;
      progress(update);
      std::this_thread::sleep_for(milliseconds(2));
    }
    ScanConclusion conclusion;
    conclusion.exitCode = cancel.load() ? 2 : 0;
    return conclusion;
  }

  QuarantineBatch quarantine(const std::vector<scanner::QuarantineRequest>& requests,
                             const std::string& scanSessionId) override {
    QuarantineBatch batch;
    batch.sessionId = scanSessionId;
    for (const auto& request : requests) {
      batch.outcomes.push_back({request.file, scanner::QuarantineEntry{}});
    }
    return batch;
  }

  HomeRemoval removeHome() override { return {"/tmp/HCEXEC", Status::success()}; }

  void release() { released_.store(true); }

 private:
  std::atomic<bool> released_{false};
};

// Records what the worker reports and lets the test wait for an outcome.
class RecordingListener : public ScanListener {
 public:
  void onScanProgress(const scanner::ScanProgressUpdate& update) override {
    std::lock_guard lock(mutex_);
    lastFiles_ = update.progress.files;
    changed_.notify_all();
  }
  void onScanFinished(ScanConclusion conclusion) override {
    record([&] { exitCode_ = conclusion.exitCode; });
  }
  void onQuarantineFinished(QuarantineBatch batch) override {
    record([&] { quarantined_ = batch.outcomes.size(); });
  }
  void onHomeRemoved(HomeRemoval removal) override {
    record([&] { removedFolder_ = removal.folder; });
  }

  // Waits up to 10 s for `count` outcomes in total.
  bool waitForOutcomes(int count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(10), [&] { return outcomes_ >= count; });
  }

  bool waitForProgress() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(10), [&] { return lastFiles_ > 0; });
  }

  int exitCode() {
    std::lock_guard lock(mutex_);
    return exitCode_;
  }
  std::size_t quarantined() {
    std::lock_guard lock(mutex_);
    return quarantined_;
  }
  std::filesystem::path removedFolder() {
    std::lock_guard lock(mutex_);
    return removedFolder_;
  }

 private:
  template <typename Change>
  void record(Change change) {
    std::lock_guard lock(mutex_);
    change();
    ++outcomes_;
    changed_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  int outcomes_ = 0;
  std::uint64_t lastFiles_ = 0;
  int exitCode_ = -1;
  std::size_t quarantined_ = 0;
  std::filesystem::path removedFolder_;
};

TEST(ScanWorkerTest, ScanProgressReachesListener) {
  FakeJobs jobs;
  RecordingListener listener;
  ScanWorker worker(jobs, listener);
  ASSERT_TRUE(worker.startScan());
  EXPECT_TRUE(listener.waitForProgress());
  jobs.release();
  EXPECT_TRUE(listener.waitForOutcomes(1));
}

TEST(ScanWorkerTest, ScanOutcomeReachesListener) {
  FakeJobs jobs;
  RecordingListener listener;
  ScanWorker worker(jobs, listener);
  jobs.release();
  ASSERT_TRUE(worker.startScan());
  ASSERT_TRUE(listener.waitForOutcomes(1));
  EXPECT_EQ(listener.exitCode(), 0);
}

TEST(ScanWorkerTest, CancelStopsScan) {
  FakeJobs jobs;
  RecordingListener listener;
  ScanWorker worker(jobs, listener);
  ASSERT_TRUE(worker.startScan());
  ASSERT_TRUE(listener.waitForProgress());
  worker.cancelScan();
  ASSERT_TRUE(listener.waitForOutcomes(1));
  EXPECT_EQ(listener.exitCode(), 2);
}

TEST(ScanWorkerTest, NotBusyOnceOutcomeArrived) {
  FakeJobs jobs;
  RecordingListener listener;
  ScanWorker worker(jobs, listener);
  jobs.release();
  ASSERT_TRUE(worker.startScan());
  ASSERT_TRUE(listener.waitForOutcomes(1));
  EXPECT_FALSE(worker.busy());
}

TEST(ScanWorkerTest, QuarantineOutcomeReachesListener) {
  FakeJobs jobs;
  RecordingListener listener;
  ScanWorker worker(jobs, listener);
  scanner::QuarantineRequest request;
  request.file = "/tmp/eicar.com";
  ASSERT_TRUE(worker.startQuarantine({request, request}, "1a2b3c4d"));
  ASSERT_TRUE(listener.waitForOutcomes(1));
  EXPECT_EQ(listener.quarantined(), 2u);
}

TEST(ScanWorkerTest, HomeRemovalOutcomeReachesListener) {
  FakeJobs jobs;
  RecordingListener listener;
  ScanWorker worker(jobs, listener);
  ASSERT_TRUE(worker.startHomeRemoval());
  ASSERT_TRUE(listener.waitForOutcomes(1));
  EXPECT_EQ(listener.removedFolder(), std::filesystem::path("/tmp/HCEXEC"));
}

TEST(ScanWorkerTest, JobsRunOneAfterAnother) {
  FakeJobs jobs;
  RecordingListener listener;
  ScanWorker worker(jobs, listener);
  jobs.release();
  ASSERT_TRUE(worker.startScan());
  ASSERT_TRUE(listener.waitForOutcomes(1));
  ASSERT_TRUE(worker.startHomeRemoval());
  EXPECT_TRUE(listener.waitForOutcomes(2));
}

TEST(ScanWorkerTest, DestructorCancelsRunningScan) {
  FakeJobs jobs;
  RecordingListener listener;
  {
    ScanWorker worker(jobs, listener);
    ASSERT_TRUE(worker.startScan());
    ASSERT_TRUE(listener.waitForProgress());
  }
  EXPECT_EQ(listener.exitCode(), 2);
}

// ---- error paths ----

TEST(ScanWorkerTest, SecondJobIsRejectedWhileBusy) {
  FakeJobs jobs;
  RecordingListener listener;
  ScanWorker worker(jobs, listener);
  ASSERT_TRUE(worker.startScan());
  EXPECT_TRUE(worker.busy());
  EXPECT_FALSE(worker.startScan());
  EXPECT_FALSE(worker.startHomeRemoval());
  jobs.release();
  EXPECT_TRUE(listener.waitForOutcomes(1));
}

TEST(ScanWorkerTest, WaitWithoutJobReturns) {
  FakeJobs jobs;
  RecordingListener listener;
  ScanWorker worker(jobs, listener);
  worker.wait();
  EXPECT_FALSE(worker.busy());
}

}  // namespace
}  // namespace odscan::gui
