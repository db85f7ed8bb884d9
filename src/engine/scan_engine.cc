#include "odscan/engine/scan_engine.h"

#include <algorithm>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>

#include "file_scanner.h"
#include "scan_context.h"
#include "tree_walker.h"
#include "work_queue.h"

namespace odscan {
namespace {

// Files queued ahead of the workers: enough to cover a slow folder listing,
// bounded so a huge tree does not sit in memory as path strings.
constexpr std::size_t kQueueCapacity = 8192;

unsigned workerCount(unsigned requested) {
  if (requested != 0) return requested;
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

struct ScanEngine::Impl {
  std::shared_ptr<const AgentPattern> pattern;
  ScanOptions options;
  std::atomic<bool> cancelRequested{false};
  engine::ProgressCounters progress;

  // Guards `queue`, so cancel() can wake the threads of the running scan.
  std::mutex queueMutex;
  engine::WorkQueue* queue = nullptr;

  void runWorkers(engine::ScanContext& context, engine::WorkQueue& queue,
                  std::vector<engine::ScanCounters>& counters, std::vector<std::thread>& threads);
};

ScanEngine::ScanEngine(std::shared_ptr<const AgentPattern> pattern, ScanOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->pattern = std::move(pattern);
  impl_->options = std::move(options);
}

ScanEngine::~ScanEngine() = default;

ScanSummary ScanEngine::scan(const std::vector<std::filesystem::path>& roots, ScanSink& sink) {
  const auto start = std::chrono::steady_clock::now();
  impl_->cancelRequested.store(false);
  impl_->progress.files.store(0);
  impl_->progress.bytes.store(0);

  engine::ScanContext context{*impl_->pattern, impl_->options, sink, impl_->cancelRequested,
                              impl_->progress};
  engine::WorkQueue queue(kQueueCapacity);
  {
    std::lock_guard lock(impl_->queueMutex);
    impl_->queue = &queue;
  }

  // Start the workers, each with its own counters; the walker has its own too.
  const unsigned workers = workerCount(impl_->options.threads);
  std::vector<engine::ScanCounters> counters(workers + 1);
  std::vector<std::thread> threads;
  impl_->runWorkers(context, queue, counters, threads);

  // Walk on this thread. Without any worker, the walker scans each file itself.
  std::unique_ptr<engine::FileScanner> inlineScanner;
  if (threads.empty()) inlineScanner = std::make_unique<engine::FileScanner>(context, counters[0]);
  engine::TreeWalker walker(context, counters[workers], queue, inlineScanner.get());
  walker.walk(roots);
  queue.finish();
  for (std::thread& thread : threads) thread.join();
  {
    std::lock_guard lock(impl_->queueMutex);
    impl_->queue = nullptr;
  }

  ScanSummary summary;
  for (const engine::ScanCounters& tally : counters) tally.addTo(summary);
  summary.cancelled = impl_->cancelRequested.load();
  if (summary.cancelled) {
    engine::ResultReporter reporter(sink, counters[workers]);
    reporter.event(ScanEvent::Kind::kCancelled, "", "the scan was cancelled before it finished");
  }
  summary.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  return summary;
}

void ScanEngine::Impl::runWorkers(engine::ScanContext& context, engine::WorkQueue& workQueue,
                                  std::vector<engine::ScanCounters>& counters,
                                  std::vector<std::thread>& threads) {
  const std::size_t workers = counters.size() - 1;
  threads.reserve(workers);
  for (std::size_t i = 0; i < workers; ++i) {
    try {
      threads.emplace_back([&context, &workQueue, &tally = counters[i]] {
        engine::FileScanner scanner(context, tally);
        while (std::optional<engine::WorkItem> item = workQueue.pop()) scanner.scan(*item);
      });
    } catch (const std::system_error&) {
      // The system refused another thread: scan with the ones already started.
      break;
    }
  }
}

ScanProgress ScanEngine::progress() const {
  ScanProgress progress;
  progress.files = impl_->progress.files.load(std::memory_order_relaxed);
  progress.bytes = impl_->progress.bytes.load(std::memory_order_relaxed);
  return progress;
}

void ScanEngine::cancel() {
  impl_->cancelRequested.store(true);
  std::lock_guard lock(impl_->queueMutex);
  if (impl_->queue != nullptr) impl_->queue->cancel();
}

}  // namespace odscan
