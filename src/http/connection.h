// Connection: one client connection of HttpServer, over plain TCP or TLS. It runs
// one request at a time (no pipelined parallelism) through the phases below, each
// with its own deadline that the worker's sweep enforces:
//   handshake (TLS) -> idle -> header -> [100 Continue] -> body -> handler -> write
//   -> idle again, or closing.
//
// Ownership: shared_ptr-owned; every pending operation's handler holds a
// reference, so the connection lives exactly as long as it has work.
// Thread safety: all members run on the owning worker's thread.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http_metrics.h"
#include "odscan/http/request.h"
#include "odscan/http/response.h"
#include "odscan/http/router.h"
#include "worker.h"

namespace odscan::http {

struct ServerState;

using PlainStream = boost::asio::ip::tcp::socket;
using TlsStream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;

template <typename Stream>
class Connection final : public ConnectionBase,
                         public std::enable_shared_from_this<Connection<Stream>> {
 public:
  Connection(ServerState& state, Worker& worker, Stream stream, std::string peer);
  ~Connection() override;

  void start();
  void expire() override;
  void closeIfIdle() override;

 private:
  enum class Phase { kHandshake, kIdle, kHeader, kContinue, kBody, kHandler, kWrite, kClosing };
  using ErrorCode = boost::system::error_code;
  using Parser = boost::beast::http::request_parser<boost::beast::http::string_body>;

  // Reading and parsing.
  void onHandshake(ErrorCode error);
  void beginRequest();
  void enterHeaderPhase();
  void readSome();
  void onRead(ErrorCode error, std::size_t bytes);
  void parseBuffered();
  void onHeaderDone();
  void sendContinue();
  void onParseError(ErrorCode error);
  void onTimeout();

  // Answering.
  void dispatch();
  void runHandler(const Request& request);
  void reject(unsigned status, RejectionReason reason, std::string_view message, bool close);
  void sendResponse(bool close);
  void onWrite(ErrorCode error);
  void finishRequest();
  void writeAccessLog(double seconds);

  // Closing.
  void closeGracefully();
  void drainBeforeClose();
  void closeNow();

  std::string_view requestId();
  bool bodyPending() const;
  void prepareParser();
  void recycleParser();

  ServerState& state_;
  Worker& worker_;
  Stream stream_;
  const std::string peer_;

  Phase phase_ = Phase::kIdle;
  bool firstRequest_ = true;
  bool timedOut_ = false;
  bool closed_ = false;
  bool closeAfterWrite_ = false;
  bool holdsSlot_ = false;
  bool requestStarted_ = false;

  boost::beast::flat_buffer buffer_;
  std::optional<Parser> parser_;
  // Body storage handed from one request's parser to the next, so that a
  // keep-alive client with similar bodies causes no allocation.
  std::string recycledBody_;
  std::vector<HeaderField> headerViews_;
  Response response_;
  std::string head_;

  std::array<char, kMaxRequestIdLength> requestId_{};
  std::size_t requestIdLength_ = 0;
  std::string_view path_;
  std::string_view method_;
  std::size_t routeIndex_ = 0;
  Router::Match match_;
  Clock::time_point requestStart_{};
  std::size_t requestBytes_ = 0;
};

extern template class Connection<PlainStream>;
extern template class Connection<TlsStream>;

}  // namespace odscan::http
