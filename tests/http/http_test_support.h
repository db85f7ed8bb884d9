// Helpers for tests that talk to a real HTTP server on 127.0.0.1: a libcurl
// client (what the scanner uses), a raw socket for malformed and slow clients,
// temporary folders, and a self-signed TLS certificate made with the openssl CLI.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace odscan::http::testing {

// A fresh folder under the system's temporary folder, removed with its contents
// when the object goes out of scope.
class TempFolder {
 public:
  TempFolder();
  ~TempFolder();
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

void writeText(const std::filesystem::path& path, std::string_view text);
std::string readText(const std::filesystem::path& path);

struct HttpReply {
  long status = 0;  // 0 when the transfer failed
  std::string body;
  // Lower-case header names; the last value wins.
  std::map<std::string, std::string> headers;
  std::string error;  // libcurl's message when the transfer failed
  long newConnections = 0;

  std::string header(const std::string& lowerCaseName) const;
};

struct HttpCall {
  std::string method = "GET";
  std::string url;
  std::string body;
  std::vector<std::string> headers;  // "Name: value"
  std::filesystem::path caFile;      // trusted certificate for https
  std::chrono::milliseconds timeout{std::chrono::seconds(5)};
};

// A libcurl easy handle kept across calls, so consecutive calls reuse one
// keep-alive connection.
class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpReply send(const HttpCall& call);
  HttpReply get(const std::string& url);
  HttpReply post(const std::string& url, const std::string& body, const std::string& contentType,
                 std::vector<std::string> headers = {});

 private:
  void* handle_;
};

// A plain TCP connection to 127.0.0.1 for sending bytes that no HTTP client would
// send.
class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return socket_ >= 0; }
  bool send(std::string_view bytes);
  struct Received {
    std::string bytes;
    bool closed = false;  // the peer closed the connection
  };
  // Reads until the peer closes the connection or `timeout` passes.
  Received readUntilClosed(std::chrono::milliseconds timeout);
  // Reads until `text` has arrived, the peer closes, or `timeout` passes.
  std::string readUntil(std::string_view text, std::chrono::milliseconds timeout);

 private:
  int socket_ = -1;
};

// Writes cert.pem and key.pem (a self-signed certificate for 127.0.0.1) into
// `folder` with the openssl command. Returns false when openssl fails.
bool makeSelfSignedCertificate(const std::filesystem::path& folder);

// Returns the number of the status line in `response` ("HTTP/1.1 503 ..."), or 0.
int statusOf(std::string_view response);

}  // namespace odscan::http::testing
