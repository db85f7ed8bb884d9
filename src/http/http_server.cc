#include "odscan/http/http_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <system_error>
#include <thread>

#include "server_state.h"
#include "worker.h"

namespace odscan::http {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// Accept errors such as "too many open files" repeat at once, so a short pause
// keeps the acceptor from spinning while connections close.
constexpr std::chrono::milliseconds kAcceptRetryDelay{50};

Status invalidOption(std::string_view name, std::string_view reason) {
  return Status(StatusCode::kInvalidArgument,
                "invalid HTTP server option " + std::string(name) + ": " + std::string(reason));
}

Status checkOptions(const HttpServerOptions& options) {
  using std::chrono::milliseconds;
  if (options.maxHeaderBytes < 1024) {
    return invalidOption("max header bytes", "must be at least 1024");
  }
  if (options.maxBodyBytes == 0) return invalidOption("max body bytes", "must be at least 1");
  if (options.maxConnections == 0) return invalidOption("max connections", "must be at least 1");
  if (options.maxInFlight == 0) return invalidOption("max in-flight", "must be at least 1");
  if (options.threads > 1024) return invalidOption("threads", "must be at most 1024");
  const std::pair<std::string_view, milliseconds> timeouts[] = {
      {"header timeout", options.headerTimeout},
      {"body timeout", options.bodyTimeout},
      {"keep-alive timeout", options.keepAliveTimeout},
      {"write timeout", options.writeTimeout}};
  for (const auto& [name, value] : timeouts) {
    if (value <= milliseconds(0)) return invalidOption(name, "must be greater than 0 ms");
  }
  if (options.retryAfter.count() < 0) return invalidOption("retry-after", "must not be negative");
  return Status::success();
}

Status loadTlsFiles(asio::ssl::context& context, const TlsFiles& files) {
  for (const auto& path : {files.certificateChain, files.privateKey}) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error)) {
      return Status(StatusCode::kNotFound, "TLS file '" + path.string() +
                                               "' does not exist or is not a file; check the "
                                               "certificate and key paths");
    }
  }
  boost::system::error_code error;
  context.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                          asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                          asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use,
                      error);
  context.use_certificate_chain_file(files.certificateChain.string(), error);
  if (error) {
    return Status(StatusCode::kInvalidArgument,
                  "cannot load the TLS certificate chain '" + files.certificateChain.string() +
                      "': " + error.message() + "; it must be PEM, the server certificate first");
  }
  context.use_private_key_file(files.privateKey.string(), asio::ssl::context::pem, error);
  if (error) {
    return Status(StatusCode::kInvalidArgument,
                  "cannot load the TLS private key '" + files.privateKey.string() + "': " +
                      error.message() + "; it must be an unencrypted PEM key for the certificate");
  }
  return Status::success();
}

}  // namespace

struct HttpServer::Impl {
  Impl(HttpServerOptions options, Router router, std::shared_ptr<spdlog::logger> logger,
       MetricsRegistry& registry)
      : state(std::move(options), std::move(router), std::move(logger), registry) {}

  ~Impl() { stop(); }

  Status listen();
  void startWorkers();
  void acceptNext();
  void onAccept(boost::system::error_code error, tcp::socket socket, Worker& worker);
  void stop();

  // Members are destroyed in reverse declaration order. So the acceptor and its
  // timer go before their io_context, and the workers go before the state that
  // their connections read.
  ServerState state;
  std::vector<std::unique_ptr<Worker>> workers;
  // The acceptor has a thread of its own, so a handler that takes long on a
  // worker never delays accepting connections for the other workers.
  asio::io_context acceptContext{1};
  std::optional<tcp::acceptor> acceptor;
  std::optional<asio::steady_timer> acceptRetryTimer;
  std::thread acceptThread;
  std::size_t nextWorker = 0;
  ListenAddress bound;
  bool started = false;  // set before the threads start, read by stop()
  std::atomic<bool> stopped{false};
};

Status HttpServer::Impl::listen() {
  const ListenAddress& address = state.options.listen;
  boost::system::error_code error;
  const auto ip = asio::ip::make_address(address.host, error);
  if (error) {
    return Status(StatusCode::kInvalidArgument,
                  "invalid listen address '" + address.toString() + "': " + error.message());
  }
  const tcp::endpoint endpoint(ip, address.port);

  acceptor.emplace(acceptContext);
  acceptRetryTimer.emplace(acceptContext);
  const auto fail = [&](std::string_view step) {
    return Status(StatusCode::kIoError, "cannot " + std::string(step) + " " + address.toString() +
                                            ": " + error.message() +
                                            "; stop the process that uses the port or choose "
                                            "another listen address");
  };
  acceptor->open(endpoint.protocol(), error);
  if (error) return fail("open a socket for");
  acceptor->set_option(tcp::acceptor::reuse_address(true), error);
  if (error) return fail("set SO_REUSEADDR for");
  acceptor->bind(endpoint, error);
  if (error) return fail("bind");
  acceptor->listen(asio::socket_base::max_listen_connections, error);
  if (error) return fail("listen on");

  bound = address;
  bound.port = acceptor->local_endpoint(error).port();
  return Status::success();
}

void HttpServer::Impl::startWorkers() {
  started = true;
  for (auto& worker : workers) worker->start();
  acceptNext();
  acceptThread = std::thread([this] { acceptContext.run(); });
}

void HttpServer::Impl::acceptNext() {
  Worker& worker = *workers[nextWorker];
  nextWorker = (nextWorker + 1) % workers.size();
  acceptor->async_accept(worker.context(),
                         [this, &worker](boost::system::error_code error, tcp::socket socket) {
                           onAccept(error, std::move(socket), worker);
                         });
}

void HttpServer::Impl::onAccept(boost::system::error_code error, tcp::socket socket,
                                Worker& worker) {
  if (error == asio::error::operation_aborted || state.stopping.load()) return;
  if (error) {
    state.logger->warn("accepting a connection on {} failed: {}; retrying in {} ms",
                       bound.toString(), error.message(), kAcceptRetryDelay.count());
    acceptRetryTimer->expires_after(kAcceptRetryDelay);
    acceptRetryTimer->async_wait([this](boost::system::error_code timerError) {
      if (!timerError && !state.stopping.load()) acceptNext();
    });
    return;
  }

  if (state.gauges->connections.load(std::memory_order_relaxed) >= state.options.maxConnections) {
    state.metrics.recordRejection(RejectionReason::kConnectionLimit);
    boost::system::error_code ignored;
    socket.close(ignored);
  } else {
    state.gauges->connections.fetch_add(1, std::memory_order_relaxed);
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    asio::post(worker.context(), [&worker, socket = std::move(socket)]() mutable {
      worker.startConnection(std::move(socket));
    });
  }
  acceptNext();
}

void HttpServer::Impl::stop() {
  if (stopped.exchange(true)) return;
  state.stopping.store(true);
  if (!started) return;

  if (acceptThread.joinable()) {
    asio::post(acceptContext, [this] {
      boost::system::error_code ignored;
      acceptor->close(ignored);
      acceptRetryTimer->cancel();
    });
    acceptThread.join();
  }
  for (auto& worker : workers) {
    asio::post(worker->context(), [&worker] { worker->closeIdleConnections(); });
  }

  const auto deadline = std::chrono::steady_clock::now() + state.options.stopTimeout;
  while (state.gauges->connections.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const std::size_t remaining = state.gauges->connections.load();
  for (auto& worker : workers) worker->stopAndJoin();
  if (remaining > 0) {
    state.logger->warn("HTTP server on {} stopped with {} connections still busy after {} ms",
                       bound.toString(), remaining, state.options.stopTimeout.count());
  } else {
    state.logger->info("HTTP server on {} stopped", bound.toString());
  }
}

Result<std::unique_ptr<HttpServer>> HttpServer::start(HttpServerOptions options, Router router,
                                                      std::shared_ptr<spdlog::logger> logger,
                                                      MetricsRegistry& metrics) {
  if (Status status = checkOptions(options); !status.ok()) return status;
  if (options.threads == 0) options.threads = std::max(1u, std::thread::hardware_concurrency());

  auto impl =
      std::make_unique<Impl>(std::move(options), std::move(router), std::move(logger), metrics);
  const HttpServerOptions& settings = impl->state.options;
  if (settings.tls) {
    impl->state.tls.emplace(asio::ssl::context::tls_server);
    if (Status status = loadTlsFiles(*impl->state.tls, *settings.tls); !status.ok()) return status;
  }
  for (unsigned i = 0; i < settings.threads; ++i) {
    impl->workers.push_back(std::make_unique<Worker>(impl->state, i));
  }
  if (Status status = impl->listen(); !status.ok()) return status;

  impl->startWorkers();
  impl->state.logger->info("HTTP server listening on {} ({}, {} worker threads)",
                           impl->bound.toString(), settings.tls ? "TLS" : "plain HTTP",
                           settings.threads);
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() = default;

std::uint16_t HttpServer::port() const { return impl_->bound.port; }
ListenAddress HttpServer::address() const { return impl_->bound; }
bool HttpServer::usesTls() const { return impl_->state.tls.has_value(); }
void HttpServer::stop() { impl_->stop(); }

}  // namespace odscan::http
