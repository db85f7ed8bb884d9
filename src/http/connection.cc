#include "connection.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/write.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/error.hpp>
#include <limits>

#include "access_log.h"
#include "odscan/http/request_id.h"
#include "server_state.h"

namespace odscan::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

// Read sizes: small while waiting for a header, so that thousands of idle
// connections hold small buffers, larger while a body streams in.
constexpr std::size_t kHeaderReadSize = 4 * 1024;
constexpr std::size_t kBodyReadSize = 16 * 1024;
// A body buffer larger than this is freed after its request instead of being kept
// for the next one, so idle connections do not pin large buffers.
constexpr std::size_t kMaxRecycledBodyCapacity = 64 * 1024;
// Upper bound for the lingering close below.
constexpr std::chrono::milliseconds kMaxLinger{1000};

constexpr std::string_view kContinueResponse = "HTTP/1.1 100 Continue\r\n\r\n";

std::string millisecondsText(std::chrono::milliseconds duration) {
  return std::to_string(duration.count()) + " ms";
}

}  // namespace

template <typename Stream>
Connection<Stream>::Connection(ServerState& state, Worker& worker, Stream stream, std::string peer)
    : ConnectionBase(worker),
      state_(state),
      worker_(worker),
      stream_(std::move(stream)),
      peer_(std::move(peer)),
      buffer_(state.options.maxHeaderBytes + kBodyReadSize) {}

template <typename Stream>
Connection<Stream>::~Connection() {
  if (holdsSlot_) state_.releaseSlot();
  state_.gauges->connections.fetch_sub(1, std::memory_order_relaxed);
}

template <typename Stream>
void Connection<Stream>::start() {
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    phase_ = Phase::kHandshake;
    setDeadline(state_.options.headerTimeout);
    stream_.async_handshake(
        asio::ssl::stream_base::server,
        [self = this->shared_from_this()](ErrorCode error) { self->onHandshake(error); });
  } else {
    beginRequest();
  }
}

template <typename Stream>
void Connection<Stream>::onHandshake(ErrorCode error) {
  if (closed_) return;
  if (timedOut_ || error) {
    const bool timeout = timedOut_;
    state_.metrics.recordRejection(timeout ? RejectionReason::kTimeout
                                           : RejectionReason::kTlsHandshake);
    state_.logger->debug("peer={} TLS handshake failed: {}", peer_,
                         timeout
                             ? "timed out after " + millisecondsText(state_.options.headerTimeout)
                             : error.message());
    closeNow();
    return;
  }
  beginRequest();
}

template <typename Stream>
void Connection<Stream>::beginRequest() {
  if (state_.stopping.load(std::memory_order_relaxed)) {
    closeGracefully();
    return;
  }
  prepareParser();
  requestIdLength_ = 0;
  requestStarted_ = false;
  requestBytes_ = 0;
  path_ = {};
  method_ = {};
  routeIndex_ = state_.routePaths.size();
  match_ = Router::Match{};

  if (buffer_.size() > 0) {
    // The client pipelined its next request behind the last one.
    enterHeaderPhase();
    parseBuffered();
    return;
  }
  phase_ = Phase::kIdle;
  setDeadline(firstRequest_ ? state_.options.headerTimeout : state_.options.keepAliveTimeout);
  readSome();
}

template <typename Stream>
void Connection<Stream>::enterHeaderPhase() {
  phase_ = Phase::kHeader;
  requestStarted_ = true;
  requestStart_ = Clock::now();
  setDeadline(state_.options.headerTimeout);
}

template <typename Stream>
void Connection<Stream>::readSome() {
  const std::size_t readSize = phase_ == Phase::kBody ? kBodyReadSize : kHeaderReadSize;
  const std::size_t room = buffer_.max_size() - buffer_.size();
  if (room == 0) {
    // The parser's header limit is below the buffer's size, so only a header
    // that the parser has not yet rejected can fill it.
    reject(431, RejectionReason::kHeaderTooLarge,
           "the request header is larger than " + std::to_string(state_.options.maxHeaderBytes) +
               " bytes; send fewer or shorter header fields",
           true);
    return;
  }
  stream_.async_read_some(buffer_.prepare(std::min(readSize, room)),
                          [self = this->shared_from_this()](ErrorCode error, std::size_t bytes) {
                            self->onRead(error, bytes);
                          });
}

template <typename Stream>
void Connection<Stream>::onRead(ErrorCode error, std::size_t bytes) {
  if (closed_) return;
  if (timedOut_) {
    onTimeout();
    return;
  }
  if (error) {
    if (phase_ != Phase::kIdle && error != asio::error::operation_aborted) {
      state_.logger->debug(
          "request_id={} peer={} client closed the connection during the request: {}", requestId(),
          peer_, error.message());
    }
    closeNow();
    return;
  }

  buffer_.commit(bytes);
  requestBytes_ += bytes;
  if (phase_ == Phase::kIdle) enterHeaderPhase();
  parseBuffered();
}

template <typename Stream>
void Connection<Stream>::parseBuffered() {
  while (true) {
    if (buffer_.size() == 0) {
      readSome();
      return;
    }
    ErrorCode error;
    const std::size_t used = parser_->put(buffer_.data(), error);
    buffer_.consume(used);
    if (error == bhttp::error::need_more) {
      readSome();
      return;
    }
    if (error) {
      onParseError(error);
      return;
    }
    if (phase_ == Phase::kHeader && parser_->is_header_done()) {
      onHeaderDone();
      return;
    }
    if (parser_->is_done()) {
      dispatch();
      return;
    }
  }
}

template <typename Stream>
void Connection<Stream>::onHeaderDone() {
  auto& message = parser_->get();
  method_ = message.method_string();
  path_ = pathOfTarget(message.target());
  match_ = state_.router.match(method_, path_);
  routeIndex_ = match_.pathIndex;

  const auto declaredLength = parser_->content_length();
  if (declaredLength && *declaredLength > state_.options.maxBodyBytes) {
    reject(413, RejectionReason::kBodyTooLarge,
           "the request body of " + std::to_string(*declaredLength) +
               " bytes is over the limit of " + std::to_string(state_.options.maxBodyBytes) +
               " bytes; send smaller requests",
           true);
    return;
  }
  if (!state_.acquireSlot()) {
    reject(503, RejectionReason::kOverloaded,
           "the server is busy with " + std::to_string(state_.options.maxInFlight) +
               " requests; retry after " + state_.retryAfter + " seconds",
           bodyPending());
    return;
  }
  holdsSlot_ = true;

  // Chunked bodies have no declared length, so the parser stops them at the limit.
  parser_->body_limit(state_.options.maxBodyBytes);
  parser_->eager(true);
  if (parser_->is_done()) {
    dispatch();
    return;
  }
  phase_ = Phase::kBody;
  setDeadline(state_.options.bodyTimeout);
  const auto expect = message.find(bhttp::field::expect);
  if (expect != message.end() && equalsIgnoringCase(expect->value(), "100-continue") &&
      buffer_.size() == 0) {
    sendContinue();
    return;
  }
  parseBuffered();
}

template <typename Stream>
void Connection<Stream>::sendContinue() {
  phase_ = Phase::kContinue;
  setDeadline(state_.options.writeTimeout);
  asio::async_write(stream_, asio::buffer(kContinueResponse.data(), kContinueResponse.size()),
                    [self = this->shared_from_this()](ErrorCode error, std::size_t) {
                      if (self->closed_) return;
                      if (self->timedOut_ || error) {
                        self->closeNow();
                        return;
                      }
                      self->phase_ = Phase::kBody;
                      self->setDeadline(self->state_.options.bodyTimeout);
                      self->parseBuffered();
                    });
}

template <typename Stream>
void Connection<Stream>::onParseError(ErrorCode error) {
  if (error == bhttp::error::header_limit) {
    reject(431, RejectionReason::kHeaderTooLarge,
           "the request header is larger than " + std::to_string(state_.options.maxHeaderBytes) +
               " bytes; send fewer or shorter header fields",
           true);
  } else if (error == bhttp::error::body_limit) {
    reject(413, RejectionReason::kBodyTooLarge,
           "the request body is over the limit of " + std::to_string(state_.options.maxBodyBytes) +
               " bytes; send smaller requests",
           true);
  } else {
    reject(400, RejectionReason::kBadRequest,
           "malformed HTTP request: " + error.message() +
               "; send an HTTP/1.1 request with valid framing",
           true);
  }
}

template <typename Stream>
void Connection<Stream>::onTimeout() {
  timedOut_ = false;
  switch (phase_) {
    case Phase::kIdle:
      // An idle keep-alive connection expiring is normal, not a rejection.
      closeNow();
      return;
    case Phase::kHeader:
    case Phase::kBody: {
      const bool header = phase_ == Phase::kHeader;
      const auto limit = header ? state_.options.headerTimeout : state_.options.bodyTimeout;
      reject(408, RejectionReason::kTimeout,
             std::string("the request ") + (header ? "header" : "body") +
                 " did not arrive within " + millisecondsText(limit) +
                 "; send the whole request without pauses",
             true);
      return;
    }
    case Phase::kHandshake:
    case Phase::kContinue:
    case Phase::kWrite:
      state_.metrics.recordRejection(RejectionReason::kTimeout);
      state_.logger->debug("request_id={} peer={} write timed out after {}", requestId(), peer_,
                           millisecondsText(state_.options.writeTimeout));
      closeNow();
      return;
    case Phase::kHandler:
    case Phase::kClosing:
      closeNow();
      return;
  }
}

template <typename Stream>
void Connection<Stream>::dispatch() {
  phase_ = Phase::kHandler;
  clearDeadline();
  const auto& message = parser_->get();

  headerViews_.clear();
  for (const auto& field : message) {
    headerViews_.push_back(HeaderField{field.name_string(), field.value()});
  }
  const Request request{method_, message.target(), path_, headerViews_, message.body(),
                        peer_,   requestId()};

  response_.reset();
  switch (match_.kind) {
    case Router::MatchKind::kFound:
      runHandler(request);
      break;
    case Router::MatchKind::kMethodNotAllowed:
      response_.setError(405,
                         "method " + std::string(method_) + " is not allowed for " +
                             std::string(path_) + "; use " + std::string(match_.allow),
                         request.requestId);
      response_.addHeader("Allow", match_.allow);
      break;
    case Router::MatchKind::kPathNotFound: {
      std::string served;
      for (const std::string_view path : state_.routePaths) {
        if (!served.empty()) served += ", ";
        served += path;
      }
      response_.setError(404,
                         "no resource at '" + std::string(path_) + "'; this server serves " +
                             (served.empty() ? std::string("no paths") : served),
                         request.requestId);
      break;
    }
  }
  sendResponse(!message.keep_alive() || state_.stopping.load(std::memory_order_relaxed));
}

template <typename Stream>
void Connection<Stream>::runHandler(const Request& request) {
  try {
    (*match_.handler)(request, response_);
    return;
  } catch (const std::exception& error) {
    state_.logger->error("request_id={} peer={} handler for {} {} failed: {}", request.requestId,
                         peer_, method_, path_, error.what());
  } catch (...) {
    state_.logger->error("request_id={} peer={} handler for {} {} failed with an unknown error",
                         request.requestId, peer_, method_, path_);
  }
  response_.reset();
  response_.setError(500,
                     "internal error while handling the request; the server log has the "
                     "details under this request id",
                     request.requestId);
}

template <typename Stream>
void Connection<Stream>::reject(unsigned status, RejectionReason reason, std::string_view message,
                                bool close) {
  state_.metrics.recordRejection(reason);
  if (!requestStarted_) {
    requestStarted_ = true;
    requestStart_ = Clock::now();
  }
  response_.reset();
  response_.setError(status, message, requestId());
  if (status == 503) response_.addHeader("Retry-After", state_.retryAfter);
  sendResponse(close);
}

template <typename Stream>
void Connection<Stream>::sendResponse(bool close) {
  closeAfterWrite_ = close;
  const bool http10KeepAlive =
      !close && parser_ && parser_->is_header_done() && parser_->get().version() == 10;

  head_.clear();
  appendResponseHead(
      head_, response_,
      ResponseHeadOptions{requestId(), worker_.date().now(), close, http10KeepAlive});

  phase_ = Phase::kWrite;
  setDeadline(state_.options.writeTimeout);
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(head_),
                                                  asio::buffer(response_.body)};
  asio::async_write(
      stream_, buffers,
      [self = this->shared_from_this()](ErrorCode error, std::size_t) { self->onWrite(error); });
}

template <typename Stream>
void Connection<Stream>::onWrite(ErrorCode error) {
  if (closed_) return;
  finishRequest();
  if (timedOut_ || error) {
    if (timedOut_) state_.metrics.recordRejection(RejectionReason::kTimeout);
    closeNow();
    return;
  }
  if (closeAfterWrite_) {
    closeGracefully();
    return;
  }
  firstRequest_ = false;
  recycleParser();
  beginRequest();
}

template <typename Stream>
void Connection<Stream>::finishRequest() {
  if (holdsSlot_) {
    holdsSlot_ = false;
    state_.releaseSlot();
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - requestStart_).count();
  state_.metrics.recordRequest(routeIndex_, response_.status, seconds);
  if (state_.options.accessLog && state_.logger->should_log(state_.options.accessLogLevel)) {
    writeAccessLog(seconds);
  }
}

template <typename Stream>
void Connection<Stream>::writeAccessLog(double seconds) {
  std::string& line = worker_.logLine();
  line.clear();
  line += "access";
  appendLogField(line, "request_id", requestId());
  appendLogField(line, "peer", peer_);
  appendLogField(line, "method", method_);
  appendLogField(line, "path", path_);
  appendLogField(line, "status", std::to_string(response_.status));
  appendLogField(line, "request_bytes", std::to_string(requestBytes_));
  appendLogField(line, "response_bytes", std::to_string(response_.body.size()));
  appendLogField(line, "duration_us", std::to_string(static_cast<long long>(seconds * 1e6)));

  const bool headerRead = parser_ && parser_->is_header_done();
  for (const auto& [headerName, key] : state_.options.accessLogHeaders) {
    std::string_view value;
    if (headerRead) {
      const auto& message = parser_->get();
      const auto field = message.find(headerName);
      if (field != message.end()) value = field->value();
    }
    appendLogField(line, key, value);
  }
  if (!response_.accessLogFields.empty()) {
    line += ' ';
    line += response_.accessLogFields;
  }
  state_.logger->log(state_.options.accessLogLevel, "{}", line);
}

template <typename Stream>
void Connection<Stream>::closeGracefully() {
  phase_ = Phase::kClosing;
  setDeadline(std::min(state_.options.writeTimeout, kMaxLinger));
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    stream_.async_shutdown([self = this->shared_from_this()](ErrorCode) { self->closeNow(); });
  } else {
    // Closing a socket with unread input makes the kernel send a reset, which can
    // destroy the response the client has not read yet. Shutting down the sending
    // side and draining the input for a moment lets the response arrive first.
    ErrorCode ignored;
    stream_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    drainBeforeClose();
  }
}

template <typename Stream>
void Connection<Stream>::drainBeforeClose() {
  buffer_.clear();
  stream_.async_read_some(buffer_.prepare(kHeaderReadSize),
                          [self = this->shared_from_this()](ErrorCode error, std::size_t) {
                            if (self->closed_) return;
                            if (error || self->timedOut_) {
                              self->closeNow();
                              return;
                            }
                            self->drainBeforeClose();
                          });
}

template <typename Stream>
void Connection<Stream>::closeNow() {
  if (closed_) return;
  closed_ = true;
  phase_ = Phase::kClosing;
  clearDeadline();
  ErrorCode ignored;
  beast::get_lowest_layer(stream_).close(ignored);
}

template <typename Stream>
void Connection<Stream>::expire() {
  if (closed_) return;
  timedOut_ = true;
  clearDeadline();
  ErrorCode ignored;
  beast::get_lowest_layer(stream_).cancel(ignored);
}

template <typename Stream>
void Connection<Stream>::closeIfIdle() {
  if (closed_) return;
  if (phase_ == Phase::kIdle || phase_ == Phase::kHandshake) {
    ErrorCode ignored;
    beast::get_lowest_layer(stream_).cancel(ignored);
  }
}

template <typename Stream>
std::string_view Connection<Stream>::requestId() {
  if (requestIdLength_ == 0) {
    std::string_view id;
    if (parser_ && parser_->is_header_done()) {
      const auto& message = parser_->get();
      const auto field = message.find("X-Request-Id");
      if (field != message.end() && isValidRequestId(field->value())) id = field->value();
    }
    if (id.empty()) id = worker_.requestIds().next();
    std::copy(id.begin(), id.end(), requestId_.begin());
    requestIdLength_ = id.size();
  }
  return std::string_view(requestId_.data(), requestIdLength_);
}

template <typename Stream>
bool Connection<Stream>::bodyPending() const {
  return parser_ && !parser_->is_done();
}

template <typename Stream>
void Connection<Stream>::prepareParser() {
  recycledBody_.clear();
  parser_.emplace(std::piecewise_construct, std::make_tuple(std::move(recycledBody_)));
  parser_->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(
      state_.options.maxHeaderBytes, std::numeric_limits<std::uint32_t>::max())));
  // onHeaderDone() checks the declared length against the limit, so that it can
  // respond 413 with a message. It also sets the parser's limit for chunked bodies.
  parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
}

template <typename Stream>
void Connection<Stream>::recycleParser() {
  if (!parser_) return;
  std::string body = std::move(parser_->get().body());
  parser_.reset();
  if (body.capacity() <= kMaxRecycledBodyCapacity) recycledBody_ = std::move(body);
}

template class Connection<PlainStream>;
template class Connection<TlsStream>;

}  // namespace odscan::http
