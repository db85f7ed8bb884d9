#include "odscan/scanner/session_uploader.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <system_error>
#include <vector>

#include "odscan/platform/utf8_path.h"
#include "odscan/scanner/event_line_reader.h"
#include "odscan/scanner/random_id.h"
#include "odscan/scanner/session_cleanup.h"

namespace odscan::scanner {
namespace {

constexpr std::size_t kClientKeyBytes = 16;
// The console expands at most 64 MiB of one body by default; a longer scan.log is
// sent as its last part.
constexpr std::uint64_t kMaxLogBytes = 32ull << 20;

nlohmann::json registrationToJson(const SessionRegistration& registration) {
  return {
      {"session_id", registration.sessionId},
      {"host", registration.host},
      {"ip_addresses", registration.ipAddresses},
      {"user", registration.user},
      {"os_version", registration.osVersion},
      {"scanner_version", registration.scannerVersion},
      {"pattern_version", registration.patternVersion ? nlohmann::json(*registration.patternVersion)
                                                      : nlohmann::json()},
      {"started_at", registration.startedAt}};
}

SessionRegistration registrationFromJson(const nlohmann::json& json, const std::string& clientKey) {
  const auto text = [&json](const char* name) {
    const auto found = json.find(name);
    return found != json.end() && found->is_string() ? found->get<std::string>() : std::string();
  };
  SessionRegistration registration;
  registration.sessionId = text("session_id");
  registration.clientKey = clientKey;
  registration.host = text("host");
  registration.user = text("user");
  registration.osVersion = text("os_version");
  registration.scannerVersion = text("scanner_version");
  registration.startedAt = text("started_at");
  if (const auto found = json.find("ip_addresses"); found != json.end() && found->is_array()) {
    for (const auto& address : *found) {
      if (address.is_string()) registration.ipAddresses.push_back(address.get<std::string>());
    }
  }
  if (const auto found = json.find("pattern_version");
      found != json.end() && found->is_number_unsigned()) {
    registration.patternVersion = found->get<std::uint64_t>();
  }
  return registration;
}

// Returns the file's bytes, or only its last `maxBytes` after a line that marks the cut.
Result<std::string> readUploadFile(const std::filesystem::path& file, std::uint64_t maxBytes) {
  std::ifstream stream(file, std::ios::binary | std::ios::ate);
  if (!stream) {
    return Status(StatusCode::kIoError, "cannot read '" + platform::toUtf8(file) +
                                            "' for the upload; check its permissions");
  }
  const std::uint64_t size = static_cast<std::uint64_t>(stream.tellg());
  const std::uint64_t start = size > maxBytes ? size - maxBytes : 0;
  stream.seekg(static_cast<std::streamoff>(start));
  std::string text;
  if (start > 0) {
    text = "[odscan: the first " + std::to_string(start) + " bytes of this log were not sent]\n";
  }
  text.append(std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>());
  return text;
}

bool isConsoleDown(const Status& status) {
  return status.code() == StatusCode::kUnreachable || status.code() == StatusCode::kTimeout;
}

}  // namespace

// The delivery of one session folder: its state, its events and its upload token.
struct SessionUploader::Delivery {
  Delivery(std::filesystem::path sessionFolder, UploadState uploadState,
           ConsoleTransport& consoleTransport, const SessionUploadOptions& uploadOptions)
      : folder(std::move(sessionFolder)),
        state(std::move(uploadState)),
        events(folder / "events.jsonl"),
        transport(consoleTransport),
        options(uploadOptions),
        maxLines(std::max<std::size_t>(uploadOptions.maxBatchLines, 1)) {}

  std::filesystem::path folder;
  UploadState state;
  EventLineReader events;
  ConsoleTransport& transport;
  const SessionUploadOptions& options;
  std::string token;
  std::size_t maxLines;

  Status save() const { return writeUploadState(folder / kUploadStateFileName, state); }

  // Registers the session, or registers it again after its token expired. The
  // console's events_received is where the events go on.
  Status registerSession() {
    ConsoleReply<RegisteredSession> reply =
        transport.registerSession(registrationFromJson(state.registration, state.clientKey));
    if (!reply.ok()) return reply.status;
    token = reply.value->uploadToken;
    state.session = reply.value->session;
    state.eventsSent = reply.value->eventsReceived;
    return save();
  }

  Status ensureRegistered() { return token.empty() ? registerSession() : Status::success(); }

  // Sends every complete line of events.jsonl that the console does not hold yet.
  Status sendEvents() {
    if (Status registered = ensureRegistered(); !registered.ok()) return registered;
    bool registeredAgain = false;
    while (true) {
      Result<EventLineBatch> batch = events.read(state.eventsSent, maxLines, options.maxBatchBytes);
      if (!batch.ok()) return batch.status();
      if (batch->lines.empty()) return Status::success();

      ConsoleReply<std::uint64_t> reply =
          transport.sendEvents(token, batch->firstLine, batch->lines);
      if ((reply.unauthorized() || reply.outOfSequence()) && !registeredAgain) {
        // The token expired, or the console stores fewer lines than the state
        // records. A new registration returns a token and the console's position.
        registeredAgain = true;
        if (Status registered = registerSession(); !registered.ok()) return registered;
        continue;
      }
      if (reply.httpStatus == 413 && batch->lines.size() > 1) {
        maxLines = std::max<std::size_t>(batch->lines.size() / 2, 1);
        continue;
      }
      if (!reply.ok()) return reply.status;
      if (Status stored = acceptPosition(*reply.value, *batch); !stored.ok()) return stored;
      registeredAgain = false;
    }
  }

  Status acceptPosition(std::uint64_t received, const EventLineBatch& batch) {
    // A console that does not move past the batch's first line would make the
    // loop send the same batch for ever.
    if (received <= batch.firstLine) {
      return Status(StatusCode::kCorrupt,
                    "the console at " + transport.url() + " answered events_received " +
                        std::to_string(received) + " to a batch of lines " +
                        std::to_string(batch.firstLine) + " to " +
                        std::to_string(batch.firstLine + batch.lines.size() - 1) +
                        "; it did not store them");
    }
    state.eventsSent = received;
    return save();
  }

  // Puts one file with `put`, registering again once when the token expired.
  template <typename Put>
  Status putWithToken(Put put) {
    if (Status registered = ensureRegistered(); !registered.ok()) return registered;
    ConsoleReply<bool> reply = put(token);
    if (reply.unauthorized()) {
      if (Status registered = registerSession(); !registered.ok()) return registered;
      reply = put(token);
    }
    return reply.status;
  }

  // Puts report.json and scan.log. A session without report.json is complete
  // without it when `reportMayBeMissing`; its run ended before writing one.
  Status sendFiles(bool reportMayBeMissing) {
    const std::filesystem::path report = folder / "report.json";
    std::error_code error;
    if (!state.reportSent && !state.reportMissing) {
      if (std::filesystem::exists(report, error)) {
        Result<std::string> text = readUploadFile(report, kMaxLogBytes);
        if (!text.ok()) return text.status();
        Status sent =
            putWithToken([&](const std::string& key) { return transport.putReport(key, *text); });
        if (!sent.ok()) return sent;
        state.reportSent = true;
      } else if (reportMayBeMissing) {
        state.reportMissing = true;
      }
      if (Status saved = save(); !saved.ok()) return saved;
    }

    if (!state.logSent) {
      Result<std::string> text = readUploadFile(folder / "scan.log", kMaxLogBytes);
      if (!text.ok()) return text.status();
      Status sent =
          putWithToken([&](const std::string& key) { return transport.putLog(key, *text); });
      if (!sent.ok()) return sent;
      state.logSent = true;
      if (Status saved = save(); !saved.ok()) return saved;
    }
    return Status::success();
  }
};

Result<std::unique_ptr<SessionUploader>> SessionUploader::create(
    std::unique_ptr<ConsoleTransport> transport, Session& session,
    const std::filesystem::path& sessionsFolder, SessionRegistration registration,
    SessionUploadOptions options) {
  UploadState state;
  state.consoleUrl = transport->url();
  state.clientKey = randomHexId(kClientKeyBytes);
  state.registration = registrationToJson(registration);
  if (Status written = writeUploadState(session.folder() / kUploadStateFileName, state);
      !written.ok()) {
    return written;
  }
  return std::unique_ptr<SessionUploader>(new SessionUploader(
      std::move(transport), session, sessionsFolder, std::move(state), std::move(options)));
}

SessionUploader::SessionUploader(std::unique_ptr<ConsoleTransport> transport, Session& session,
                                 std::filesystem::path sessionsFolder, UploadState state,
                                 SessionUploadOptions options)
    : transport_(std::move(transport)),
      session_(session),
      sessionsFolder_(std::move(sessionsFolder)),
      options_(std::move(options)) {
  current_ = std::make_unique<Delivery>(session.folder(), std::move(state), *transport_, options_);
}

SessionUploader::~SessionUploader() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SessionUploader::setPatternVersion(std::optional<std::uint64_t> patternVersion) {
  if (!current_->token.empty()) return;
  current_->state.registration["pattern_version"] =
      patternVersion ? nlohmann::json(*patternVersion) : nlohmann::json();
  if (Status saved = current_->save(); !saved.ok()) noteProblem(saved);
}

void SessionUploader::start(std::optional<std::uint64_t> patternVersion) {
  if (thread_.joinable()) return;
  setPatternVersion(patternVersion);
  thread_ = std::thread([this] { runBackground(); });
}

void SessionUploader::runBackground() {
  earlierTried_ = deliverEarlierSessions();

  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    const Status sent = current_->sendEvents();
    if (sent.ok()) {
      noteRecovery();
    } else {
      noteProblem(sent);
    }
    lock.lock();
    wake_.wait_for(lock, options_.interval, [this] { return stopping_; });
  }
}

bool SessionUploader::deliverEarlierSessions() {
  std::vector<std::filesystem::path> folders;
  std::error_code error;
  for (std::filesystem::directory_iterator it(sessionsFolder_, error), end; !error && it != end;
       it.increment(error)) {
    const std::filesystem::path& folder = it->path();
    if (folder == session_.folder() || !isSessionFolderName(folder.filename().string())) continue;
    if (std::filesystem::exists(folder / kUploadStateFileName, error)) folders.push_back(folder);
  }
  // Folder names start with the UTC start time, so name order is age order.
  std::sort(folders.begin(), folders.end());

  for (const std::filesystem::path& folder : folders) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return false;
    }
    const Result<bool> delivered = deliverEarlierSession(folder);
    if (delivered.ok()) {
      if (*delivered) ++earlierOutcome_.earlierSessionsDelivered;
      continue;
    }
    noteProblem(delivered.status());
    if (earlierOutcome_.problem.ok()) earlierOutcome_.problem = delivered.status();
    // A console that cannot be reached now will not be reached for the next folder.
    if (isConsoleDown(delivered.status())) return true;
  }
  return true;
}

Result<bool> SessionUploader::deliverEarlierSession(const std::filesystem::path& folder) {
  Result<UploadState> state = readUploadState(folder / kUploadStateFileName);
  if (!state.ok()) {
    // Without its client key the session would be stored twice, so it stays local.
    session_.logger().warn("{}", state.status().message());
    return false;
  }
  if (state->complete()) return false;
  if (state->consoleUrl != transport_->url()) {
    // Another console stores none of it, so everything is sent again.
    state->consoleUrl = transport_->url();
    state->session.clear();
    state->reportSent = false;
    state->logSent = false;
  }

  Delivery delivery(folder, std::move(*state), *transport_, options_);
  Status sent = delivery.sendEvents();
  if (sent.ok()) sent = delivery.sendFiles(true);
  if (!sent.ok()) return sent;
  session_.logger().info("delivered the earlier session folder '{}' to the console at {}",
                         platform::toUtf8(folder), transport_->url());
  return true;
}

UploadOutcome SessionUploader::finish(std::optional<std::uint64_t> patternVersion) {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();

  setPatternVersion(patternVersion);
  if (!earlierTried_) {
    // The thread never ran, or stopped before it tried every earlier folder.
    {
      std::lock_guard lock(mutex_);
      stopping_ = false;
    }
    earlierTried_ = deliverEarlierSessions();
  }
  UploadOutcome outcome = earlierOutcome_;

  Status sent = current_->sendEvents();
  if (sent.ok()) sent = current_->sendFiles(true);
  outcome.currentSessionComplete = sent.ok() && current_->state.complete();
  if (!sent.ok()) {
    noteProblem(sent);
    outcome.problem = sent;
  } else {
    noteRecovery();
    session_.logger().info("session logs sent to the console at {} as session {}",
                           transport_->url(), current_->state.session);
  }
  return outcome;
}

void SessionUploader::noteProblem(const Status& problem) {
  std::lock_guard lock(problemMutex_);
  if (problem.message() == loggedProblem_) return;
  loggedProblem_ = problem.message();
  session_.logger().warn(
      "session logs could not be sent to the console at {}: {}; they stay in '{}' and are sent "
      "later",
      transport_->url(), problem.message(), platform::toUtf8(sessionsFolder_));
  if (deferredEventWritten_) return;
  deferredEventWritten_ = true;
  session_.events().write("upload_deferred", {{"url", transport_->url()},
                                              {"code", statusCodeName(problem.code())},
                                              {"message", problem.message()}});
}

void SessionUploader::noteRecovery() {
  std::lock_guard lock(problemMutex_);
  if (loggedProblem_.empty()) return;
  loggedProblem_.clear();
  session_.logger().info("the console at {} takes session logs again", transport_->url());
}

}  // namespace odscan::scanner
