#include "odscan/scanner/cloud_scan_sink.h"

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace odscan::scanner {
namespace {

using Clock = std::chrono::steady_clock;

// A digest with the size of the object it belongs to: the unit of a scan query
// and of the session's answer cache.
struct DigestKey {
  Digest digest;
  std::uint64_t size = 0;

  bool operator==(const DigestKey&) const = default;
};

struct DigestKeyHash {
  std::size_t operator()(const DigestKey& key) const {
    // Digest bytes are already uniformly distributed.
    std::uint64_t head = 0;
    std::memcpy(&head, key.digest.bytes.data(), sizeof(head));
    return static_cast<std::size_t>(head ^ (key.size * 0x9e3779b97f4a7c15ull) ^
                                    static_cast<std::uint64_t>(key.digest.kind));
  }
};

struct CachedAnswer {
  bool malicious = false;
  std::string threatName;
  DetectionSource source = DetectionSource::kNone;
};

struct FileGroup;

// One object of a file that needs a scan query, and what its digests got so far.
struct PendingObject {
  std::size_t resultIndex = 0;
  std::vector<DigestKey> keys;
  std::size_t unanswered = 0;
  bool bypassed = false;
  bool malicious = false;
  std::string threatName;
  DetectionSource source = DetectionSource::kNone;
};

// The results of one file on disk, held while some of its objects wait for
// answers.
struct FileGroup {
  std::filesystem::path file;
  std::vector<ScanResult> results;
  std::vector<PendingObject> objects;
  std::size_t unresolvedObjects = 0;
  bool forwarded = false;         // the results went to the reporter
  std::size_t bypassedCount = 0;  // objects now kBypassed, kept for a later query
};

struct Waiter {
  FileGroup* group;
  std::size_t object;
};

DetectionSource sourceOf(query::ServerRole role) {
  return role == query::ServerRole::kSmartScanServer ? DetectionSource::kSmartScanServer
                                                     : DetectionSource::kGlobalSmartScanServer;
}

// Per worker thread: the file whose results this thread is collecting, if any.
// The owner is a sink's serial number rather than its address, which a later sink
// could reuse while a long-lived thread still holds the slot.
struct ThreadSlot {
  std::uint64_t owner = 0;
  FileGroup* group = nullptr;
};
thread_local ThreadSlot tlsSlot;
std::atomic<std::uint64_t> nextSinkSerial{1};

std::size_t digestCount(const FileGroup& group) {
  std::size_t digests = 0;
  for (const PendingObject& object : group.objects) digests += object.keys.size();
  return digests;
}

}  // namespace

class CloudScanSink::Impl {
 public:
  Impl(query::ServerPool& pool, ResultReporter& reporter, Session& session,
       CloudScanOptions options)
      : pool_(pool),
        reporter_(reporter),
        session_(session),
        options_(options),
        serial_(nextSinkSerial.fetch_add(1)) {
    thread_ = std::thread([this] { run(); });
  }

  ~Impl() {
    if (thread_.joinable()) finish();
  }

  void onResult(const ScanResult& result);
  void onEvent(const ScanEvent& event) { reporter_.onEvent(event); }
  CloudStats finish();

 private:
  // Worker side.
  FileGroup* openGroup(const std::filesystem::path& file);
  void submit(FileGroup* group);

  // Query thread.
  void run();
  void ingest(std::unique_ptr<FileGroup> group);
  void enqueueObject(FileGroup* group, std::size_t object);
  bool serversAvailable(bool forceProbe);
  void sendBatch(std::size_t count);
  void bypassBatch(std::size_t count);
  void answerKey(const DigestKey& key, const CachedAnswer* answer);
  void objectDone(FileGroup* group, std::size_t object);
  void finalize(FileGroup* group);
  static void applyObject(const PendingObject& object, ScanResult& result);
  void propagate(FileGroup* group, std::size_t index, bool asUpdates);
  void requeryBypassed();
  void requeriedObjectDone(FileGroup* group, std::size_t object);
  void release(FileGroup* group);
  void freeReleasedGroups();
  void waitForServerAtEnd();
  void logCloudVerdict(const ScanResult& result);

  query::ServerPool& pool_;
  ResultReporter& reporter_;
  Session& session_;
  const CloudScanOptions options_;
  const std::uint64_t serial_;
  std::thread thread_;

  std::mutex mutex_;
  std::condition_variable workReady_;
  std::condition_variable roomReady_;
  std::vector<std::unique_ptr<FileGroup>> open_;  // groups still collecting results
  std::deque<std::unique_ptr<FileGroup>> submitted_;
  std::size_t queuedDigests_ = 0;
  bool finishing_ = false;

  // Owned by the query thread.
  std::unordered_map<FileGroup*, std::unique_ptr<FileGroup>> groups_;
  std::unordered_map<DigestKey, CachedAnswer, DigestKeyHash> cache_;
  std::unordered_map<DigestKey, std::vector<Waiter>, DigestKeyHash> waiting_;
  std::vector<DigestKey> batch_;
  Clock::time_point batchStart_{};
  std::vector<Waiter> bypassed_;
  std::vector<FileGroup*> released_;
  CloudStats stats_;
};

// ---- worker threads ----------------------------------------------------------

void CloudScanSink::Impl::onResult(const ScanResult& result) {
  FileGroup* group = tlsSlot.owner == serial_ ? tlsSlot.group : nullptr;
  if (group != nullptr && group->file != result.file) {
    // The previous file ended without its own result (the scan was cancelled
    // while it was read), so what it has is sent as it is.
    tlsSlot.group = nullptr;
    submit(group);
    group = nullptr;
  }

  bool hasDigest = false;
  for (const auto& digest : result.digests.byKind) hasDigest = hasDigest || digest.has_value();
  const bool needsQuery = result.verdict == Verdict::kUnresolved && hasDigest;
  if (group == nullptr && !needsQuery) {
    reporter_.onResult(result);
    return;
  }

  if (group == nullptr) {
    group = openGroup(result.file);
    tlsSlot = ThreadSlot{serial_, group};
  }
  group->results.push_back(result);
  if (needsQuery) {
    PendingObject& object = group->objects.emplace_back();
    object.resultIndex = group->results.size() - 1;
    for (const auto& digest : result.digests.byKind) {
      if (digest) object.keys.push_back(DigestKey{*digest, result.size});
    }
    object.unanswered = object.keys.size();
    ++group->unresolvedObjects;
  }
  if (result.depth == 0) {
    tlsSlot.group = nullptr;
    submit(group);
  }
}

FileGroup* CloudScanSink::Impl::openGroup(const std::filesystem::path& file) {
  auto group = std::make_unique<FileGroup>();
  group->file = file;
  FileGroup* raw = group.get();
  std::lock_guard lock(mutex_);
  open_.push_back(std::move(group));
  return raw;
}

void CloudScanSink::Impl::submit(FileGroup* group) {
  const std::size_t digests = digestCount(*group);

  std::unique_lock lock(mutex_);
  // Waiting here slows the engine's workers down to the pace of the servers.
  roomReady_.wait(lock, [&] {
    return finishing_ || queuedDigests_ == 0 ||
           queuedDigests_ + digests <= options_.maxQueuedDigests;
  });
  for (auto it = open_.begin(); it != open_.end(); ++it) {
    if (it->get() != group) continue;
    submitted_.push_back(std::move(*it));
    open_.erase(it);
    break;
  }
  queuedDigests_ += digests;
  workReady_.notify_one();
}

CloudStats CloudScanSink::Impl::finish() {
  if (tlsSlot.owner == serial_) tlsSlot = ThreadSlot{};
  {
    std::lock_guard lock(mutex_);
    for (auto& group : open_) submitted_.push_back(std::move(group));
    open_.clear();
    finishing_ = true;
  }
  workReady_.notify_one();
  roomReady_.notify_all();
  if (thread_.joinable()) thread_.join();
  return stats_;
}

// ---- query thread ------------------------------------------------------------

void CloudScanSink::Impl::run() {
  while (true) {
    std::deque<std::unique_ptr<FileGroup>> arrived;
    bool finishing = false;
    {
      std::unique_lock lock(mutex_);
      const auto wait = batch_.empty() ? options_.batchDelay * 10 : options_.batchDelay;
      workReady_.wait_for(lock, wait, [&] { return !submitted_.empty() || finishing_; });
      arrived.swap(submitted_);
      finishing = finishing_;
    }
    for (auto& group : arrived) ingest(std::move(group));

    serversAvailable(false);
    while (batch_.size() >= options_.maxBatch) sendBatch(options_.maxBatch);
    const bool due =
        !batch_.empty() && (finishing || Clock::now() - batchStart_ >= options_.batchDelay);
    if (due) sendBatch(batch_.size());
    freeReleasedGroups();

    if (finishing && batch_.empty()) {
      std::lock_guard lock(mutex_);
      if (submitted_.empty()) break;
    }
  }
  waitForServerAtEnd();
}

void CloudScanSink::Impl::ingest(std::unique_ptr<FileGroup> owned) {
  FileGroup* group = owned.get();
  groups_.emplace(group, std::move(owned));
  if (group->unresolvedObjects == 0) {
    finalize(group);
    return;
  }
  for (std::size_t index = 0; index < group->objects.size(); ++index) enqueueObject(group, index);
}

void CloudScanSink::Impl::enqueueObject(FileGroup* group, std::size_t index) {
  // A copy, because answering from the cache may finish and free the group.
  const std::vector<DigestKey> keys = group->objects[index].keys;
  for (const DigestKey& key : keys) {
    if (auto cached = cache_.find(key); cached != cache_.end()) {
      ++stats_.cacheHits;
      waiting_[key].push_back(Waiter{group, index});
      answerKey(key, &cached->second);
      continue;
    }
    auto [slot, inserted] = waiting_.try_emplace(key);
    slot->second.push_back(Waiter{group, index});
    if (!inserted) continue;
    if (batch_.empty()) batchStart_ = Clock::now();
    batch_.push_back(key);
  }
}

// Returns false while the pool is offline. When its probe finds a server again,
// the bypassed objects are queued once more before it returns true.
bool CloudScanSink::Impl::serversAvailable(bool forceProbe) {
  if (!pool_.offline()) return true;
  if (!pool_.probe(forceProbe)) return false;
  requeryBypassed();
  return true;
}

void CloudScanSink::Impl::sendBatch(std::size_t count) {
  if (!serversAvailable(false)) {
    bypassBatch(count);
    return;
  }
  protocol::QueryRequest request;
  request.items.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    request.items.push_back(protocol::QueryItem{batch_[i].digest, batch_[i].size});
  }

  Result<query::PoolAnswer> answer = pool_.query(request);
  if (!answer.ok()) {
    bypassBatch(count);
    return;
  }
  ++stats_.queries;
  stats_.digests += count;
  const DetectionSource source = sourceOf(answer->role);
  std::vector<DigestKey> keys(batch_.begin(), batch_.begin() + static_cast<std::ptrdiff_t>(count));
  batch_.erase(batch_.begin(), batch_.begin() + static_cast<std::ptrdiff_t>(count));
  if (!batch_.empty()) batchStart_ = Clock::now();

  for (std::size_t i = 0; i < keys.size(); ++i) {
    const protocol::QueryResult& result = answer->response.results[i];
    CachedAnswer& cached = cache_[keys[i]];
    cached.malicious = result.verdict == protocol::QueryVerdict::kMalicious;
    cached.threatName = result.threatName;
    cached.source = source;
    answerKey(keys[i], &cached);
  }
}

void CloudScanSink::Impl::bypassBatch(std::size_t count) {
  std::vector<DigestKey> keys(batch_.begin(), batch_.begin() + static_cast<std::ptrdiff_t>(count));
  batch_.erase(batch_.begin(), batch_.begin() + static_cast<std::ptrdiff_t>(count));
  if (!batch_.empty()) batchStart_ = Clock::now();
  for (const DigestKey& key : keys) answerKey(key, nullptr);
}

// Gives every object waiting for `key` its answer; a null answer means bypassed.
void CloudScanSink::Impl::answerKey(const DigestKey& key, const CachedAnswer* answer) {
  auto found = waiting_.find(key);
  if (found == waiting_.end()) return;
  std::vector<Waiter> waiters = std::move(found->second);
  waiting_.erase(found);

  for (const Waiter& waiter : waiters) {
    PendingObject& object = waiter.group->objects[waiter.object];
    if (answer == nullptr) {
      object.bypassed = true;
    } else if (answer->malicious && !object.malicious) {
      object.malicious = true;
      object.threatName = answer->threatName;
      object.source = answer->source;
    } else if (!object.malicious) {
      object.source = answer->source;
    }
    if (--object.unanswered == 0) objectDone(waiter.group, waiter.object);
  }
}

void CloudScanSink::Impl::objectDone(FileGroup* group, std::size_t object) {
  if (group->forwarded) {
    requeriedObjectDone(group, object);
    return;
  }
  if (--group->unresolvedObjects == 0) finalize(group);
}

void CloudScanSink::Impl::applyObject(const PendingObject& object, ScanResult& result) {
  if (object.malicious) {
    result.verdict = Verdict::kInfected;
    result.threatName = object.threatName;
    result.source = object.source;
  } else if (object.bypassed) {
    result.verdict = Verdict::kBypassed;
    result.source = DetectionSource::kNone;
    result.detail = "no Smart Scan Server answered the scan query";
  } else {
    result.verdict = Verdict::kClean;
    result.source = object.source;
  }
}

void CloudScanSink::Impl::finalize(FileGroup* group) {
  for (std::size_t index = 0; index < group->objects.size(); ++index) {
    PendingObject& object = group->objects[index];
    ScanResult& result = group->results[object.resultIndex];
    applyObject(object, result);
    logCloudVerdict(result);
    if (result.verdict == Verdict::kBypassed) {
      ++group->bypassedCount;
      ++stats_.bypassed;
      bypassed_.push_back(Waiter{group, index});
    }
  }
  for (const PendingObject& object : group->objects) {
    if (object.malicious) propagate(group, object.resultIndex, false);
  }

  for (const ScanResult& result : group->results) reporter_.onResult(result);
  group->forwarded = true;
  {
    std::lock_guard lock(mutex_);
    queuedDigests_ -= std::min(queuedDigests_, digestCount(*group));
  }
  roomReady_.notify_all();
  if (group->bypassedCount == 0) release(group);
}

// Marks every container of the infected result at `index` infected, as the
// engine does for exact signatures. Containers follow their members in the group.
void CloudScanSink::Impl::propagate(FileGroup* group, std::size_t index, bool asUpdates) {
  const ScanResult infected = group->results[index];
  for (std::size_t other = index + 1; other < group->results.size(); ++other) {
    ScanResult& container = group->results[other];
    const bool encloses = infected.path.size() > container.path.size() &&
                          infected.path.compare(0, container.path.size(), container.path) == 0 &&
                          infected.path[container.path.size()] == '!';
    if (!encloses || container.verdict == Verdict::kInfected) continue;

    const Verdict previous = container.verdict;
    container.verdict = Verdict::kInfected;
    container.threatName = infected.threatName;
    container.source = infected.source;
    container.reason = SkipReason::kNone;
    container.detail = "contains infected member '" + infected.path + "'";
    if (asUpdates) reporter_.updateResult(container, previous);
  }
}

void CloudScanSink::Impl::requeryBypassed() {
  std::vector<Waiter> objects = std::move(bypassed_);
  bypassed_.clear();
  session_.logger().info("querying {} bypassed objects again now that a server answers",
                         objects.size());
  for (const Waiter& waiter : objects) {
    PendingObject& object = waiter.group->objects[waiter.object];
    object.bypassed = false;
    object.unanswered = object.keys.size();
  }
  for (const Waiter& waiter : objects) enqueueObject(waiter.group, waiter.object);
}

void CloudScanSink::Impl::requeriedObjectDone(FileGroup* group, std::size_t index) {
  PendingObject& object = group->objects[index];
  if (object.bypassed && !object.malicious) {
    bypassed_.push_back(Waiter{group, index});  // still no server; stays bypassed
    return;
  }

  ScanResult& result = group->results[object.resultIndex];
  ++stats_.requeried;
  // A member found malicious meanwhile has made this container infected, which its
  // own clean answer does not undo.
  if (result.verdict != Verdict::kInfected || object.malicious) {
    const Verdict previous = result.verdict;
    result.detail.clear();
    applyObject(object, result);
    result.wasBypassed = true;
    logCloudVerdict(result);
    reporter_.updateResult(result, previous);
    if (object.malicious) propagate(group, object.resultIndex, true);
  }

  if (--group->bypassedCount == 0) release(group);
}

// Answers arrive while a caller may still walk the group's objects, so a finished
// group is freed only by freeReleasedGroups(), between steps of the query loop.
void CloudScanSink::Impl::release(FileGroup* group) { released_.push_back(group); }

void CloudScanSink::Impl::freeReleasedGroups() {
  for (FileGroup* group : released_) groups_.erase(group);
  released_.clear();
}

void CloudScanSink::Impl::waitForServerAtEnd() {
  if (bypassed_.empty() || options_.requeryWait.count() <= 0) {
    stats_.stillBypassed = bypassed_.size();
    return;
  }
  session_.logger().info(
      "{} objects were bypassed; waiting up to {} ms for a Smart Scan Server to query them again",
      bypassed_.size(), options_.requeryWait.count());
  const Clock::time_point deadline = Clock::now() + options_.requeryWait;
  while (!bypassed_.empty() && Clock::now() < deadline) {
    if (serversAvailable(true)) {
      while (!batch_.empty()) sendBatch(std::min(batch_.size(), options_.maxBatch));
      freeReleasedGroups();
      if (bypassed_.empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  stats_.stillBypassed = bypassed_.size();
  freeReleasedGroups();
}

void CloudScanSink::Impl::logCloudVerdict(const ScanResult& result) {
  if (result.source == DetectionSource::kSmartScanServer) ++stats_.localVerdicts;
  if (result.source == DetectionSource::kGlobalSmartScanServer) ++stats_.globalVerdicts;
  if (stats_.verdicts.size() < kMaxReportedCloudVerdicts) {
    stats_.verdicts.push_back(
        CloudVerdict{result.path, result.verdict, result.source, result.wasBypassed});
  } else {
    ++stats_.verdictsNotListed;
  }
  session_.events().write("cloud_verdict", {{"path", result.path},
                                            {"verdict", verdictName(result.verdict)},
                                            {"server", detectionSourceName(result.source)},
                                            {"bypassed_before", result.wasBypassed}});
}

// ---- public ------------------------------------------------------------------

CloudScanSink::CloudScanSink(query::ServerPool& pool, ResultReporter& reporter, Session& session,
                             CloudScanOptions options)
    : impl_(std::make_unique<Impl>(pool, reporter, session, options)) {}

CloudScanSink::~CloudScanSink() = default;

void CloudScanSink::onResult(const ScanResult& result) { impl_->onResult(result); }

void CloudScanSink::onEvent(const ScanEvent& event) { impl_->onEvent(event); }

CloudStats CloudScanSink::finish() { return impl_->finish(); }

}  // namespace odscan::scanner
