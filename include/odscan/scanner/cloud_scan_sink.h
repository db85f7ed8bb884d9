// CloudScanSink: the ScanSink that turns the engine's "unresolved" results into
// scan queries and passes the final verdicts on to the ResultReporter.
//
// Per file on disk: results arrive members first and the file last (see
// scan_sink.h). A file none of whose objects needs a query passes straight
// through. Otherwise the sink holds all of the file's results, queues the digests
// of its unresolved objects, and forwards the file once every object has a
// verdict, so that a member found malicious by a query also makes its containers
// and the file itself infected (as the engine's own container rules do).
//
// Queries: one thread collects the digests of all files into batches (up to
// CloudScanOptions::maxBatch digests, or whatever arrived within batchDelay),
// sends them through the ServerPool and caches every answer for the session, so
// a digest is asked at most once. Queued digests are bounded (maxQueuedDigests);
// past that, the engine's workers wait.
//
// When no server answers, the pool goes offline and the objects waiting for an
// answer get Verdict::kBypassed, never clean, each one logged. The scan goes on.
// When the pool finds a server again in the same scan, the bypassed objects are
// queried again, and their new verdicts (and their containers') are reported to
// the ResultReporter as updates, with ScanResult::wasBypassed set. finish() waits
// up to CloudScanOptions::requeryWait for a server to come back when objects are
// still bypassed at the end.
//
// Ownership: refers to the pool, the reporter and the session, which must outlive
// it. Thread safety: onResult() and onEvent() may be called from many threads;
// finish() once, after the engine's scan() has returned.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "odscan/engine/scan_sink.h"
#include "odscan/query/server_pool.h"
#include "odscan/scanner/result_reporter.h"
#include "odscan/scanner/scan_report.h"
#include "odscan/scanner/session.h"

namespace odscan::scanner {

struct CloudScanOptions {
  std::size_t maxBatch = protocol::kDefaultMaxDigestsPerQuery;
  std::chrono::milliseconds batchDelay{20};
  std::size_t maxQueuedDigests = 50000;
  std::chrono::milliseconds requeryWait{10000};
};

class CloudScanSink : public ScanSink {
 public:
  CloudScanSink(query::ServerPool& pool, ResultReporter& reporter, Session& session,
                CloudScanOptions options);
  ~CloudScanSink() override;
  CloudScanSink(const CloudScanSink&) = delete;
  CloudScanSink& operator=(const CloudScanSink&) = delete;

  void onResult(const ScanResult& result) override;
  void onEvent(const ScanEvent& event) override;

  // Sends what is still queued, waits for every answer, gives bypassed objects
  // their last chance (see the class comment) and stops the query thread.
  CloudStats finish();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace odscan::scanner
