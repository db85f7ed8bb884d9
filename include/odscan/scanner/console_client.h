// ConsoleClient: the scanner's side of the session upload to Threat Mitigator
// (docs/console-protocol.md, section Sessions). It registers a session, sends
// batches of events.jsonl lines and puts report.json and scan.log, each body
// compressed with gzip. Each call makes one request, except that a 503 answer is
// retried after its Retry-After (at most a few seconds, a few times), because an
// overloaded console asks for exactly that.
//
// The timeouts are short (5 s to connect, 30 s per request by default), so a
// console that is missing costs a scan seconds, not minutes.
//
// SessionUploader (session_uploader.h) decides what to send and when; it talks to
// a ConsoleTransport so that tests can stand in for the console.
//
// Thread safety: a ConsoleClient is used by one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "odscan/common/status.h"

namespace odscan::scanner {

// Step 1 of the protocol: what the scanner tells the console about its session.
struct SessionRegistration {
  std::string sessionId;
  std::string clientKey;  // 32 hex digits kept in upload.json
  std::string host;
  std::vector<std::string> ipAddresses;
  std::string user;
  std::string osVersion;
  std::string scannerVersion;
  std::optional<std::uint64_t> patternVersion;  // null when the pattern did not load
  std::string startedAt;                        // ISO 8601 UTC
};

// The console's answer to a registration.
struct RegisteredSession {
  std::string session;  // the console's id, such as "s-5e1f..."
  std::string uploadToken;
  std::string expiresAt;
  std::uint64_t eventsReceived = 0;  // event lines the console holds already
};

// The outcome of one request. `status` is ok for a 2xx answer whose body reads.
// Otherwise its code is kUnreachable (no connection, or a 5xx answer), kTimeout,
// kPermissionDenied (401 or 403), kLimitExceeded (413), kInvalidArgument (other 4xx,
// 409 included) or kCorrupt (an answer that does not read), and `httpStatus` tells
// the 4xx answers apart.
template <typename T>
struct ConsoleReply {
  Status status;
  long httpStatus = 0;  // 0 when no answer arrived
  std::optional<T> value;

  bool ok() const { return status.ok(); }
  bool unauthorized() const { return httpStatus == 401; }
  // 409: the batch starts beyond the next line the console expects.
  bool outOfSequence() const { return httpStatus == 409; }
};

// The requests of the upload protocol. ConsoleClient is the real one.
class ConsoleTransport {
 public:
  virtual ~ConsoleTransport() = default;

  virtual ConsoleReply<RegisteredSession> registerSession(
      const SessionRegistration& registration) = 0;

  // Sends `lines` (each one line of events.jsonl without its newline), the first
  // being line `firstLine` (0-based). Returns the console's events_received.
  virtual ConsoleReply<std::uint64_t> sendEvents(const std::string& token, std::uint64_t firstLine,
                                                 const std::vector<std::string>& lines) = 0;

  virtual ConsoleReply<bool> putReport(const std::string& token, std::string_view reportJson) = 0;
  virtual ConsoleReply<bool> putLog(const std::string& token, std::string_view logText) = 0;

  // Returns the console URL, for messages.
  virtual const std::string& url() const = 0;
};

struct ConsoleClientOptions {
  std::chrono::milliseconds connectTimeout{5000};
  std::chrono::milliseconds requestTimeout{30000};
  // CA certificates for an https console; the system's store when unset.
  std::optional<std::filesystem::path> caFile;
  // A 503 answer is retried this many times, after its Retry-After capped at
  // maxRetryAfter.
  int overloadRetries = 3;
  std::chrono::milliseconds maxRetryAfter{5000};
  std::string userAgent = "odscan-scanner";
};

class ConsoleClient : public ConsoleTransport {
 public:
  // `url` is the console URL, such as "http://127.0.0.1:8480/"; the API paths are
  // appended to it. Fails with kInvalidArgument when it is not an http:// or
  // https:// URL, and kInternal when libcurl cannot create a handle.
  static Result<std::unique_ptr<ConsoleClient>> create(std::string url,
                                                       ConsoleClientOptions options);
  ~ConsoleClient() override;
  ConsoleClient(const ConsoleClient&) = delete;
  ConsoleClient& operator=(const ConsoleClient&) = delete;

  ConsoleReply<RegisteredSession> registerSession(const SessionRegistration& registration) override;
  ConsoleReply<std::uint64_t> sendEvents(const std::string& token, std::uint64_t firstLine,
                                         const std::vector<std::string>& lines) override;
  ConsoleReply<bool> putReport(const std::string& token, std::string_view reportJson) override;
  ConsoleReply<bool> putLog(const std::string& token, std::string_view logText) override;
  const std::string& url() const override { return url_; }

 private:
  struct Handle;
  struct Exchange;
  ConsoleClient(std::string url, ConsoleClientOptions options, std::unique_ptr<Handle> handle);

  // Sends one request, retrying 503 answers; `headers` are extra header lines.
  Exchange send(std::string_view method, std::string_view path, const std::string& body,
                const std::vector<std::string>& headers);
  Exchange sendOnce(std::string_view method, const std::string& url, const std::string& body,
                    const std::vector<std::string>& headers);

  std::string url_;
  std::string baseUrl_;  // url_ without its trailing slashes
  ConsoleClientOptions options_;
  std::unique_ptr<Handle> handle_;
};

}  // namespace odscan::scanner
