#include "odscan/scanner/console_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "gzip_body.h"

namespace odscan::scanner {
namespace {

constexpr std::string_view kRegisterPath = "/api/v1/sessions";
constexpr std::string_view kEventsPath = "/api/v1/session/events";
constexpr std::string_view kReportPath = "/api/v1/session/report";
constexpr std::string_view kLogPath = "/api/v1/session/log";

// The console's answers are small JSON objects; anything longer is cut off and
// reported as unreadable.
constexpr std::size_t kMaxAnswerBytes = 64 * 1024;

void initializeCurlOnce() {
  // curl_global_init() must run before the first handle; a failure shows as a
  // null handle from curl_easy_init().
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct HeaderListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using HeaderList = std::unique_ptr<curl_slist, HeaderListDeleter>;

std::size_t storeAnswer(char* data, std::size_t size, std::size_t count, void* target) {
  auto* answer = static_cast<std::string*>(target);
  const std::size_t bytes = size * count;
  // A short count makes libcurl stop the transfer with CURLE_WRITE_ERROR.
  if (answer->size() + bytes > kMaxAnswerBytes) return 0;
  answer->append(data, bytes);
  return bytes;
}

bool startsWithNoCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) ==
                  std::tolower(static_cast<unsigned char>(b));
         });
}

// Reads the seconds form of Retry-After; the date form is ignored.
std::size_t storeRetryAfter(char* data, std::size_t size, std::size_t count, void* target) {
  auto* retryAfter = static_cast<std::optional<std::chrono::seconds>*>(target);
  std::string_view line(data, size * count);
  constexpr std::string_view kName = "retry-after:";
  if (startsWithNoCase(line, kName)) {
    line.remove_prefix(kName.size());
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    long seconds = 0;
    const auto [end, error] = std::from_chars(line.data(), line.data() + line.size(), seconds);
    if (error == std::errc() && end != line.data() && seconds >= 0) {
      *retryAfter = std::chrono::seconds(seconds);
    }
  }
  return size * count;
}

// Returns the "error" member of the console's JSON error, or the start of the body
// on one line when it is not one.
std::string errorDetail(const std::string& body) {
  const nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_string()) {
    return parsed["error"].get<std::string>();
  }
  std::string detail = body.substr(0, 300);
  std::replace_if(
      detail.begin(), detail.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return detail;
}

Status transportError(CURLcode code, const std::string& detail, const std::string& url) {
  const std::string message = "cannot reach the console at " + url + ": " + detail;
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return Status(StatusCode::kTimeout, message);
    case CURLE_WRITE_ERROR:
      return Status(StatusCode::kCorrupt, "the console at " + url + " sent an answer over " +
                                              std::to_string(kMaxAnswerBytes) + " bytes");
    default:
      return Status(StatusCode::kUnreachable, message);
  }
}

Status httpError(long httpStatus, const std::string& body, const std::string& url) {
  const std::string detail = errorDetail(body);
  const std::string message = "the console at " + url + " answered HTTP " +
                              std::to_string(httpStatus) + (detail.empty() ? "" : ": " + detail);
  if (httpStatus == 401 || httpStatus == 403) return Status(StatusCode::kPermissionDenied, message);
  if (httpStatus == 413) return Status(StatusCode::kLimitExceeded, message);
  if (httpStatus >= 500) return Status(StatusCode::kUnreachable, message);
  return Status(StatusCode::kInvalidArgument, message);
}

// Reads a JSON object answer; a body that is not one is kCorrupt.
Result<nlohmann::json> answerObject(const std::string& body, const std::string& url) {
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
  if (!parsed.is_object()) {
    return Status(StatusCode::kCorrupt,
                  "the console at " + url + " sent an answer that is not a JSON object");
  }
  return parsed;
}

Result<std::uint64_t> eventsReceivedOf(const nlohmann::json& answer, const std::string& url) {
  const auto found = answer.find("events_received");
  if (found == answer.end() || !found->is_number_unsigned()) {
    return Status(StatusCode::kCorrupt, "the console at " + url +
                                            " sent an answer without a whole number "
                                            "'events_received'");
  }
  return found->get<std::uint64_t>();
}

std::string stringMember(const nlohmann::json& answer, std::string_view name) {
  const auto found = answer.find(name);
  return found != answer.end() && found->is_string() ? found->get<std::string>() : std::string();
}

nlohmann::json registrationJson(const SessionRegistration& registration) {
  return {
      {"session_id", registration.sessionId},
      {"client_key", registration.clientKey},
      {"host", registration.host},
      {"ip_addresses", registration.ipAddresses},
      {"user", registration.user},
      {"os_version", registration.osVersion},
      {"scanner_version", registration.scannerVersion},
      {"pattern_version", registration.patternVersion ? nlohmann::json(*registration.patternVersion)
                                                      : nlohmann::json()},
      {"started_at", registration.startedAt}};
}

}  // namespace

struct ConsoleClient::Handle {
  CURL* curl = nullptr;
  ~Handle() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

struct ConsoleClient::Exchange {
  CURLcode result = CURLE_OK;
  std::string error;
  long httpStatus = 0;
  std::string body;
  std::optional<std::chrono::seconds> retryAfter;
  std::string url;

  // Returns success for a 2xx answer, else the error that describes it.
  Status status() const {
    if (result != CURLE_OK) return transportError(result, error, url);
    if (httpStatus < 200 || httpStatus > 299) return httpError(httpStatus, body, url);
    return Status::success();
  }
};

Result<std::unique_ptr<ConsoleClient>> ConsoleClient::create(std::string url,
                                                             ConsoleClientOptions options) {
  if (!startsWithNoCase(url, "http://") && !startsWithNoCase(url, "https://")) {
    return Status(StatusCode::kInvalidArgument,
                  "invalid console URL '" + url +
                      "': expected http://HOST:PORT/ or https://HOST:PORT/; fix --console or "
                      "console_url in the On-demand Scan settings");
  }
  initializeCurlOnce();
  auto handle = std::make_unique<Handle>();
  handle->curl = curl_easy_init();
  if (handle->curl == nullptr) {
    return Status(StatusCode::kInternal, "libcurl cannot create a handle; check its installation");
  }
  return std::unique_ptr<ConsoleClient>(
      new ConsoleClient(std::move(url), std::move(options), std::move(handle)));
}

ConsoleClient::ConsoleClient(std::string url, ConsoleClientOptions options,
                             std::unique_ptr<Handle> handle)
    : url_(std::move(url)), options_(std::move(options)), handle_(std::move(handle)) {
  baseUrl_ = url_;
  while (!baseUrl_.empty() && baseUrl_.back() == '/') baseUrl_.pop_back();
}

ConsoleClient::~ConsoleClient() = default;

ConsoleClient::Exchange ConsoleClient::sendOnce(std::string_view method, const std::string& url,
                                                const std::string& body,
                                                const std::vector<std::string>& headers) {
  Exchange exchange;
  exchange.url = url;
  HeaderList list;
  for (const std::string& header : headers) {
    curl_slist* extended = curl_slist_append(list.get(), header.c_str());
    if (extended == nullptr) {
      exchange.result = CURLE_OUT_OF_MEMORY;
      exchange.error = "libcurl is out of memory";
      return exchange;
    }
    static_cast<void>(list.release());
    list.reset(extended);
  }

  // A reset keeps the connection cache, so the next request reuses the connection.
  CURL* curl = handle_->curl;
  curl_easy_reset(curl);
  char errorBuffer[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errorBuffer);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connectTimeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.requestTimeout.count()));
  curl_easy_setopt(curl, CURLOPT_USERAGENT, options_.userAgent.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, storeAnswer);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &exchange.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, storeRetryAfter);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &exchange.retryAfter);
  if (options_.caFile) {
    const std::string caFile = options_.caFile->string();
    curl_easy_setopt(curl, CURLOPT_CAINFO, caFile.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  if (method != "POST") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, std::string(method).c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list.get());

  exchange.result = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &exchange.httpStatus);
  if (exchange.result != CURLE_OK) {
    exchange.error = errorBuffer[0] != '\0' ? errorBuffer : curl_easy_strerror(exchange.result);
  }
  // The handle outlives this call and must not keep pointers into this frame.
  curl_easy_reset(curl);
  return exchange;
}

ConsoleClient::Exchange ConsoleClient::send(std::string_view method, std::string_view path,
                                            const std::string& body,
                                            const std::vector<std::string>& headers) {
  const std::string url = baseUrl_ + std::string(path);
  Exchange exchange = sendOnce(method, url, body, headers);
  for (int retry = 0; retry < options_.overloadRetries && exchange.result == CURLE_OK &&
                      exchange.httpStatus == 503;
       ++retry) {
    const auto wait = std::min<std::chrono::milliseconds>(
        exchange.retryAfter.value_or(std::chrono::seconds(1)), options_.maxRetryAfter);
    std::this_thread::sleep_for(wait);
    exchange = sendOnce(method, url, body, headers);
  }
  return exchange;
}

ConsoleReply<RegisteredSession> ConsoleClient::registerSession(
    const SessionRegistration& registration) {
  const std::string body = registrationJson(registration).dump();
  Exchange exchange = send("POST", kRegisterPath, body, {"Content-Type: application/json"});

  ConsoleReply<RegisteredSession> reply{exchange.status(), exchange.httpStatus, std::nullopt};
  if (!reply.ok()) return reply;
  Result<nlohmann::json> answer = answerObject(exchange.body, exchange.url);
  if (!answer.ok()) {
    reply.status = answer.status();
    return reply;
  }
  Result<std::uint64_t> received = eventsReceivedOf(*answer, exchange.url);
  RegisteredSession session{stringMember(*answer, "session"), stringMember(*answer, "upload_token"),
                            stringMember(*answer, "expires_at"), received.ok() ? *received : 0};
  if (!received.ok() || session.uploadToken.empty()) {
    reply.status = received.ok() ? Status(StatusCode::kCorrupt,
                                          "the console at " + exchange.url +
                                              " registered the session without an upload_token")
                                 : received.status();
    return reply;
  }
  reply.value = std::move(session);
  return reply;
}

ConsoleReply<std::uint64_t> ConsoleClient::sendEvents(const std::string& token,
                                                      std::uint64_t firstLine,
                                                      const std::vector<std::string>& lines) {
  std::string ndjson;
  for (const std::string& line : lines) {
    ndjson += line;
    ndjson += '\n';
  }
  Result<std::string> body = gzipCompress(ndjson);
  if (!body.ok()) return {body.status(), 0, std::nullopt};

  Exchange exchange = send("POST", kEventsPath, *body,
                           {"Content-Type: application/x-ndjson", "Content-Encoding: gzip",
                            "X-Odscan-First-Line: " + std::to_string(firstLine),
                            "Authorization: Bearer " + token, "Expect:"});
  ConsoleReply<std::uint64_t> reply{exchange.status(), exchange.httpStatus, std::nullopt};
  if (!reply.ok()) return reply;
  Result<nlohmann::json> answer = answerObject(exchange.body, exchange.url);
  Result<std::uint64_t> received = answer.ok() ? eventsReceivedOf(*answer, exchange.url)
                                               : Result<std::uint64_t>(answer.status());
  if (!received.ok()) {
    reply.status = received.status();
    return reply;
  }
  reply.value = *received;
  return reply;
}

namespace {

std::vector<std::string> fileHeaders(std::string_view contentType, const std::string& token) {
  return {"Content-Type: " + std::string(contentType), "Content-Encoding: gzip",
          "Authorization: Bearer " + token, "Expect:"};
}

}  // namespace

ConsoleReply<bool> ConsoleClient::putReport(const std::string& token, std::string_view reportJson) {
  Result<std::string> body = gzipCompress(reportJson);
  if (!body.ok()) return {body.status(), 0, std::nullopt};
  Exchange exchange = send("PUT", kReportPath, *body, fileHeaders("application/json", token));
  ConsoleReply<bool> reply{exchange.status(), exchange.httpStatus, std::nullopt};
  if (reply.ok()) reply.value = true;
  return reply;
}

ConsoleReply<bool> ConsoleClient::putLog(const std::string& token, std::string_view logText) {
  Result<std::string> body = gzipCompress(logText);
  if (!body.ok()) return {body.status(), 0, std::nullopt};
  Exchange exchange = send("PUT", kLogPath, *body, fileHeaders("text/plain; charset=utf-8", token));
  ConsoleReply<bool> reply{exchange.status(), exchange.httpStatus, std::nullopt};
  if (reply.ok()) reply.value = true;
  return reply;
}

}  // namespace odscan::scanner
