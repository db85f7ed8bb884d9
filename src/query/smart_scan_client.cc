#include "odscan/query/smart_scan_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <mutex>

namespace odscan::query {
namespace {

// A response larger than this is cut off and reported as corrupt: 1000 results
// with the longest threat names take about 0.5 MiB.
constexpr std::size_t kMaxResponseBytes = 4u << 20;

void initializeCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::size_t appendBody(char* data, std::size_t size, std::size_t count, void* target) {
  auto* body = static_cast<std::string*>(target);
  const std::size_t bytes = size * count;
  // Returning a short count makes libcurl abort the transfer with a write error.
  if (body->size() + bytes > kMaxResponseBytes) return 0;
  body->append(data, bytes);
  return bytes;
}

bool startsWithNoCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) ==
                  std::tolower(static_cast<unsigned char>(b));
         });
}

std::size_t readRetryAfter(char* data, std::size_t size, std::size_t count, void* target) {
  auto* retryAfter = static_cast<std::optional<std::chrono::seconds>*>(target);
  std::string_view line(data, size * count);
  constexpr std::string_view kName = "retry-after:";
  if (startsWithNoCase(line, kName)) {
    line.remove_prefix(kName.size());
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    long seconds = 0;
    auto [end, error] = std::from_chars(line.data(), line.data() + line.size(), seconds);
    if (error == std::errc() && end != line.data() && seconds >= 0) {
      *retryAfter = std::chrono::seconds(seconds);
    }
  }
  return size * count;
}

// The code and message for an HTTP status other than 200.
Status httpError(long httpStatus, std::string_view url, std::string_view body) {
  // The server's JSON error is short and names the problem; keep a bounded part.
  std::string detail(body.substr(0, 300));
  std::replace_if(
      detail.begin(), detail.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  const std::string message = std::string(url) + " answered HTTP " + std::to_string(httpStatus) +
                              (detail.empty() ? "" : ": " + detail);
  if (httpStatus == 413) return Status(StatusCode::kLimitExceeded, message);
  if (httpStatus == 401 || httpStatus == 403) {
    return Status(StatusCode::kPermissionDenied,
                  message + "; check the API key configured for this server");
  }
  if (httpStatus >= 500) return Status(StatusCode::kUnavailable, message);
  return Status(StatusCode::kInvalidArgument, message);
}

}  // namespace

std::string_view serverRoleName(ServerRole role) {
  return role == ServerRole::kSmartScanServer ? "smart_scan_server" : "global_smart_scan_server";
}

std::string_view serverRoleTitle(ServerRole role) {
  return role == ServerRole::kSmartScanServer ? "Smart Scan Server" : "Global Smart Scan Server";
}

struct SmartScanClient::Handle {
  CURL* curl = nullptr;
  curl_slist* queryHeaders = nullptr;
  curl_slist* healthHeaders = nullptr;

  ~Handle() {
    curl_slist_free_all(queryHeaders);
    curl_slist_free_all(healthHeaders);
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

struct SmartScanClient::Exchange {
  CURLcode result = CURLE_OK;
  std::string error;
  long httpStatus = 0;
  std::string body;
  std::optional<std::chrono::seconds> retryAfter;
  std::chrono::microseconds elapsed{0};
};

SmartScanClient::SmartScanClient(ServerRole role, std::string baseUrl,
                                 SmartScanClientOptions options)
    : role_(role),
      baseUrl_(std::move(baseUrl)),
      options_(std::move(options)),
      handle_(std::make_unique<Handle>()) {
  while (!baseUrl_.empty() && baseUrl_.back() == '/') baseUrl_.pop_back();
  initializeCurlOnce();
  handle_->curl = curl_easy_init();

  auto addHeader = [this](std::string line) {
    handle_->queryHeaders = curl_slist_append(handle_->queryHeaders, line.c_str());
    handle_->healthHeaders = curl_slist_append(handle_->healthHeaders, line.c_str());
  };
  addHeader(std::string(protocol::kProductHeader) + ": " + options_.product);
  if (!options_.endpoint.empty()) {
    addHeader(std::string(protocol::kEndpointHeader) + ": " + options_.endpoint);
  }
  if (!options_.apiKey.empty()) addHeader("Authorization: Bearer " + options_.apiKey);
  // libcurl would otherwise wait for "100 Continue" before sending larger bodies.
  handle_->queryHeaders = curl_slist_append(handle_->queryHeaders, "Expect:");
  const std::string contentType =
      "Content-Type: " + std::string(protocol::contentTypeOf(options_.format));
  handle_->queryHeaders = curl_slist_append(handle_->queryHeaders, contentType.c_str());
}

SmartScanClient::~SmartScanClient() = default;

SmartScanClient::Exchange SmartScanClient::exchange(const std::string& url,
                                                    const std::string* body) {
  Exchange exchange;
  CURL* curl = handle_->curl;
  if (curl == nullptr) {
    exchange.result = CURLE_FAILED_INIT;
    exchange.error = "libcurl could not create a handle; the system may be out of memory";
    return exchange;
  }

  char errorBuffer[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errorBuffer);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connectTimeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.requestTimeout.count()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, appendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &exchange.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, readRetryAfter);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &exchange.retryAfter);
  if (options_.caFile) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.caFile->c_str());
  if (body != nullptr) {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, handle_->queryHeaders);
  } else {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, handle_->healthHeaders);
  }

  exchange.result = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &exchange.httpStatus);
  curl_off_t micros = 0;
  curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME_T, &micros);
  exchange.elapsed = std::chrono::microseconds(micros);
  if (exchange.result != CURLE_OK) {
    exchange.error = errorBuffer[0] != '\0' ? errorBuffer : curl_easy_strerror(exchange.result);
  }
  // The buffer lives on this stack frame only.
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  return exchange;
}

namespace {

Status transportError(CURLcode result, const std::string& error, std::string_view url) {
  const std::string message = "cannot reach " + std::string(url) + ": " + error;
  switch (result) {
    case CURLE_OPERATION_TIMEDOUT:
      return Status(StatusCode::kTimeout, message);
    case CURLE_WRITE_ERROR:
      return Status(StatusCode::kCorrupt, std::string(url) + " sent a response larger than " +
                                              std::to_string(kMaxResponseBytes) + " bytes");
    default:
      return Status(StatusCode::kUnreachable, message);
  }
}

}  // namespace

QueryAttempt SmartScanClient::query(const protocol::QueryRequest& request) {
  const std::string url = baseUrl_ + std::string(protocol::kQueryPath);
  const std::string body = protocol::encodeQueryRequest(request, options_.format);
  Exchange exchange = this->exchange(url, &body);

  QueryAttempt attempt;
  attempt.httpStatus = exchange.httpStatus;
  attempt.retryAfter = exchange.retryAfter;
  attempt.elapsed = exchange.elapsed;
  if (exchange.result != CURLE_OK) {
    attempt.status = transportError(exchange.result, exchange.error, url);
    return attempt;
  }
  if (exchange.httpStatus != 200) {
    attempt.status = httpError(exchange.httpStatus, url, exchange.body);
    return attempt;
  }

  Result<protocol::QueryResponse> response =
      protocol::decodeQueryResponse(exchange.body, options_.format);
  if (!response.ok()) {
    attempt.status =
        Status(StatusCode::kCorrupt,
               url + " sent an answer that cannot be read: " + response.status().message());
    return attempt;
  }
  if (response->results.size() != request.items.size()) {
    attempt.status =
        Status(StatusCode::kCorrupt, url + " sent " + std::to_string(response->results.size()) +
                                         " results for " + std::to_string(request.items.size()) +
                                         " digests");
    return attempt;
  }
  attempt.response = std::move(*response);
  return attempt;
}

HealthAttempt SmartScanClient::checkHealth() {
  const std::string url = baseUrl_ + std::string(protocol::kHealthPath);
  Exchange exchange = this->exchange(url, nullptr);

  HealthAttempt attempt;
  attempt.httpStatus = exchange.httpStatus;
  if (exchange.result != CURLE_OK) {
    attempt.status = transportError(exchange.result, exchange.error, url);
    return attempt;
  }
  if (exchange.httpStatus != 200) {
    attempt.status = httpError(exchange.httpStatus, url, exchange.body);
    return attempt;
  }
  // The version is informative; a ready server that omits it is still ready.
  const std::string_view key = "\"pattern_version\":";
  if (std::size_t at = exchange.body.find(key); at != std::string::npos) {
    const char* begin = exchange.body.data() + at + key.size();
    while (begin < exchange.body.data() + exchange.body.size() && *begin == ' ') ++begin;
    std::from_chars(begin, exchange.body.data() + exchange.body.size(), attempt.patternVersion);
  }
  return attempt;
}

}  // namespace odscan::query
