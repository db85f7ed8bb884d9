// HttpServer: an asynchronous HTTP/1.1 server (Boost.Beast over Boost.Asio) with
// the protections that a server shared by many clients needs. It limits header
// and body sizes, connections and requests in flight, and enforces read and write
// timeouts. It also provides keep-alive, optional TLS, request ids, an access log
// and Prometheus metrics. The Smart Scan Server and the console build on it
// through a Router.
//
// Each worker thread runs its own io_context and owns the connections that the
// acceptor thread hands it, so a connection's callbacks never run on two threads
// and need no strand or lock. Handlers run on those threads too. A handler that
// blocks delays every other connection of its worker, so handlers must not wait
// on I/O or on locks held for long.
//
// A request goes through these steps:
//   1. read the header within the header timeout and the header limit (431);
//   2. check Content-Length against the body limit (413);
//   3. take a slot of the in-flight limit, or respond 503 with Retry-After
//      without reading the body;
//   4. read the body within the body timeout;
//   5. run the handler and write the response within the write timeout;
//   6. wait for the next request within the keep-alive timeout.
//
// Ownership: the server owns its threads and connections. The logger and the
// MetricsRegistry are shared with the program; the registry must outlive the
// server.
// Thread safety: port(), address() and stop() may be called from any thread.
// Handlers run on the worker threads, several at once.
#pragma once

#include <spdlog/common.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "odscan/common/status.h"
#include "odscan/http/listen_address.h"
#include "odscan/http/metrics_registry.h"
#include "odscan/http/router.h"

namespace spdlog {
class logger;
}

namespace odscan::http {

struct TlsFiles {
  std::filesystem::path certificateChain;  // PEM, the server certificate first
  std::filesystem::path privateKey;        // PEM, unencrypted
};

struct HttpServerOptions {
  ListenAddress listen{"127.0.0.1", 8470};
  // Worker threads; 0 means one per hardware thread.
  unsigned threads = 0;
  // Plain HTTP when empty.
  std::optional<TlsFiles> tls;
  // Limit on the request line and header fields together; larger headers get 431.
  std::size_t maxHeaderBytes = 8 * 1024;
  // Larger bodies get 413, before they are read when Content-Length declares them.
  std::size_t maxBodyBytes = 1024 * 1024;
  // Time from a request's first byte to its complete header. A connection's first
  // request counts from the TCP connect, and a TLS handshake has the same limit.
  std::chrono::milliseconds headerTimeout{std::chrono::seconds(10)};
  // Time from the complete header to the complete body.
  std::chrono::milliseconds bodyTimeout{std::chrono::seconds(30)};
  // Time an open connection may wait for its next request.
  std::chrono::milliseconds keepAliveTimeout{std::chrono::seconds(60)};
  // Time allowed to write one response; a client that does not read is dropped.
  std::chrono::milliseconds writeTimeout{std::chrono::seconds(30)};
  // Connections beyond this are closed right after accept.
  std::size_t maxConnections = 4096;
  // Requests between header and written response. Request bodies are read only
  // inside this limit, so body memory stays under maxInFlight * maxBodyBytes.
  std::size_t maxInFlight = 256;
  // The Retry-After value of a 503 response.
  std::chrono::seconds retryAfter{1};
  // How long stop() lets running requests finish before it closes everything.
  std::chrono::milliseconds stopTimeout{std::chrono::seconds(5)};
  // Prefix of every metric name the server registers.
  std::string metricsPrefix = "odscan_http";
  // Request header fields logged on each access line, as (header name, log key).
  std::vector<std::pair<std::string, std::string>> accessLogHeaders{
      {"X-Odscan-Product", "product"}, {"X-Odscan-Endpoint", "endpoint"}};
  // Writes one access line per request at accessLogLevel.
  bool accessLog = true;
  spdlog::level::level_enum accessLogLevel = spdlog::level::info;
};

class HttpServer {
 public:
  // Checks the options, loads the TLS files, binds the address, and starts the
  // worker threads. Fails with kInvalidArgument for an option out of range,
  // kNotFound or kInvalidArgument for a TLS file, and kIoError when the address
  // cannot be bound. Each message names the option, file or address.
  static Result<std::unique_ptr<HttpServer>> start(HttpServerOptions options, Router router,
                                                   std::shared_ptr<spdlog::logger> logger,
                                                   MetricsRegistry& metrics);

  // Calls stop().
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Returns the bound port, which the system picked when the options asked for 0.
  std::uint16_t port() const;
  // Returns the bound address with its real port.
  ListenAddress address() const;
  bool usesTls() const;

  // Stops accepting, closes idle connections, lets requests in progress finish
  // for up to stopTimeout, then closes the rest and joins the worker threads.
  // Later calls do nothing.
  void stop();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace odscan::http
