#include "odscan/forwarding/collector_connection.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

#include "odscan/forwarding/syslog_formatter.h"
#include "socket_io.h"
#include "tls_connection.h"

namespace odscan::forwarding {
namespace {

using detail::UniqueFd;

// RFC 5426: one message per datagram. The socket is connected, so an ICMP
// "port unreachable" for an earlier datagram shows up as ECONNREFUSED here.
class UdpConnection final : public CollectorConnection {
 public:
  explicit UdpConnection(CollectorAddress address) : address_(std::move(address)) {}

  Status open(const IoLimits& limits) override {
    auto fd = detail::connectSocket(address_, detail::SocketKind::kDatagram, limits);
    if (!fd.ok()) return fd.status();
    fd_ = std::move(*fd);
    return Status::success();
  }

  Status send(std::string_view message, const IoLimits& limits) override {
    while (true) {
      const ssize_t sent = ::send(fd_.get(), message.data(), message.size(), MSG_NOSIGNAL);
      if (sent >= 0) return Status::success();
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        Status ready = detail::waitFor(fd_.get(), POLLOUT, limits, describe());
        if (!ready.ok()) return ready;
        continue;
      }
      const int error = errno;
      return Status(StatusCode::kUnreachable,
                    detail::systemError("cannot send a datagram to " + describe(), error));
    }
  }

  bool isOpen() override { return fd_.valid(); }
  void close() override { fd_.reset(); }
  std::string describe() const override { return "udp://" + address_.toString(); }

 private:
  CollectorAddress address_;
  UniqueFd fd_;
};

// RFC 6587 section 3.4.1 octet counting over plain TCP.
class TcpConnection final : public CollectorConnection {
 public:
  explicit TcpConnection(CollectorAddress address) : address_(std::move(address)) {}

  Status open(const IoLimits& limits) override {
    auto fd = detail::connectSocket(address_, detail::SocketKind::kStream, limits);
    if (!fd.ok()) return fd.status();
    fd_ = std::move(*fd);
    return Status::success();
  }

  Status send(std::string_view message, const IoLimits& limits) override {
    const std::string frame = octetCountedFrame(message);
    std::string_view rest = frame;
    while (!rest.empty()) {
      const ssize_t sent = ::send(fd_.get(), rest.data(), rest.size(), MSG_NOSIGNAL);
      if (sent > 0) {
        rest.remove_prefix(static_cast<std::size_t>(sent));
        continue;
      }
      if (sent < 0 && errno == EINTR) continue;
      if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        Status ready = detail::waitFor(fd_.get(), POLLOUT, limits, describe());
        if (!ready.ok()) return closeWith(ready);
        continue;
      }
      const int error = errno;
      return closeWith(Status(StatusCode::kUnreachable,
                              detail::systemError("cannot send to " + describe(), error)));
    }
    return Status::success();
  }

  bool isOpen() override {
    if (fd_.valid() && !detail::streamIsOpen(fd_.get())) fd_.reset();
    return fd_.valid();
  }

  void close() override { fd_.reset(); }
  std::string describe() const override { return "tcp://" + address_.toString(); }

 private:
  Status closeWith(Status status) {
    fd_.reset();
    return status;
  }

  CollectorAddress address_;
  UniqueFd fd_;
};

}  // namespace

Result<std::unique_ptr<CollectorConnection>> makeCollectorConnection(
    const ForwarderConfig& config) {
  switch (config.transport) {
    case Transport::kUdp:
      return std::unique_ptr<CollectorConnection>(
          std::make_unique<UdpConnection>(config.collector));
    case Transport::kTcp:
      return std::unique_ptr<CollectorConnection>(
          std::make_unique<TcpConnection>(config.collector));
    case Transport::kTls:
      return detail::makeTlsConnection(config);
  }
  return Status(StatusCode::kInvalidArgument, "unknown syslog transport; use udp, tcp or tls");
}

}  // namespace odscan::forwarding
