#include "collector_listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <random>
#include <stdexcept>

namespace odscan::forwarding::testing {
namespace {

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

std::uint16_t boundPort(int fd) {
  sockaddr_in address{};
  socklen_t length = sizeof(address);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("getsockname failed");
  }
  return ntohs(address.sin_port);
}

int bindSocket(int type, std::uint16_t port) {
  const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
  const int yes = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  const sockaddr_in address = loopback(port);
  if (fd < 0 || ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    throw std::runtime_error("cannot bind a test collector on 127.0.0.1:" + std::to_string(port));
  }
  return fd;
}

// Makes blocking reads on `fd` return every 100 ms, so reader threads notice
// that the collector stops.
void setReadTimeout(int fd) {
  timeval timeout{0, 100'000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
}

void writePem(const std::filesystem::path& path, X509* certificate, EVP_PKEY* key) {
  BIO* file = BIO_new_file(path.c_str(), "w");
  if (file == nullptr) throw std::runtime_error("cannot write " + path.string());
  const int written = certificate != nullptr ? PEM_write_bio_X509(file, certificate)
                                             : PEM_write_bio_PrivateKey(file, key, nullptr, nullptr,
                                                                        0, nullptr, nullptr);
  BIO_free(file);
  if (written != 1) throw std::runtime_error("cannot write PEM to " + path.string());
}

void addExtension(X509* certificate, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  if (extension == nullptr) throw std::runtime_error("cannot make extension " + value);
  X509_add_ext(certificate, extension, -1);
  X509_EXTENSION_free(extension);
}

}  // namespace

TempFolder::TempFolder() {
  std::random_device random;
  path_ = std::filesystem::temp_directory_path() /
          ("odscan-forwarding-test-" + std::to_string(random()) + std::to_string(random()));
  std::filesystem::create_directories(path_);
}

TempFolder::~TempFolder() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void makeSelfSignedCertificate(const std::filesystem::path& certificateFile,
                               const std::filesystem::path& keyFile, const std::string& dnsName) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* certificate = X509_new();
  if (key == nullptr || certificate == nullptr)
    throw std::runtime_error("OpenSSL allocation failed");

  X509_set_version(certificate, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(certificate),
                   static_cast<long>(std::random_device{}() >> 1));
  X509_gmtime_adj(X509_getm_notBefore(certificate), -60);
  X509_gmtime_adj(X509_getm_notAfter(certificate), 24 * 3600);
  X509_set_pubkey(certificate, key);
  X509_NAME* name = X509_get_subject_name(certificate);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("odscan test collector"), -1,
                             -1, 0);
  X509_set_issuer_name(certificate, name);
  addExtension(certificate, NID_basic_constraints, "critical,CA:TRUE");
  addExtension(certificate, NID_subject_alt_name, "IP:127.0.0.1,DNS:" + dnsName);
  if (X509_sign(certificate, key, EVP_sha256()) == 0) throw std::runtime_error("X509_sign failed");

  writePem(certificateFile, certificate, nullptr);
  writePem(keyFile, nullptr, key);
  X509_free(certificate);
  EVP_PKEY_free(key);
}

std::uint16_t unusedTcpPort() {
  const int fd = bindSocket(SOCK_STREAM, 0);
  const std::uint16_t port = boundPort(fd);
  ::close(fd);
  return port;
}

void MessageLog::add(std::string message) {
  std::lock_guard lock(mutex_);
  messages_.push_back(std::move(message));
  arrived_.notify_all();
}

std::vector<std::string> MessageLog::waitFor(std::size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  arrived_.wait_for(lock, timeout, [&] { return messages_.size() >= count; });
  return messages_;
}

std::vector<std::string> MessageLog::all() const {
  std::lock_guard lock(mutex_);
  return messages_;
}

UdpCollector::UdpCollector() {
  fd_ = bindSocket(SOCK_DGRAM, 0);
  port_ = boundPort(fd_);
  setReadTimeout(fd_);
  // A large receive buffer, so a burst of test events is not dropped by the kernel.
  const int bufferBytes = 4 * 1024 * 1024;
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &bufferBytes, sizeof(bufferBytes));
  thread_ = std::thread([this] { run(); });
}

UdpCollector::~UdpCollector() {
  stopping_ = true;
  thread_.join();
  ::close(fd_);
}

void UdpCollector::run() {
  std::vector<char> buffer(70'000);
  while (!stopping_) {
    const ssize_t received = ::recv(fd_, buffer.data(), buffer.size(), 0);
    if (received >= 0)
      messages_.add(std::string(buffer.data(), static_cast<std::size_t>(received)));
  }
}

StreamCollector::StreamCollector(std::uint16_t port, const TlsServerFiles* tls) {
  if (tls != nullptr) {
    SSL_CTX* context = SSL_CTX_new(TLS_server_method());
    if (SSL_CTX_use_certificate_file(context, tls->certificate.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_use_PrivateKey_file(context, tls->key.c_str(), SSL_FILETYPE_PEM) != 1) {
      throw std::runtime_error("cannot load the test collector's certificate");
    }
    tlsContext_ = context;
  }
  listenFd_ = bindSocket(SOCK_STREAM, port);
  port_ = boundPort(listenFd_);
  if (::listen(listenFd_, 16) != 0) throw std::runtime_error("listen failed");
  acceptThread_ = std::thread([this] { acceptLoop(); });
}

StreamCollector::~StreamCollector() {
  stopping_ = true;
  acceptThread_.join();
  ::close(listenFd_);
  std::lock_guard lock(threadsMutex_);
  for (std::thread& thread : connectionThreads_) thread.join();
  SSL_CTX_free(static_cast<SSL_CTX*>(tlsContext_));
}

std::vector<std::string> StreamCollector::errors() const {
  std::lock_guard lock(errorsMutex_);
  return errors_;
}

void StreamCollector::addError(std::string error) {
  std::lock_guard lock(errorsMutex_);
  errors_.push_back(std::move(error));
}

void StreamCollector::acceptLoop() {
  while (!stopping_) {
    pollfd listening{listenFd_, POLLIN, 0};
    if (::poll(&listening, 1, 50) <= 0) continue;
    const int fd = ::accept4(listenFd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    ++accepted_;
    std::lock_guard lock(threadsMutex_);
    connectionThreads_.emplace_back([this, fd] { readConnection(fd); });
  }
}

void StreamCollector::readConnection(int fd) {
  setReadTimeout(fd);
  SSL* ssl = nullptr;
  if (tlsContext_ != nullptr) {
    ssl = SSL_new(static_cast<SSL_CTX*>(tlsContext_));
    SSL_set_fd(ssl, fd);
    int accepted = 0;
    while (!stopping_ && (accepted = SSL_accept(ssl)) != 1) {
      if (SSL_get_error(ssl, accepted) != SSL_ERROR_WANT_READ) break;
    }
    if (accepted != 1) {
      if (!stopping_) addError("TLS handshake failed");
      SSL_free(ssl);
      ::close(fd);
      return;
    }
  }

  std::string buffer;
  std::array<char, 4096> chunk{};
  while (!stopping_) {
    const int received = ssl != nullptr
                             ? SSL_read(ssl, chunk.data(), static_cast<int>(chunk.size()))
                             : static_cast<int>(::recv(fd, chunk.data(), chunk.size(), 0));
    if (received == 0) break;
    if (received < 0) {
      const bool timedOut = ssl != nullptr ? SSL_get_error(ssl, received) == SSL_ERROR_WANT_READ
                                           : (errno == EAGAIN || errno == EWOULDBLOCK);
      if (timedOut) continue;
      break;
    }
    buffer.append(chunk.data(), static_cast<std::size_t>(received));
    std::vector<std::string> frames;
    const bool wellFormed = takeOctetCountedFrames(buffer, frames);
    for (std::string& frame : frames) messages_.add(std::move(frame));
    if (!wellFormed) {
      addError("malformed octet-counted frame");
      break;
    }
  }

  if (ssl != nullptr) {
    SSL_shutdown(ssl);
    SSL_free(ssl);
  }
  ::close(fd);
}

bool takeOctetCountedFrames(std::string& buffer, std::vector<std::string>& frames) {
  std::size_t position = 0;
  while (position < buffer.size()) {
    const std::size_t space = buffer.find(' ', position);
    if (space == std::string::npos) break;
    std::size_t length = 0;
    const char* begin = buffer.data() + position;
    const auto [end, error] = std::from_chars(begin, buffer.data() + space, length);
    // RFC 6587: MSG-LEN is a NONZERO-DIGIT followed by digits.
    if (error != std::errc() || end != buffer.data() + space || *begin == '0' || length == 0) {
      return false;
    }
    if (buffer.size() - (space + 1) < length) break;
    frames.push_back(buffer.substr(space + 1, length));
    position = space + 1 + length;
  }
  buffer.erase(0, position);
  return true;
}

}  // namespace odscan::forwarding::testing
