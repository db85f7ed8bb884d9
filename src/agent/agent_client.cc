#include "odscan/agent/agent_client.h"

#include <curl/curl.h>

#include <mutex>
#include <vector>

namespace odscan::agent {
namespace {

constexpr std::size_t kMaxAnswerBytes = 1 << 20;

std::size_t storeAnswer(char* data, std::size_t size, std::size_t count, void* target) {
  auto* answer = static_cast<std::string*>(target);
  const std::size_t bytes = size * count;
  if (answer->size() + bytes > kMaxAnswerBytes) return 0;
  answer->append(data, bytes);
  return bytes;
}

// The console's error answers carry {"error": {"message": ...}} or
// {"error": "..."}; returns the message, or the start of the body.
std::string errorText(const std::string& body) {
  const nlohmann::json answer = nlohmann::json::parse(body, nullptr, false);
  if (answer.is_object()) {
    const auto error = answer.find("error");
    if (error != answer.end() && error->is_string()) return error->get<std::string>();
    if (error != answer.end() && error->is_object() && (*error)["message"].is_string()) {
      return (*error)["message"].get<std::string>();
    }
  }
  return body.substr(0, 200);
}

StatusCode codeOfHttpStatus(long status) {
  if (status == 401 || status == 403) return StatusCode::kPermissionDenied;
  if (status == 404) return StatusCode::kNotFound;
  if (status == 409) return StatusCode::kAlreadyExists;
  if (status == 413) return StatusCode::kLimitExceeded;
  if (status >= 500) return StatusCode::kUnreachable;
  return StatusCode::kInvalidArgument;
}

}  // namespace

AgentClient::AgentClient(std::string consoleUrl, std::string credentials,
                         AgentClientOptions options)
    : consoleUrl_(std::move(consoleUrl)),
      credentials_(std::move(credentials)),
      options_(std::move(options)) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  curl_ = curl_easy_init();
}

AgentClient::~AgentClient() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

Result<nlohmann::json> AgentClient::postJson(std::string_view path, const nlohmann::json& body) {
  return post(path, body.dump(), {"Content-Type: application/json"});
}

Result<nlohmann::json> AgentClient::postEndpointData(std::string_view command,
                                                     std::string_view reason,
                                                     const std::string& archive) {
  std::string cleanReason;
  for (char c : reason.substr(0, 1000)) cleanReason.push_back(c == '\r' || c == '\n' ? ' ' : c);
  return post("api/v1/agent/endpoint-data" +
                  (command.empty() ? std::string() : "?command=" + std::string(command)),
              archive, {"Content-Type: application/zip", "X-Odscan-Reason: " + cleanReason});
}

Result<nlohmann::json> AgentClient::post(std::string_view path, const std::string& body,
                                         const std::vector<std::string>& headers) {
  CURL* curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) return Status(StatusCode::kInternal, "libcurl could not start");
  const std::string url = consoleUrl_ + std::string(path);
  curl_slist* list = nullptr;
  for (const auto& header : headers) list = curl_slist_append(list, header.c_str());
  const std::string authorization = "Authorization: Bearer " + credentials_;
  if (!credentials_.empty()) list = curl_slist_append(list, authorization.c_str());
  list = curl_slist_append(list, "Expect:");

  std::string answer;
  char errorBuffer[CURL_ERROR_SIZE] = {};
  curl_easy_reset(curl);
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
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "tm-agent/" ODSCAN_VERSION);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, storeAnswer);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
  const std::string caFile = options_.caFile.string();
  if (!caFile.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, caFile.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  const CURLcode result = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_reset(curl);
  curl_slist_free_all(list);

  if (result != CURLE_OK) {
    return Status(StatusCode::kUnreachable,
                  "cannot reach the console at " + url + ": " +
                      (errorBuffer[0] != '\0' ? errorBuffer : curl_easy_strerror(result)));
  }
  if (status < 200 || status >= 300) {
    return Status(codeOfHttpStatus(status), "the console answered HTTP " + std::to_string(status) +
                                                " to " + url + ": " + errorText(answer));
  }
  nlohmann::json json = nlohmann::json::parse(answer, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return Status(StatusCode::kCorrupt, "the console's answer to " + url + " is not a JSON object");
  }
  return json;
}

}  // namespace odscan::agent
