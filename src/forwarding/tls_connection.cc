#include "tls_connection.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>

#include <array>
#include <cerrno>
#include <system_error>

#include "odscan/forwarding/syslog_formatter.h"
#include "socket_io.h"

namespace odscan::forwarding::detail {
namespace {

struct SslContextFree {
  void operator()(SSL_CTX* context) const { SSL_CTX_free(context); }
};
struct SslFree {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};
using SslContextPtr = std::unique_ptr<SSL_CTX, SslContextFree>;
using SslPtr = std::unique_ptr<SSL, SslFree>;

// Returns OpenSSL's queued errors as one line and clears the queue.
std::string openSslErrors() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    std::array<char, 256> buffer{};
    ERR_error_string_n(code, buffer.data(), buffer.size());
    text += text.empty() ? buffer.data() : std::string("; ") + buffer.data();
  }
  return text.empty() ? std::string("no OpenSSL error reported") : text;
}

Result<SslContextPtr> makeContext(const ForwarderConfig& config) {
  SslContextPtr context(SSL_CTX_new(TLS_client_method()));
  if (!context)
    return Status(StatusCode::kInternal, "cannot create a TLS context: " + openSslErrors());
  SSL_CTX_set_min_proto_version(context.get(), TLS1_2_VERSION);
  SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, nullptr);

  if (config.caFile.empty()) {
    if (SSL_CTX_set_default_verify_paths(context.get()) != 1) {
      return Status(StatusCode::kInvalidArgument,
                    "cannot load the system's trust store: " + openSslErrors() +
                        "; set syslog.ca_file to the CA that signed the collector's certificate");
    }
    return context;
  }

  std::error_code error;
  if (!std::filesystem::is_regular_file(config.caFile, error)) {
    return Status(StatusCode::kNotFound,
                  "syslog.ca_file '" + config.caFile.string() +
                      "' does not exist or is not a file; point it at the PEM file of the CA "
                      "that signed the collector's certificate");
  }
  if (SSL_CTX_load_verify_locations(context.get(), config.caFile.c_str(), nullptr) != 1) {
    return Status(StatusCode::kInvalidArgument,
                  "syslog.ca_file '" + config.caFile.string() +
                      "' contains no PEM certificate that OpenSSL can read (" + openSslErrors() +
                      "); point it at the CA certificate in PEM form");
  }
  return context;
}

class TlsConnection final : public CollectorConnection {
 public:
  TlsConnection(const ForwarderConfig& config, SslContextPtr context)
      : address_(config.collector), serverName_(config.serverName), context_(std::move(context)) {}

  ~TlsConnection() override { close(); }

  Status open(const IoLimits& limits) override {
    close();
    auto fd = connectSocket(address_, SocketKind::kStream, limits);
    if (!fd.ok()) return fd.status();
    fd_ = std::move(*fd);

    Status prepared = prepareSession();
    if (!prepared.ok()) return closeWith(prepared);
    return closeOnError(handshake(limits));
  }

  Status send(std::string_view message, const IoLimits& limits) override {
    const std::string frame = octetCountedFrame(message);
    std::size_t offset = 0;
    while (offset < frame.size()) {
      ERR_clear_error();
      errno = 0;
      const int written =
          SSL_write(ssl_.get(), frame.data() + offset, static_cast<int>(frame.size() - offset));
      if (written > 0) {
        offset += static_cast<std::size_t>(written);
        continue;
      }
      Status waited = waitForSsl(written, limits, "cannot send to ");
      if (!waited.ok()) return closeWith(waited);
    }
    return Status::success();
  }

  bool isOpen() override {
    if (!ssl_) return false;
    std::array<char, 512> buffer{};
    while (true) {
      ERR_clear_error();
      const int read = SSL_read(ssl_.get(), buffer.data(), static_cast<int>(buffer.size()));
      // A collector sends no application data; TLS 1.3 session tickets are
      // consumed inside SSL_read and surface as WANT_READ.
      if (read > 0) continue;
      if (SSL_get_error(ssl_.get(), read) == SSL_ERROR_WANT_READ) return true;
      close();
      return false;
    }
  }

  void close() override {
    if (ssl_) {
      // One non-blocking close_notify; the collector needs no reply.
      ERR_clear_error();
      SSL_shutdown(ssl_.get());
      ERR_clear_error();
    }
    ssl_.reset();
    fd_.reset();
  }

  std::string describe() const override { return "tls://" + address_.toString(); }

 private:
  // Sets the name the certificate must carry: tls_server_name (also sent as
  // SNI), else the collector's IP address, else "localhost".
  Status prepareSession() {
    ssl_.reset(SSL_new(context_.get()));
    if (!ssl_ || SSL_set_fd(ssl_.get(), fd_.get()) != 1) {
      return Status(StatusCode::kInternal, "cannot create a TLS session: " + openSslErrors());
    }
    const std::string name = !serverName_.empty() ? serverName_ : address_.host;
    const bool checkIp = serverName_.empty() && address_.isIpLiteral();
    int result = 0;
    if (checkIp) {
      result = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_.get()), name.c_str());
    } else {
      result = SSL_set1_host(ssl_.get(), name.c_str()) == 1 &&
                       SSL_set_tlsext_host_name(ssl_.get(), name.c_str()) == 1
                   ? 1
                   : 0;
    }
    if (result != 1) {
      return Status(
          StatusCode::kInvalidArgument,
          "cannot check the collector's certificate for \"" + name + "\": " + openSslErrors());
    }
    return Status::success();
  }

  Status handshake(const IoLimits& limits) {
    while (true) {
      ERR_clear_error();
      errno = 0;
      const int result = SSL_connect(ssl_.get());
      if (result == 1) return Status::success();

      const long verify = SSL_get_verify_result(ssl_.get());
      if (verify != X509_V_OK) {
        return Status(StatusCode::kBadSignature,
                      "the certificate of " + describe() +
                          " was rejected: " + X509_verify_cert_error_string(verify) +
                          "; check syslog.ca_file and that the certificate names " +
                          (serverName_.empty() ? address_.host : serverName_) +
                          " (or set syslog.tls_server_name)");
      }
      Status waited = waitForSsl(result, limits, "TLS handshake failed with ");
      if (!waited.ok()) return waited;
    }
  }

  // Waits when OpenSSL requests more I/O, or turns its error into a Status.
  Status waitForSsl(int result, const IoLimits& limits, const std::string& failure) {
    const int error = SSL_get_error(ssl_.get(), result);
    if (error == SSL_ERROR_WANT_READ) return waitFor(fd_.get(), POLLIN, limits, describe());
    if (error == SSL_ERROR_WANT_WRITE) return waitFor(fd_.get(), POLLOUT, limits, describe());
    if (error == SSL_ERROR_SYSCALL && errno != 0) {
      return Status(StatusCode::kUnreachable, systemError(failure + describe(), errno));
    }
    return Status(StatusCode::kUnreachable, failure + describe() + ": " + openSslErrors());
  }

  Status closeWith(Status status) {
    ssl_.reset();
    fd_.reset();
    return status;
  }

  Status closeOnError(Status status) { return status.ok() ? status : closeWith(status); }

  CollectorAddress address_;
  std::string serverName_;
  SslContextPtr context_;
  UniqueFd fd_;
  SslPtr ssl_;
};

}  // namespace

Result<std::unique_ptr<CollectorConnection>> makeTlsConnection(const ForwarderConfig& config) {
  auto context = makeContext(config);
  if (!context.ok()) return context.status();
  return std::unique_ptr<CollectorConnection>(
      std::make_unique<TlsConnection>(config, std::move(*context)));
}

}  // namespace odscan::forwarding::detail
