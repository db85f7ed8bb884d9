// WorkQueue: the bounded queue between the walker and the worker threads. The
// walker is the only producer and pushes in batches, taking the lock once per
// batch. Workers pop one file at a time, so a large file does not hold back a
// batch of others.
//
// A full queue blocks the walker until it is half empty, and a thread is woken
// only when it waits. Otherwise every pop would wake the walker for one more
// batch, and those context switches cost more than hashing a small file.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace odscan::engine {

struct WorkItem {
  std::string path;  // UTF-8
  bool followSymlink = false;
};

class WorkQueue {
 public:
  explicit WorkQueue(std::size_t capacity) : capacity_(capacity) {}

  // Moves every item of `batch` into the queue and clears it, waiting while the
  // queue is full. Drops the items when the queue was cancelled. Meant for one
  // producer thread.
  void pushBatch(std::vector<WorkItem>& batch);

  // Returns the next item, waiting while the queue is empty; nullopt once finish()
  // or cancel() was called and nothing is left.
  std::optional<WorkItem> pop();

  // No more items will be pushed; workers drain what is queued and stop.
  void finish();

  // Drops queued items and wakes every waiting thread.
  void cancel();

 private:
  const std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable notEmpty_;
  std::condition_variable notFull_;
  std::deque<WorkItem> items_;
  std::size_t idleWorkers_ = 0;
  bool producerWaiting_ = false;
  bool finished_ = false;
  bool cancelled_ = false;
};

}  // namespace odscan::engine
