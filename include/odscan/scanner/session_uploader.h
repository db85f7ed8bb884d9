// SessionUploader: delivers session folders to Threat Mitigator
// (docs/console-protocol.md, sections Sessions and Spooling).
//
// A run with a console URL creates one uploader for its session. create()
// writes SESSION/upload.json with a new client key. start() begins a background
// thread that first delivers the earlier session folders whose upload.json is not
// complete, oldest first, and then sends the new complete lines of the current
// events.jsonl every few seconds. finish() stops the thread and sends what is
// left of the current session: the last events, report.json and scan.log.
//
// Nothing is lost and nothing is stored twice. upload.json records how far the
// console confirmed delivery. A session registers again with the same client
// key, and the console's events_received says where to go on; line numbers make
// a batch that is sent again harmless. When the console cannot be reached, the
// state stays as it is, the run logs one warning in scan.log and one
// `upload_deferred` event (which itself is delivered later), and the next run
// that knows a console delivers the rest. Upload failures never change a scan's
// exit code.
//
// Ownership: owns the transport and the thread; refers to the Session, which must
// outlive the uploader.
// Thread safety: create(), start() and finish() from the thread that runs the
// scan. The background thread only logs through the Session, which is thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "odscan/common/status.h"
#include "odscan/scanner/console_client.h"
#include "odscan/scanner/session.h"
#include "odscan/scanner/upload_state.h"

namespace odscan::scanner {

struct SessionUploadOptions {
  ConsoleClientOptions client;
  // Time between two background deliveries of new events.
  std::chrono::milliseconds interval{5000};
  // Limits of one events batch, far below the console's 8 MiB compressed and
  // 64 MiB expanded. A single longer line is sent alone.
  std::size_t maxBatchLines = 2000;
  std::size_t maxBatchBytes = 2u << 20;
};

// The result of a delivery; `problem` is set when something stays undelivered.
struct UploadOutcome {
  Status problem;
  std::size_t earlierSessionsDelivered = 0;
  bool currentSessionComplete = false;
};

class SessionUploader {
 public:
  // Writes upload.json into the session folder with a new client key and the
  // registration built from `registration` (session id, host, addresses, user,
  // versions, start time). Fails when the file cannot be written.
  static Result<std::unique_ptr<SessionUploader>> create(
      std::unique_ptr<ConsoleTransport> transport, Session& session,
      const std::filesystem::path& sessionsFolder, SessionRegistration registration,
      SessionUploadOptions options);

  // Stops the background thread without the final delivery (see finish()).
  ~SessionUploader();
  SessionUploader(const SessionUploader&) = delete;
  SessionUploader& operator=(const SessionUploader&) = delete;

  // Records the pattern version for the registration and starts the background
  // thread. Later calls do nothing.
  void start(std::optional<std::uint64_t> patternVersion);

  // Stops the background thread, delivers the earlier sessions when the thread
  // never ran, and then the rest of the current session: events, report.json
  // (when it exists) and scan.log. Call once, after report.json is written and
  // the last event of the run is logged.
  UploadOutcome finish(std::optional<std::uint64_t> patternVersion);

  const std::string& consoleUrl() const { return transport_->url(); }

 private:
  struct Delivery;

  SessionUploader(std::unique_ptr<ConsoleTransport> transport, Session& session,
                  std::filesystem::path sessionsFolder, UploadState state,
                  SessionUploadOptions options);

  void runBackground();
  // Delivers the earlier folders whose upload.json is incomplete, oldest first,
  // until the console cannot be reached. Returns false when stopped before the end.
  bool deliverEarlierSessions();
  // Returns true when it delivered the folder, false when there was nothing to do
  // (complete, or an upload.json that cannot be read, which is logged).
  Result<bool> deliverEarlierSession(const std::filesystem::path& folder);
  void setPatternVersion(std::optional<std::uint64_t> patternVersion);
  void noteProblem(const Status& problem);
  void noteRecovery();

  std::unique_ptr<ConsoleTransport> transport_;
  Session& session_;
  std::filesystem::path sessionsFolder_;
  SessionUploadOptions options_;
  std::unique_ptr<Delivery> current_;

  // Set once every earlier session was tried, by the thread or by finish().
  bool earlierTried_ = false;
  // The earlier sessions' part of the outcome.
  UploadOutcome earlierOutcome_;
  // The last problem logged, so a console that stays down is logged once.
  std::mutex problemMutex_;
  std::string loggedProblem_;
  bool deferredEventWritten_ = false;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace odscan::scanner
