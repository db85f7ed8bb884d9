#include "work_queue.h"

#include <utility>

namespace odscan::engine {

void WorkQueue::pushBatch(std::vector<WorkItem>& batch) {
  if (batch.empty()) return;
  bool wakeWorkers = false;
  {
    std::unique_lock lock(mutex_);
    if (items_.size() >= capacity_) {
      producerWaiting_ = true;
      notFull_.wait(lock, [this] { return cancelled_ || items_.size() <= capacity_ / 2; });
      producerWaiting_ = false;
    }
    if (!cancelled_) {
      for (WorkItem& item : batch) items_.push_back(std::move(item));
    }
    wakeWorkers = idleWorkers_ > 0;
  }
  batch.clear();
  if (wakeWorkers) notEmpty_.notify_all();
}

std::optional<WorkItem> WorkQueue::pop() {
  std::optional<WorkItem> item;
  bool wakeProducer = false;
  {
    std::unique_lock lock(mutex_);
    while (!cancelled_ && !finished_ && items_.empty()) {
      ++idleWorkers_;
      notEmpty_.wait(lock);
      --idleWorkers_;
    }
    if (cancelled_ || items_.empty()) return std::nullopt;
    item.emplace(std::move(items_.front()));
    items_.pop_front();
    wakeProducer = producerWaiting_ && items_.size() <= capacity_ / 2;
  }
  if (wakeProducer) notFull_.notify_one();
  return item;
}

void WorkQueue::finish() {
  {
    std::lock_guard lock(mutex_);
    finished_ = true;
  }
  notEmpty_.notify_all();
}

void WorkQueue::cancel() {
  {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    items_.clear();
  }
  notEmpty_.notify_all();
  notFull_.notify_all();
}

}  // namespace odscan::engine
