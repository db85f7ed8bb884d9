#include <curl/curl.h>

#include <algorithm>
#include <mutex>
#include <new>
#include <utility>

#include "source_reader.h"

namespace odscan::activeupdate {
namespace {

// Bytes of an error page (a 404 body, for example) that are read before the
// download is stopped. The body is discarded, so a short page simply completes.
constexpr std::uint64_t kMaxErrorPageSize = std::uint64_t{64} * 1024;

struct CurlDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using CurlPointer = std::unique_ptr<CURL, CurlDeleter>;

struct HeaderListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using HeaderListPointer = std::unique_ptr<curl_slist, HeaderListDeleter>;

// The state of one download, shared with the write callback.
struct Download {
  CURL* handle = nullptr;
  std::vector<std::uint8_t> body;
  std::uint64_t maxSize = 0;
  std::uint64_t discarded = 0;
  bool limitExceeded = false;
  bool outOfMemory = false;
};

// Stores the body of a 200 response and discards others. Returning a count other
// than `count` makes libcurl stop the transfer with CURLE_WRITE_ERROR.
std::size_t storeBody(char* data, std::size_t, std::size_t count, void* context) {
  auto& download = *static_cast<Download*>(context);
  long status = 0;
  curl_easy_getinfo(download.handle, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) {
    download.discarded += count;
    return download.discarded > kMaxErrorPageSize ? 0 : count;
  }
  if (count > download.maxSize - download.body.size()) {
    download.limitExceeded = true;
    return 0;
  }
  // An exception must not cross libcurl's C frames.
  try {
    download.body.insert(download.body.end(), data, data + count);
  } catch (const std::bad_alloc&) {
    download.outOfMemory = true;
    return 0;
  }
  return count;
}

Status httpStatusError(long status) {
  const std::string text = "the server returned HTTP status " + std::to_string(status);
  if (status == 404 || status == 410) return Status(StatusCode::kNotFound, text);
  if (status == 401 || status == 403) return Status(StatusCode::kPermissionDenied, text);
  if (status == 408 || status == 429 || status >= 500) {
    return Status(StatusCode::kUnreachable, text);
  }
  return Status(StatusCode::kIoError, text + ", not 200");
}

Status curlError(CURLcode code, const char* detail) {
  const std::string text = *detail != '\0' ? std::string(detail) : curl_easy_strerror(code);
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return Status(StatusCode::kTimeout, text);
    case CURLE_PARTIAL_FILE:
      return Status(StatusCode::kTruncated, text);
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_SSL_CONNECT_ERROR:
      return Status(StatusCode::kUnreachable, text);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
      return Status(StatusCode::kUnreachable,
                    text + " (the server's TLS certificate does not verify with the CA file)");
    default:
      return Status(StatusCode::kIoError, text);
  }
}

// Builds a header list, which is null for no headers.
Result<HeaderListPointer> headerList(const std::vector<std::string>& headers) {
  HeaderListPointer list;
  for (const std::string& header : headers) {
    curl_slist* extended = curl_slist_append(list.get(), header.c_str());
    if (extended == nullptr) return Status(StatusCode::kInternal, "libcurl is out of memory");
    static_cast<void>(list.release());
    list.reset(extended);
  }
  return list;
}

// A header line must not contain CR or LF, which would start another header. The
// message shows only the header's name, because the value may be a credential.
Status checkHeader(const std::string& header) {
  const std::size_t colon = header.find(':');
  const bool hasLineBreak = header.find_first_of("\r\n") != std::string::npos;
  if (colon == std::string::npos || colon == 0 || hasLineBreak) {
    const std::string name = colon == std::string::npos || hasLineBreak ? std::string("(not shown)")
                                                                        : header.substr(0, colon);
    return Status(StatusCode::kInvalidArgument,
                  "HTTP header " + name +
                      " is not one line of the form 'Name: value'; fix the header option");
  }
  return Status::success();
}

class HttpReader final : public SourceReader {
 public:
  HttpReader(std::string baseUrl, CurlPointer handle, HeaderListPointer headers,
             HeaderListPointer revalidateHeaders)
      : baseUrl_(std::move(baseUrl)),
        handle_(std::move(handle)),
        headers_(std::move(headers)),
        revalidateHeaders_(std::move(revalidateHeaders)) {}

  Result<std::vector<std::uint8_t>> read(std::string_view name, std::uint64_t maxSize,
                                         bool revalidate) override {
    const std::string url = baseUrl_ + std::string(name);
    Download download;
    download.handle = handle_.get();
    download.maxSize = maxSize;
    char detail[CURL_ERROR_SIZE] = "";
    CURL* handle = handle_.get();
    curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &download);
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, detail);
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER,
                     revalidate ? revalidateHeaders_.get() : headers_.get());

    const CURLcode code = curl_easy_perform(handle);
    long status = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    // The handle outlives this call, so it must not keep pointers to locals.
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, nullptr);
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, nullptr);

    if (download.limitExceeded) {
      return Status(StatusCode::kLimitExceeded,
                    "the download exceeded " + std::to_string(maxSize) + " bytes");
    }
    if (download.outOfMemory) {
      return Status(StatusCode::kLimitExceeded, "not enough memory for the download");
    }
    // An error page stopped after kMaxErrorPageSize ends with a write error, so the
    // HTTP status is the better explanation and is checked first.
    if (status != 0 && status != 200) return httpStatusError(status);
    if (code != CURLE_OK) return curlError(code, detail);
    return std::move(download.body);
  }

 private:
  std::string baseUrl_;
  CurlPointer handle_;
  HeaderListPointer headers_;
  HeaderListPointer revalidateHeaders_;
};

void initializeCurlOnce() {
  // curl_global_init() must run once before any handle exists; the result is
  // checked through curl_easy_init(), which fails when it did not succeed.
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

long wholeSeconds(std::chrono::milliseconds duration) {
  const auto seconds = (duration.count() + 999) / 1000;
  return static_cast<long>(std::max<std::int64_t>(seconds, 1));
}

void setTransferOptions(CURL* handle, const UpdateSourceOptions& options) {
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, storeBody);
  // Signals are not safe for timeouts in a multi-threaded server.
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connectTimeout.count()));
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(options.transferTimeout.count()));
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_TIME, wholeSeconds(options.stallTimeout));
  curl_easy_setopt(handle, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(handle, CURLOPT_USERAGENT, "odscan-activeupdate");
  // Redirects are followed, but only to http and https URLs. The signature
  // protects the contents, and the protocol list keeps a redirect from reading
  // local files.
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(handle, CURLOPT_MAXREDIRS, 5L);
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
  curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS,
                   static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  if (!options.caFile.empty()) {
    curl_easy_setopt(handle, CURLOPT_CAINFO, options.caFile.c_str());
  }
}

}  // namespace

Result<std::unique_ptr<SourceReader>> makeHttpReader(std::string baseUrl,
                                                     const UpdateSourceOptions& options) {
  for (const std::string& header : options.headers) {
    const Status status = checkHeader(header);
    if (!status.ok()) return status;
  }
  auto headers = headerList(options.headers);
  if (!headers.ok()) return headers.status();
  std::vector<std::string> revalidate = options.headers;
  revalidate.emplace_back("Cache-Control: no-cache");
  auto revalidateHeaders = headerList(revalidate);
  if (!revalidateHeaders.ok()) return revalidateHeaders.status();

  initializeCurlOnce();
  CurlPointer handle(curl_easy_init());
  if (!handle) {
    return Status(StatusCode::kInternal, "libcurl cannot create a handle; check its installation");
  }
  setTransferOptions(handle.get(), options);
  return std::unique_ptr<SourceReader>(std::make_unique<HttpReader>(
      std::move(baseUrl), std::move(handle), std::move(headers).value(),
      std::move(revalidateHeaders).value()));
}

}  // namespace odscan::activeupdate
