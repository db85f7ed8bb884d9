// Syslog collectors for the forwarding tests, listening on 127.0.0.1: a UDP
// socket that keeps each datagram, and a TCP listener (optionally TLS) that
// reads RFC 6587 octet-counted frames. Also a temporary folder and a
// self-signed certificate made with the OpenSSL API at test time.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace odscan::forwarding::testing {

using namespace std::chrono_literals;

// A fresh folder under the system's temporary folder, removed on destruction.
class TempFolder {
 public:
  TempFolder();
  ~TempFolder();
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;

  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Writes an EC P-256 key and a self-signed certificate valid for one day whose
// subject alternative names are IP 127.0.0.1 and DNS `dnsName`.
void makeSelfSignedCertificate(const std::filesystem::path& certificateFile,
                               const std::filesystem::path& keyFile,
                               const std::string& dnsName = "localhost");

// Returns a port on 127.0.0.1 that nothing listens on now (bound and released).
std::uint16_t unusedTcpPort();

// Messages received so far, in arrival order, with a wait for a count.
class MessageLog {
 public:
  void add(std::string message);
  // Waits until at least `count` messages arrived; returns them all.
  std::vector<std::string> waitFor(std::size_t count, std::chrono::milliseconds timeout = 10s);
  std::vector<std::string> all() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<std::string> messages_;
};

class UdpCollector {
 public:
  UdpCollector();
  ~UdpCollector();

  std::uint16_t port() const { return port_; }
  MessageLog& messages() { return messages_; }

 private:
  void run();

  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  MessageLog messages_;
  std::thread thread_;
};

struct TlsServerFiles {
  std::filesystem::path certificate;
  std::filesystem::path key;
};

// Accepts connections on 127.0.0.1 and reads octet-counted frames from each.
// A frame that breaks the octet-counting grammar is recorded as an error and
// closes that connection.
class StreamCollector {
 public:
  // Port 0 picks a free port; a given port lets a test restart the collector.
  explicit StreamCollector(std::uint16_t port = 0, const TlsServerFiles* tls = nullptr);
  // Closes every connection, as a collector that goes down.
  ~StreamCollector();

  std::uint16_t port() const { return port_; }
  MessageLog& messages() { return messages_; }
  std::vector<std::string> errors() const;
  int connectionsAccepted() const { return accepted_.load(); }

 private:
  void acceptLoop();
  void readConnection(int fd);
  void addError(std::string error);

  int listenFd_ = -1;
  std::uint16_t port_ = 0;
  void* tlsContext_ = nullptr;  // SSL_CTX*, kept opaque to keep OpenSSL out of tests' headers
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  MessageLog messages_;
  mutable std::mutex errorsMutex_;
  std::vector<std::string> errors_;
  std::mutex threadsMutex_;
  std::vector<std::thread> connectionThreads_;
  std::thread acceptThread_;
};

// Splits a byte stream into RFC 6587 octet-counted frames. Consumes complete
// frames from `buffer`; returns false when the stream is malformed.
bool takeOctetCountedFrames(std::string& buffer, std::vector<std::string>& frames);

}  // namespace odscan::forwarding::testing
